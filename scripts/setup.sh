#!/usr/bin/env bash
# One-command, idempotent set-up: Odoo 18.0 source, virtualenv, PostgreSQL, local config, demo database.
#   scripts/setup.sh              everything, demo database included
#   scripts/setup.sh --no-demo-db everything but the demo database (used by scripts/test.sh)
#   scripts/setup.sh --reset-demo drop and rebuild the demo database
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WITH_DEMO_DB=1
RESET_DEMO=0
for arg in "$@"; do
    case "$arg" in
        --no-demo-db) WITH_DEMO_DB=0 ;;
        --reset-demo) RESET_DEMO=1 ;;
        *) die "unknown option $arg (use --no-demo-db or --reset-demo)" ;;
    esac
done
mkdir -p "$LOCAL/logs" "$LOCAL/data"

# ---------------------------------------------------------------- 1. Odoo 18.0 source tree
ensure_odoo_src() {
    if [ ! -f "$ODOO_SRC/odoo/release.py" ]; then
        log "no Odoo tree at $ODOO_SRC: shallow clone of the public 18.0 branch"
        if ! git clone --quiet --depth 1 --branch 18.0 "$ODOO_GIT_URL" "$ODOO_SRC" 2>"$LOCAL/logs/odoo-clone.log"; then
            rm -rf "$ODOO_SRC" 2>/dev/null || true
            die "could not clone Odoo 18.0 (see $LOCAL/logs/odoo-clone.log).
       Put an Odoo 18.0 Community source tree (the folders odoo/ and addons/, odoo-bin,
       requirements.txt) at $ODOO_SRC, or point ODOO_SRC at one, then run this again."
        fi
    fi
    grep -qE '^version_info = \(18, 0,' "$ODOO_SRC/odoo/release.py" \
        || die "$ODOO_SRC is not Odoo 18.0 (odoo/release.py says: $(grep '^version_info' "$ODOO_SRC/odoo/release.py"))"
    [ -f "$ODOO_SRC/odoo-bin" ] && [ -d "$ODOO_SRC/addons/sale_stock" ] \
        || die "$ODOO_SRC lacks odoo-bin or the Community addons/: put a complete Odoo 18.0 tree there"
    log "Odoo 18.0 source: $ODOO_SRC"
}

# ---------------------------------------------------------------- 2. system packages
ensure_system_packages() {
    local missing=()
    command -v pg_config >/dev/null 2>&1 || missing+=(libpq-dev)
    command -v gcc >/dev/null 2>&1 || missing+=(gcc)
    [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || missing+=(postgresql)
    command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    # a CJK font, or the Chinese web client renders as empty boxes in tour screenshots
    { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; } \
        || missing+=(fonts-wqy-microhei)
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "installing system packages: ${missing[*]}"
        apt-get update -qq >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >"$LOCAL/logs/apt.log" 2>&1 \
            || die "apt-get install ${missing[*]} failed, see $LOCAL/logs/apt.log"
        PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    else
        die "missing system packages: ${missing[*]} (install them, e.g. apt-get install ${missing[*]})"
    fi
}

# ---------------------------------------------------------------- 3. virtualenv
ensure_venv() {
    local pyexe req_odoo="$LOCAL/odoo-requirements.txt" stamp="$VENV/.crm-requirements.sha"
    pyexe="${PYTHON:-$(command -v python3.11 || command -v python3)}"
    "$pyexe" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] < (3, 13) else 1)' \
        || die "Odoo 18.0 needs Python 3.10 to 3.12; $pyexe is $("$pyexe" --version). Set PYTHON=/path/to/python3.11"
    [ -x "$PY" ] || { log "creating virtualenv $VENV"; "$pyexe" -m venv "$VENV"; }
    # Odoo's pins, less python-ldap (only auth_ldap uses it, and it needs libldap headers);
    # cbor2 5.4.2's sdist cannot build with current setuptools (version 0.0.0): 5.4.6 is API-identical.
    grep -vE '^python-ldap' "$ODOO_SRC/requirements.txt" | sed -E 's/^cbor2==5\.4\.2 ;/cbor2==5.4.6 ;/' >"$req_odoo"
    local want
    # the setuptools of the running venv (see below) is part of what is installed: a change re-runs the install
    local runtime_setuptools="setuptools>=70,<80"
    want="$( (cat "$req_odoo" "$REPO/requirements.txt"; echo "$runtime_setuptools") | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        log "installing Python requirements into $VENV (a few minutes the first time)"
        "$PY" -m pip install -q --upgrade pip "setuptools<70" wheel >"$LOCAL/logs/pip.log" 2>&1 \
            || die "pip bootstrap failed, see $LOCAL/logs/pip.log"
        # --no-build-isolation: old sdists among Odoo's pins need setuptools' pkg_resources (< 70)
        "$PY" -m pip install -q --no-build-isolation -r "$req_odoo" -r "$REPO/requirements.txt" >>"$LOCAL/logs/pip.log" 2>&1 \
            || die "pip install failed, see $LOCAL/logs/pip.log"
        # then a setuptools whose pkg_resources finds distributions installed under normalized names
        # (zope_interface-8.7.dist-info): gevent (the bus's process of a server with --workers) loads its plugins
        # through it and died at start with setuptools < 70; recent setuptools (84) have no pkg_resources, which gevent
        # 22.10 needs (tests/test_evented.py)
        "$PY" -m pip install -q "$runtime_setuptools" >>"$LOCAL/logs/pip.log" 2>&1 \
            || die "setuptools upgrade failed, see $LOCAL/logs/pip.log"
        echo "$want" >"$stamp"
    fi
    log "virtualenv ready: $VENV"
}

