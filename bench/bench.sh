#!/usr/bin/env bash
# Benchmarks at merchant scale: builds (once) a benchmark database with generated data, runs the
# measurements and prints a results table (also written to bench/results/<scale>.md).
#   bench/bench.sh [--scale 0.02] [--repeat 3] [--rebuild]
# Scale 1.0 = 100,000 customers and 2,000,000 invoice lines (see bench/generate.py).
# Measurement 9 (parallel workers against a real server) is bench/concurrency.sh.
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

SCALE=0.02
REPEAT=3
REBUILD=0
while [ $# -gt 0 ]; do
    case "$1" in
        --scale) SCALE="$2"; shift 2 ;;
        --repeat) REPEAT="$2"; shift 2 ;;
        --rebuild) REBUILD=1; shift ;;
        *) die "unknown argument $1" ;;
    esac
done

"$REPO/scripts/setup.sh" --no-demo-db
load_db_env
DB="crm_bench_${SCALE//./_}"
OUT="$REPO/bench/results"
mkdir -p "$OUT" "$REPO/artifacts/bench"
LOGF="$REPO/artifacts/bench/$DB.log"

if [ "$REBUILD" = 1 ]; then drop_db "$DB"; drop_db "${DB}_vanilla"; fi
if ! db_exists "$DB"; then
    log "building $DB (scale $SCALE): install, then generate"
    odoo_bin -d "$DB" -i "$OUR_MODULES" --without-demo=all --stop-after-init --no-http --log-level=warn >"$LOGF" 2>&1 \
        || { drop_db "$DB"; die "install failed, see $LOGF"; }
    CRM_BENCH_SCALE="$SCALE" "$PY" "$ODOO_SRC/odoo-bin" shell -c "$LOCAL_CONF" -d "$DB" --no-http --log-level=warn \
        < "$REPO/bench/generate.py" 2>>"$LOGF" | tee -a "$LOGF" | grep '^GENERATED' \
        || { drop_db "$DB"; die "generation failed, see $LOGF"; }
else
    # the measures run the current code: bring the existing benchmark database's schema up to date
    log "updating our addons on $DB"
    odoo_bin -d "$DB" -u "$OUR_MODULES" --stop-after-init --no-http --log-level=warn >>"$LOGF" 2>&1 \
        || die "update of $DB failed, see $LOGF"
fi

log "measuring on $DB ($REPEAT runs each)"
# the measurement scripts share bench/procmem.py
export PYTHONPATH="$REPO/bench${PYTHONPATH:+:$PYTHONPATH}"
CRM_BENCH_REPEAT="$REPEAT" "$PY" "$ODOO_SRC/odoo-bin" shell -c "$LOCAL_CONF" -d "$DB" --no-http --log-level=warn \
    < "$REPO/bench/measure.py" 2>>"$LOGF" | grep '^RESULT ' | sed 's/^RESULT //' > "$REPO/artifacts/bench/$DB.jsonl" \
    || die "measurement failed, see $LOGF"
# 4. invoice posting with and without our addons: the same database, copied, our addons uninstalled
VDB="${DB}_vanilla"
if ! db_exists "$VDB"; then
    log "building $VDB: a copy of $DB without our addons"
    createdb -T "$DB" "$VDB" || die "cannot copy $DB"
    echo 'env["ir.module.module"].search([("name", "in", ["crm_erp_bridge"])]).button_immediate_uninstall()
env["ir.module.module"].search([("name", "in", ["crm_loyalty", "crm_segmentation", "crm_feedback"])]).button_immediate_uninstall()
env.cr.commit()' | "$PY" "$ODOO_SRC/odoo-bin" shell -c "$LOCAL_CONF" -d "$VDB" --no-http --log-level=warn >>"$LOGF" 2>&1 \
        || { drop_db "$VDB"; die "uninstall on $VDB failed, see $LOGF"; }
fi
posting() {  # posting <db> <label> [bound seconds]
    CRM_BENCH_REPEAT="$REPEAT" CRM_BENCH_LABEL="$2" CRM_BENCH_BOUND_S="${3:-}" "$PY" "$ODOO_SRC/odoo-bin" shell \
        -c "$LOCAL_CONF" -d "$1" --no-http --log-level=warn < "$REPO/bench/measure_posting.py" 2>>"$LOGF" \
        | grep '^RESULT ' | sed 's/^RESULT //'
}
log "measuring invoice posting on $VDB and $DB"
vanilla="$(posting "$VDB" "without our addons")" || die "posting measurement failed, see $LOGF"
bound="$(echo "$vanilla" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["median_s"])')"
{ echo "$vanilla"; posting "$DB" "with our addons" "$bound"; } >> "$REPO/artifacts/bench/$DB.jsonl" \
    || die "posting measurement failed, see $LOGF"
# 9. parallel clients against a server with --workers, on a throw-away copy (the run commits its operations)
CDB="${DB}_concurrency"
drop_db "$CDB"
createdb -T "$DB" "$CDB" || die "cannot copy $DB"
log "measuring 8 clients x 60 s against --workers 8 on $CDB"
conc="$("$REPO/bench/concurrency.sh" "$CDB" --clients 8 --seconds 60 --workers 8 2>>"$LOGF" | grep '^RESULT ' \
    | sed 's/^RESULT //')" || log "concurrency run reported errors or an unbalanced ledger (see the table)"
[ -n "$conc" ] && echo "$conc" >> "$REPO/artifacts/bench/$DB.jsonl"
drop_db "$CDB"
"$PY" "$REPO/bench/report.py" "$REPO/artifacts/bench/$DB.jsonl" "$SCALE" | tee "$OUT/scale-$SCALE.md"
