#!/usr/bin/env bash
# Regenerate each addon's i18n/<addon>.pot from the code on a scratch database, merge the terms into
# i18n/zh_CN.po (existing translations kept) and report untranslated entries (exit 1 if any).
#   scripts/i18n.sh            export + merge + count
#   scripts/i18n.sh --check    count only
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ "${1:-}" = "--check" ]; then
    exec "$PY" "$REPO/scripts/i18n_po.py" check
fi

"$REPO/scripts/setup.sh" --no-demo-db
load_db_env
DB="crm_i18n_$$"
trap 'drop_db "$DB"' EXIT
# privacy_lookup brings the glue crm_privacy_lookup; the demo story's invoices are not needed for its terms
log "installing $OUR_MODULES on $DB to export the terms"
CRM_DEMO_STORY_CUSTOMERS=0 odoo_bin -d "$DB" -i "$OUR_MODULES,privacy_lookup" --stop-after-init --no-http \
    --log-level=warn
for module in ${OUR_ADDONS//,/ }; do
    mkdir -p "$REPO/addons/$module/i18n"
    odoo_bin -d "$DB" --i18n-export="$REPO/addons/$module/i18n/$module.pot" --modules="$module" \
        --stop-after-init --no-http --log-level=warn
done
"$PY" "$REPO/scripts/i18n_po.py" merge