# ---------------------------------------------------------------- 4. PostgreSQL
pg_admin_psql() {
    # psql as a database superuser of the chosen server ($ADMIN_MODE set by ensure_postgres)
    # (connection variables a caller may have exported, e.g. for the odoo_crm role, must not leak in)
    local clean=(env -u PGHOST -u PGPORT -u PGUSER -u PGPASSWORD -u PGDATABASE)
    case "$ADMIN_MODE" in
        debian) as_postgres "${clean[@]}" psql -X -q -p "$PGPORT_SRV" -d postgres "$@" ;;
        private-root) as_postgres "${clean[@]}" psql -X -q -h "$LOCAL/pgsock" -p "$PGPORT_SRV" -d postgres "$@" ;;
        private-user) "${clean[@]}" psql -X -q -h "$LOCAL/pgsock" -p "$PGPORT_SRV" -U "$(id -un)" -d postgres "$@" ;;
    esac
}

free_port() {
    local p
    for p in $(seq 5433 5499); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
    done
    die "no free TCP port between 5433 and 5499 for a private PostgreSQL"
}

start_private_cluster() {
    local data="$LOCAL/pgdata" port
    mkdir -p "$LOCAL/pgsock"
    if [ -f "$LOCAL/pgport" ]; then port="$(cat "$LOCAL/pgport")"; else port="$(free_port)"; echo "$port" >"$LOCAL/pgport"; fi
    if [ "$(id -u)" = 0 ]; then
        ADMIN_MODE=private-root
        chown postgres "$LOCAL/pgsock"
        if [ ! -f "$data/PG_VERSION" ]; then
            mkdir -p "$data" && chown postgres "$data"
            as_postgres "$PG_BIN/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >"$LOCAL/logs/initdb.log" 2>&1 \
                || die "initdb failed, see $LOCAL/logs/initdb.log"
        fi
        as_postgres "$PG_BIN/pg_ctl" -D "$data" -l "$LOCAL/logs/postgresql.log" -w \
            -o "-p $port -k $LOCAL/pgsock -c listen_addresses=127.0.0.1" start >/dev/null \
            || die "could not start the private PostgreSQL, see $LOCAL/logs/postgresql.log"
    else
        ADMIN_MODE=private-user
        if [ ! -f "$data/PG_VERSION" ]; then
            "$PG_BIN/initdb" -D "$data" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >"$LOCAL/logs/initdb.log" 2>&1 \
                || die "initdb failed, see $LOCAL/logs/initdb.log"
        fi
        "$PG_BIN/pg_ctl" -D "$data" -l "$LOCAL/logs/postgresql.log" -w \
            -o "-p $port -k $LOCAL/pgsock -c listen_addresses=127.0.0.1" start >/dev/null \
            || die "could not start the private PostgreSQL, see $LOCAL/logs/postgresql.log"
    fi
    PGPORT_SRV="$port"
    log "private PostgreSQL cluster $data on 127.0.0.1:$port"
}

