# shellcheck shell=bash
# Common settings and helpers for scripts/setup.sh, run.sh, test.sh. Sourced, never run.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_SRC="${ODOO_SRC:-/opt/odoo-18.0}"
ODOO_GIT_URL="${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}"
VENV="${VENV:-$REPO/.venv}"
PY="$VENV/bin/python"
LOCAL="$REPO/.local"
LOCAL_CONF="$LOCAL/odoo.conf"
DB_ENV="$LOCAL/db.env"
DEMO_DB="${CRM_DEMO_DB:-crm_demo}"
OUR_MODULES="crm_loyalty,crm_segmentation,crm_feedback,crm_erp_bridge"
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"

log() { printf '[crm] %s\n' "$*" >&2; }
die() { printf '[crm] ERROR: %s\n' "$*" >&2; exit 1; }

as_postgres() {
    # Run a command as the postgres OS user (only used when we are root).
    if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"; else su postgres -c "$(printf '%q ' "$@")"; fi
}

load_db_env() {
    [ -f "$DB_ENV" ] || die "no database settings in $DB_ENV: run scripts/setup.sh first"
    # shellcheck disable=SC1090
    . "$DB_ENV"
    export PGHOST="$CRM_DB_HOST" PGPORT="$CRM_DB_PORT" PGUSER="$CRM_DB_USER" PGPASSWORD="$CRM_DB_PASSWORD" PGDATABASE=postgres
}

odoo_bin() {
    # Odoo with our generated configuration; extra arguments are passed through.
    "$PY" "$ODOO_SRC/odoo-bin" -c "$LOCAL_CONF" "$@"
}

db_exists() {
    load_db_env
    [ "$(psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" 2>/dev/null)" = "1" ]
}

drop_db() {
    load_db_env
    dropdb --if-exists "$1" >/dev/null 2>&1 || true
    rm -rf "$LOCAL/data/filestore/$1"
}
