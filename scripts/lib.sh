# shellcheck shell=bash
# Common settings and helpers for scripts/setup.sh, run.sh, test.sh. Sourced, never run.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_SRC="${ODOO_SRC:-/opt/odoo-18.0}"
ODOO_GIT_URL="${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}"
VENV="${VENV:-$REPO/.venv}"
PY="$VENV/bin/python"
# CRM_LOCAL: another folder for the machine-specific state (scripts/test_clock.sh runs on its own cluster)
LOCAL="${CRM_LOCAL:-$REPO/.local}"
LOCAL_CONF="$LOCAL/odoo.conf"
DB_ENV="$LOCAL/db.env"
DEMO_DB="${CRM_DEMO_DB:-crm_demo}"
OUR_MODULES="crm_loyalty,crm_segmentation,crm_feedback,crm_erp_bridge,crm_privacy,crm_dashboard,crm_retention,crm_demo_story,crm_segmentation_mass_mailing,crm_privacy_lookup,crm_value_policy"
# every addon of ours (each folder of addons/): the five above install the base addon (crm_customer_facts) as
# their dependency and the glue addons of the optional libraries (crm_feedback_sentiment, crm_segmentation_clv)
# when those libraries are present
OUR_ADDONS="$(for manifest in "$REPO"/addons/*/__manifest__.py; do basename "$(dirname "$manifest")"; done | paste -sd,)"
# Odoo's own suites of the Community modules whose models our addons _inherit or whose flows they hook
# (sale.order/line, account.move/line/payment/reversal, stock.picking/return/lot, stock.valuation.layer,
# product, res.partner's credit limit, portal and rating mixins of tickets), plus loyalty / sale_loyalty,
# which merchants install next to ours. Run with our addons by scripts/test.sh (CI) and, on a vanilla
# database too, by scripts/regression.sh (nightly; it refreshes CORE_VANILLA_FAILURES).
CORE_MODULES="sale_loyalty,sale_stock,stock_account,sale_management,portal,rating"
CORE_TAGS="/sale,/sale_management,/sale_stock,/stock_account,/sale_loyalty,/loyalty,/portal,/rating,/product"
CORE_TAGS="$CORE_TAGS,/account:TestAccountMove,/account:TestAccountMoveOutInvoiceOnchanges"
CORE_TAGS="$CORE_TAGS,/account:TestAccountMoveOutRefundOnchanges,/account:TestAccountPayment"
CORE_TAGS="${CRM_CORE_TAGS:-$CORE_TAGS}"  # CRM_CORE_TAGS: a narrower selection while working on one flow
# core tests that fail on a vanilla database too (recorded by scripts/regression.sh; not ours to fix)
CORE_VANILLA_FAILURES="$REPO/docs/regression-vanilla-failures.txt"
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
    "${CRM_ODOO_PY:-$PY}" "$ODOO_SRC/odoo-bin" -c "$LOCAL_CONF" "$@"
}

core_suites() {
    # odoo_bin that runs the selected core tests after loading the whole registry (scripts/core_suites.py)
    "${CRM_ODOO_PY:-$PY}" "$REPO/scripts/core_suites.py" "$ODOO_SRC" -c "$LOCAL_CONF" "$@"
}

db_exists() {
    load_db_env
    [ "$(psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" 2>/dev/null)" = "1" ]
}

odoo_test_counts() {  # "failed errors total" of an Odoo test log's last summary line; none: empty output
    { grep -E '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests when loading database' "$1" || true; } | tail -n 1 \
        | sed -E 's/.* ([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests.*/\1 \2 \3/'
}

failing_tests() {  # failing test ids of an Odoo log (Class.test_method, Class.setUpClass), sorted; none: empty
    { grep -oE '(FAIL|ERROR): (Subtest )?[A-Za-z0-9_]+\.test[A-Za-z0-9_]*|ERROR: setUpClass \([A-Za-z0-9_.]+\)' "$1" || true; } \
        | sed -E 's/^(FAIL|ERROR): (Subtest )?//; s/^setUpClass \(.*\.([A-Za-z0-9_]+)\)$/\1.setUpClass/' | sort -u
}

drop_db() {
    load_db_env
    dropdb --if-exists "$1" >/dev/null 2>&1 || true
    rm -rf "$LOCAL/data/filestore/$1"
}