ensure_postgres() {
    # Settings given from outside win: CRM_DB_HOST, CRM_DB_PORT, CRM_DB_USER, CRM_DB_PASSWORD.
    if [ -n "${CRM_DB_HOST:-}" ] && [ -n "${CRM_DB_USER:-}" ]; then
        write_db_env "$CRM_DB_HOST" "${CRM_DB_PORT:-5432}" "$CRM_DB_USER" "${CRM_DB_PASSWORD:-}"
        load_db_env
        psql -X -tAc 'SELECT 1' >/dev/null || die "cannot connect with the given CRM_DB_* settings"
        return 0
    fi
    # Already set up and answering: nothing to do.
    if [ -f "$DB_ENV" ]; then
        ( load_db_env; psql -X -tAc 'SELECT 1' >/dev/null 2>&1 ) && { log "PostgreSQL reachable ($DB_ENV)"; return 0; }
        # a private cluster of ours that is merely stopped
        if [ -f "$LOCAL/pgdata/PG_VERSION" ]; then start_private_cluster; fi
        ( load_db_env; psql -X -tAc 'SELECT 1' >/dev/null 2>&1 ) && return 0
    fi
    ADMIN_MODE=""
    if [ -f "$LOCAL/pgdata/PG_VERSION" ]; then
        start_private_cluster
    elif [ "$(id -u)" = 0 ] && command -v pg_lsclusters >/dev/null 2>&1 && [ -n "$(pg_lsclusters -h 2>/dev/null)" ]; then
        # The machine's Debian cluster: use it if running, start it if stopped.
        local ver name port status
        read -r ver name port status _ < <(pg_lsclusters -h | sort -k1,1V | tail -n 1)
        if [ "$status" != online ]; then
            log "starting the machine's PostgreSQL cluster $ver/$name"
            pg_ctlcluster "$ver" "$name" start || die "pg_ctlcluster $ver $name start failed (see /var/log/postgresql/)"
        fi
        ADMIN_MODE=debian
        PGPORT_SRV="$port"
    else
        start_private_cluster
    fi
    # A login role for Odoo (Odoo refuses to run as 'postgres').
    # One password per OS user, shared by every checkout on this machine (so that a second clone,
    # CI's for one, does not lock the first out): kept outside the repository, mode 600.
    local user=odoo_crm password pwfile="${XDG_CONFIG_HOME:-$HOME/.config}/crm-erp-suite/pg-password"
    mkdir -p "$(dirname "$pwfile")"
    if [ ! -s "$pwfile" ]; then
        (umask 077; head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20 >"$pwfile")
    fi
    password="$(cat "$pwfile")"
    pg_admin_psql -v ON_ERROR_STOP=1 <<SQL >/dev/null || die "could not create the database role $user"
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$user') THEN
    CREATE ROLE $user LOGIN CREATEDB;
  END IF;
END \$\$;
ALTER ROLE $user WITH LOGIN CREATEDB PASSWORD '$password';
SQL
    write_db_env 127.0.0.1 "$PGPORT_SRV" "$user" "$password"
    ( load_db_env; psql -X -tAc 'SELECT 1' >/dev/null ) || die "role $user cannot log in on 127.0.0.1:$PGPORT_SRV (check pg_hba.conf allows password logins from 127.0.0.1)"
    log "PostgreSQL ready on 127.0.0.1:$PGPORT_SRV, role $user"
}

