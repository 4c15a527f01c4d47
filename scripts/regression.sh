#!/usr/bin/env bash
# Odoo's own tests of the Community modules we extend, on a vanilla database and on one with our four
# addons installed; prints both summaries and the tests that pass on vanilla but fail with ours.
# Too long for CI (it is a nightly target):
#   scripts/regression.sh [TAGS]
# Default TAGS: sale_loyalty, sale_stock, stock_account, and the invoice posting and reversal tests of
# account. Logs in artifacts/regression/.
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TAGS="${1:-/sale_loyalty,/sale_stock,/stock_account,/account:TestAccountMoveOutInvoiceOnchanges,/account:TestAccountMoveOutRefundOnchanges,/account:TestAccountMove}"
BASE_MODULES="sale_loyalty,sale_stock,stock_account,account"
"$REPO/scripts/setup.sh" --no-demo-db
load_db_env
OUT="$REPO/artifacts/regression"
mkdir -p "$OUT"
STAMP="$(date +%s)_$$"
trap 'drop_db "crm_reg_${STAMP}_vanilla"; drop_db "crm_reg_${STAMP}_ours"' EXIT

run() {  # run <label> <modules>
    local db="crm_reg_${STAMP}_$1"
    log "$1: installing $2 and running $TAGS on $db"
    odoo_bin -d "$db" -i "$2" --test-enable --test-tags "$TAGS" --stop-after-init \
        --http-port "$(( 20000 + RANDOM % 20000 ))" --db-filter "^${db}\$" >"$OUT/$1.log" 2>&1 || true
    grep -E 'tests when loading database' "$OUT/$1.log" | tail -n 1 || echo "$1: no summary (see $OUT/$1.log)"
}

failures() {  # failing test ids of a log (none: empty output, not an error)
    { grep -oE '(FAIL|ERROR): [A-Za-z0-9_]+\.test[A-Za-z0-9_]*' "$1" || true; } | sed -E 's/^(FAIL|ERROR): //' | sort -u
}

run vanilla "$BASE_MODULES"
run ours "$BASE_MODULES,$OUR_MODULES"
failures "$OUT/vanilla.log" >"$OUT/vanilla.failures"
failures "$OUT/ours.log" >"$OUT/ours.failures"
regressions="$(comm -13 "$OUT/vanilla.failures" "$OUT/ours.failures")"
if [ -n "$regressions" ]; then
    log "tests passing on vanilla and failing with our addons:"
    echo "$regressions"
    exit 1
fi
log "no regression: every core test that passes on vanilla passes with our addons"
