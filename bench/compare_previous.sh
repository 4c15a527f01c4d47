#!/usr/bin/env bash
# Attribute a change of a bench figure to the code or to the machine: runs the statements of a previous
# commit and today's side by side on the benchmark database (see bench/compare_previous.py).
#   bench/compare_previous.sh [--scale 1] [--base ee573a7] [--repeat 4]
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

SCALE=1
BASE=ee573a7
REPEAT=4
while [ $# -gt 0 ]; do
    case "$1" in
        --scale) SCALE="$2"; shift 2 ;;
        --base) BASE="$2"; shift 2 ;;
        --repeat) REPEAT="$2"; shift 2 ;;
        *) die "unknown argument $1" ;;
    esac
done
load_db_env
DB="crm_bench_${SCALE//./_}"
db_exists "$DB" || die "no benchmark database $DB: run bench/bench.sh --scale $SCALE first"
CRM_REPO="$REPO" CRM_BENCH_BASE="$BASE" CRM_BENCH_REPEAT="$REPEAT" "$PY" "$ODOO_SRC/odoo-bin" shell -c "$LOCAL_CONF" \
    -d "$DB" --no-http --log-level=warn < "$REPO/bench/compare_previous.py" 2>>"$REPO/artifacts/bench/$DB.compare.log" \
    | grep '^COMPARE ' | sed 's/^COMPARE //'
