#!/usr/bin/env bash
# The whole test command with the clocks of Odoo AND PostgreSQL moved together (libfaketime), to prove the
# suite does not depend on the date or the time of day. Nightly target (each scenario is a full test run).
#   scripts/test_clock.sh [ahead|monthend|all] [scripts/test.sh arguments...]
#     ahead     one year (365 days) ahead of now
#     monthend  23:30 UTC on the last day of the current month (the run then crosses midnight into the
#               next month and, in December, the next year)
#     all       both, one after the other (default)
# Each scenario runs on a private PostgreSQL cluster started under libfaketime with the same offset as
# every odoo-bin of the run (the offset is relative, so the servers share one fake clock), with
# its own state folder (.local/clock/<scenario>: db.env, odoo.conf, filestore); the machine's cluster and
# .local/ are not touched. Logs: artifacts/clock/<scenario>.log.
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SCENARIOS="all"
case "${1:-}" in ahead | monthend | all) SCENARIOS="$1"; shift ;; esac
[ "$SCENARIOS" = all ] && SCENARIOS="ahead monthend"

"$REPO/scripts/setup.sh" --no-demo-db

FAKELIB="$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1 || true)"
if [ -z "$FAKELIB" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "installing faketime (libfaketime)"
        apt-get update -qq >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null 2>&1 || die "apt-get install faketime failed"
        FAKELIB="$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1 || true)"
    fi
    [ -n "$FAKELIB" ] || die "libfaketime is missing: apt-get install faketime"
fi

offset_for() {  # seconds from now to the scenario's moment
    "$PY" - "$1" <<'PYEOF'
import calendar, sys, time
from datetime import datetime, timezone
now = time.time()
if sys.argv[1] == "ahead":
    print(365 * 86400)
else:
    today = datetime.now(timezone.utc)
    last = calendar.monthrange(today.year, today.month)[1]
    target = datetime(today.year, today.month, last, 23, 30, tzinfo=timezone.utc)
    print(int(target.timestamp() - now))
PYEOF
}

OUT="$REPO/artifacts/clock"
mkdir -p "$OUT"
results=()
status=0
for scenario in $SCENARIOS; do
    offset="$(offset_for "$scenario")"
    sign="+"; [ "$offset" -lt 0 ] && sign=""
    export FAKETIME="${sign}${offset}s" FAKETIME_DONT_FAKE_MONOTONIC=1
    state="$REPO/.local/clock/$scenario"
    rm -rf "$state" && mkdir -p "$state/logs" "$state/pgsock"
    data="$state/pgdata"
    port=""
    for p in $(seq 5600 5699); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port="$p"; break; fi
    done
    [ -n "$port" ] || die "no free port for the clock cluster"
    password="$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"
    pg() {  # run a PostgreSQL server binary (as postgres when root) under the fake clock
        if [ "$(id -u)" = 0 ]; then
            as_postgres env LD_PRELOAD="$FAKELIB" FAKETIME="$FAKETIME" FAKETIME_DONT_FAKE_MONOTONIC=1 "$@"
        else
            env LD_PRELOAD="$FAKELIB" "$@"
        fi
    }
    [ "$(id -u)" = 0 ] && mkdir -p "$data" && chown -R postgres "$state/pgsock" "$state/logs" "$data"
    pg "$PG_BIN/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 \
        >"$state/logs/initdb.log" 2>&1 || die "initdb failed, see $state/logs/initdb.log"
    pg "$PG_BIN/pg_ctl" -D "$data" -l "$state/logs/postgresql.log" -w \
        -o "-p $port -k $state/pgsock -c listen_addresses=127.0.0.1" start >/dev/null \
        || die "could not start the clock cluster, see $state/logs/postgresql.log"
    pg "$PG_BIN/psql" -X -h "$state/pgsock" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE odoo_crm LOGIN CREATEDB PASSWORD '$password'" >/dev/null || die "could not create the role"
    db_now="$(PGPASSWORD="$password" psql -X -h 127.0.0.1 -p "$port" -U odoo_crm -d postgres -tAc \
        "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')")"
    py_now="$(LD_PRELOAD="$FAKELIB" "$PY" -c 'import datetime; print(datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M"))')"
    log "$scenario: PostgreSQL says $db_now UTC, Python says $py_now UTC (FAKETIME=$FAKETIME)"
    # Only the servers run on the moved clock: PostgreSQL (above) and every odoo-bin, through an interpreter
    # that preloads libfaketime (CRM_ODOO_PY, used by scripts/lib.sh and tests/conftest.py). The test
    # drivers (bash, pytest: outside clients) and the tours' browser keep the real clock (under libfaketime
    # Chromium's processes outlive the tests).
    # Python's time.sleep (clock_nanosleep on an absolute monotonic deadline) fails with EINVAL under
    # libfaketime; a sitecustomize on the faked interpreter's path sleeps through select() instead.
    mkdir -p "$state/bin" "$state/pyfix"
    printf 'import select\nimport time\n\n\ndef _sleep(seconds):\n    if seconds > 0:\n        select.select([], [], [], seconds)\n\n\ntime.sleep = _sleep\n' \
        >"$state/pyfix/sitecustomize.py"
    printf '#!/bin/sh\nexec env PYTHONPATH=%s LD_PRELOAD=%s FAKETIME=%s FAKETIME_DONT_FAKE_MONOTONIC=1 %s "$@"\n' \
        "$state/pyfix" "$FAKELIB" "$FAKETIME" "$PY" >"$state/bin/python"
    printf '#!/bin/sh\nexec env -u LD_PRELOAD -u FAKETIME %s "$@"\n' "$(command -v chromium)" >"$state/bin/chromium"
    chmod +x "$state/bin/python" "$state/bin/chromium"
    set +e
    PATH="$state/bin:$PATH" CRM_ODOO_PY="$state/bin/python" CRM_LOCAL="$state" CRM_DB_HOST=127.0.0.1 \
        CRM_DB_PORT="$port" CRM_DB_USER=odoo_crm CRM_DB_PASSWORD="$password" \
        env -u FAKETIME "$REPO/scripts/test.sh" "$@" 2>&1 | tee "$OUT/$scenario.log"
    rc=${PIPESTATUS[0]}
    set -e
    # whatever the run left behind (a browser, a server): every process that carries this scenario's state
    for env_file in /proc/[0-9]*/environ; do
        if grep -qz "^CRM_LOCAL=$state\$" "$env_file" 2>/dev/null; then
            pid="${env_file#/proc/}"; kill -9 "${pid%/environ}" 2>/dev/null || true
        fi
    done
    pg "$PG_BIN/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$data"
    results+=("$scenario ($db_now UTC): $(tail -n 1 "$OUT/$scenario.log")")
    [ "$rc" -eq 0 ] || status=1
done
unset FAKETIME
printf '%s\n' "${results[@]}"
exit "$status"