write_db_env() {
    umask 077
    cat >"$DB_ENV" <<EOF
# Written by scripts/setup.sh: this machine's database connection (git-ignored).
CRM_DB_HOST=$1
CRM_DB_PORT=$2
CRM_DB_USER=$3
CRM_DB_PASSWORD=$4
EOF
    umask 022
}

# ---------------------------------------------------------------- 5. local configuration
write_local_conf() {
    load_db_env
    "$PY" - "$REPO/odoo.conf" "$LOCAL_CONF" <<PYEOF
import configparser, sys
src, dst = sys.argv[1], sys.argv[2]
cfg = configparser.ConfigParser(interpolation=None)
cfg.read(src)
opts = cfg["options"]
opts["addons_path"] = ",".join(["$REPO/addons", "$ODOO_SRC/addons", "$ODOO_SRC/odoo/addons"])
opts["data_dir"] = "$LOCAL/data"
opts["db_host"] = "$CRM_DB_HOST"
opts["db_port"] = "$CRM_DB_PORT"
opts["db_user"] = "$CRM_DB_USER"
opts["db_password"] = "$CRM_DB_PASSWORD"
with open(dst, "w") as fh:
    fh.write("; Generated by scripts/setup.sh from odoo.conf: do not edit, edit odoo.conf.\n")
    cfg.write(fh)
PYEOF
    chmod 600 "$LOCAL_CONF"
    log "configuration: $LOCAL_CONF"
}

# ---------------------------------------------------------------- 6. demo database
addons_hash() { (cd "$REPO" && find addons -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1); }

ensure_demo_db() {
    local stamp="$LOCAL/demo-db.sha" want
    want="$(addons_hash)"
    [ "$RESET_DEMO" = 1 ] && { log "dropping $DEMO_DB"; drop_db "$DEMO_DB"; rm -f "$stamp"; }
    # every addon of OUR_MODULES installed: updated in place; an addon missing (a new one): built again
    local names="'${OUR_MODULES//,/\',\'}'" count
    count="$(awk -F, '{print NF}' <<<"$OUR_MODULES")"
    if db_exists "$DEMO_DB" && [ "$(psql -d "$DEMO_DB" -tAc "SELECT count(*) FROM ir_module_module WHERE state = 'installed' AND name IN ($names)" 2>/dev/null)" = "$count" ]; then
        if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
            log "demo database $DEMO_DB is up to date"
            return 0
        fi
        log "updating our addons in $DEMO_DB"
        odoo_bin -d "$DEMO_DB" -u "$OUR_MODULES" --stop-after-init --logfile "$LOCAL/logs/demo-db.log" \
            || die "update of $DEMO_DB failed, see $LOCAL/logs/demo-db.log"
    else
        drop_db "$DEMO_DB"
        log "creating demo database $DEMO_DB with our addons and demo data (ten minutes: the demo story posts two years of invoices)"
        # English first (the database's default: users and customers keep en_US), then Chinese added as a
        # second language, one click away in the preferences: a language loaded at creation would become
        # every user's and customer's language.
        odoo_bin -d "$DEMO_DB" -i "$OUR_MODULES" --stop-after-init --logfile "$LOCAL/logs/demo-db.log" \
            || die "creation of $DEMO_DB failed, see $LOCAL/logs/demo-db.log"
        odoo_bin -d "$DEMO_DB" --load-language=zh_CN --stop-after-init --logfile "$LOCAL/logs/demo-db.log" \
            || die "loading Chinese into $DEMO_DB failed, see $LOCAL/logs/demo-db.log"
    fi
    if grep -qE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$LOCAL/logs/demo-db.log"; then
        grep -E ' (ERROR|CRITICAL) ' "$LOCAL/logs/demo-db.log" | head -20 >&2
        die "errors while building $DEMO_DB, see $LOCAL/logs/demo-db.log"
    fi
    echo "$want" >"$stamp"
    log "demo database $DEMO_DB ready (login admin / admin)"
}

ensure_odoo_src
ensure_system_packages
ensure_venv
ensure_postgres
write_local_conf
if [ "$WITH_DEMO_DB" = 1 ]; then ensure_demo_db; fi
log "setup done"
