#!/usr/bin/env bash
# Odoo's own tests of the Community modules we extend (CORE_TAGS in scripts/lib.sh) on a vanilla database
# and on one with our four addons installed (both with demo data, as Odoo's own CI runs them); prints both
# summaries and the tests that pass on vanilla but fail with ours, and records the vanilla failures in
# docs/regression-vanilla-failures.txt (the list scripts/test.sh tolerates in CI). Nightly target:
#   scripts/regression.sh [TAGS]
# Logs in artifacts/regression/.
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TAGS="${1:-$CORE_TAGS}"
"$REPO/scripts/setup.sh" --no-demo-db
load_db_env
OUT="$REPO/artifacts/regression"
mkdir -p "$OUT"
STAMP="$(date +%s)_$$"
trap 'drop_db "crm_reg_${STAMP}_vanilla"; drop_db "crm_reg_${STAMP}_ours"' EXIT

run() {  # run <label> <modules>: install, then the tests with every module loaded
    local db="crm_reg_${STAMP}_$1" port=$(( 20000 + RANDOM % 20000 ))
    log "$1: installing $2 on $db, then running $TAGS"
    odoo_bin -d "$db" -i "$2" --stop-after-init --http-port "$port" --db-filter "^${db}\$" >"$OUT/$1-install.log" 2>&1 \
        || die "install failed, see $OUT/$1-install.log"
    core_suites -d "$db" --test-enable --test-tags "$TAGS" --stop-after-init \
        --http-port "$port" --db-filter "^${db}\$" >"$OUT/$1.log" 2>&1 || true
    grep -E 'tests when loading database' "$OUT/$1.log" | tail -n 1 || echo "$1: no summary (see $OUT/$1.log)"
}

run vanilla "$CORE_MODULES"
run ours "$CORE_MODULES,$OUR_MODULES"
failing_tests "$OUT/vanilla.log" >"$OUT/vanilla.failures"
failing_tests "$OUT/ours.log" >"$OUT/ours.failures"
if [ "$TAGS" = "$CORE_TAGS" ]; then
    { echo "# Odoo core tests failing on a vanilla database (scripts/regression.sh, $(date -u +%F))"
      cat "$OUT/vanilla.failures"; } >"$CORE_VANILLA_FAILURES"
fi
regressions="$(comm -13 "$OUT/vanilla.failures" "$OUT/ours.failures")"
if [ -n "$regressions" ]; then
    log "tests passing on vanilla and failing with our addons:"
    echo "$regressions"
    exit 1
fi
log "no regression: every core test that passes on vanilla passes with our addons"
