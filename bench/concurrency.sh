#!/usr/bin/env bash
# Measurement 9: CLIENTS parallel clients posting invoices and redeeming points for overlapping members for
# SECONDS against a real Odoo server started with --workers WORKERS on the benchmark database.
#   bench/concurrency.sh <database> [--clients 8] [--seconds 60] [--workers 8]
# Prints the RESULT line of bench/concurrency.py; the server's log goes to artifacts/bench/<db>.server.log.
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

DB="${1:?usage: bench/concurrency.sh <database> [--clients N] [--seconds S] [--workers W]}"
shift
CLIENTS=8
SECONDS_RUN=60
WORKERS=8
while [ $# -gt 0 ]; do
    case "$1" in
        --clients) CLIENTS="$2"; shift 2 ;;
        --seconds) SECONDS_RUN="$2"; shift 2 ;;
        --workers) WORKERS="$2"; shift 2 ;;
        *) die "unknown argument $1" ;;
    esac
done
load_db_env
db_exists "$DB" || die "no database $DB (run bench/bench.sh first)"
PORT="${CRM_BENCH_PORT:-28090}"
mkdir -p "$REPO/artifacts/bench"
SERVER_LOG="$REPO/artifacts/bench/$DB.server.log"
"$PY" "$ODOO_SRC/odoo-bin" -c "$LOCAL_CONF" -d "$DB" --db-filter "^$DB\$" --http-port "$PORT" --gevent-port $((PORT + 1)) --workers "$WORKERS" \
    --max-cron-threads 0 --limit-time-real 600 --limit-time-cpu 300 --log-level=warn >"$SERVER_LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null' EXIT
for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$PORT/web/health" >/dev/null 2>&1 && break
    kill -0 "$SERVER" 2>/dev/null || die "the server stopped, see $SERVER_LOG"
    sleep 1
done
curl -fs "http://127.0.0.1:$PORT/web/health" >/dev/null || die "the server did not answer on port $PORT"
log "server up with $WORKERS workers on $DB: $CLIENTS clients for $SECONDS_RUN s"
"$PY" "$REPO/bench/concurrency.py" --url "http://127.0.0.1:$PORT" --db "$DB" --clients "$CLIENTS" \
    --seconds "$SECONDS_RUN"
