#!/usr/bin/env bash
# The run command: set-up (idempotent), then Odoo on http://localhost:8069 with the demo database.
# Extra arguments go to odoo-bin (e.g. --dev=xml).
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$REPO/scripts/setup.sh"
log "Odoo on http://localhost:8069  (database $DEMO_DB, login admin / admin); Ctrl-C stops it"
exec "$PY" "$ODOO_SRC/odoo-bin" -c "$LOCAL_CONF" -d "$DEMO_DB" --db-filter "^${DEMO_DB}\$" "$@"
