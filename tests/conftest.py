"""Integration tests that drive the product from outside: odoo-bin, odoo shell, XML-RPC.

scripts/test.sh exports the settings below; a base database with the four addons and demo
data (the one the Odoo tests ran on) is reused through PostgreSQL templates when given.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(os.environ.get("CRM_REPO", Path(__file__).resolve().parent.parent))
PY = os.environ.get("CRM_PY", sys.executable)
# the interpreter that runs odoo-bin: scripts/test_clock.sh puts one there that runs Odoo under a moved clock
ODOO_PY = os.environ.get("CRM_ODOO_PY", PY)
ODOO_SRC = Path(os.environ.get("CRM_ODOO_SRC", "/opt/odoo-18.0"))
LOCAL = Path(os.environ.get("CRM_LOCAL", REPO / ".local"))
CONF = os.environ.get("CRM_LOCAL_CONF", str(LOCAL / "odoo.conf"))
PREFIX = os.environ.get("CRM_TEST_PREFIX", f"crm_test_pytest_{os.getpid()}")
OUR_MODULES = [
    "crm_loyalty",
    "crm_segmentation",
    "crm_feedback",
    "crm_erp_bridge",
    "crm_privacy",
    "crm_dashboard",
    "crm_retention",
    "crm_demo_story",
    "crm_segmentation_mass_mailing",
    "crm_privacy_lookup",
    "crm_value_policy",
]
# the three that stand on Community modules alone (the bridge depends on them, crm_privacy on the bridge)
STANDALONE_MODULES = ["crm_loyalty", "crm_segmentation", "crm_feedback"]
# every addon of ours (the base addon and the glue addons come with the five above)
OUR_ADDONS = sorted(path.parent.name for path in (REPO / "addons").glob("*/__manifest__.py"))
# the demo story posts two years of invoices: not in the databases of the tests (scripts/test.sh's runs
# with --test-enable load none either)
os.environ.setdefault("CRM_DEMO_STORY_CUSTOMERS", "0")
ERROR_LINE = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ", re.MULTILINE)


def _db_env():
    env = dict(os.environ)
    for line in (LOCAL / "db.env").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            env[key] = value
    env.update(
        PGHOST=env["CRM_DB_HOST"],
        PGPORT=env["CRM_DB_PORT"],
        PGUSER=env["CRM_DB_USER"],
        PGPASSWORD=env["CRM_DB_PASSWORD"],
        PGDATABASE="postgres",
    )
    return env


def psql(sql, db="postgres"):
    out = subprocess.run(
        ["psql", "-X", "-tA", "-d", db, "-c", sql], env=_db_env(), capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def odoo(*args, check=True, stdin=None, timeout=1500):
    """Run odoo-bin with the project configuration; fail on a non-zero exit or an ERROR log line."""
    cmd = (
        [ODOO_PY, str(ODOO_SRC / "odoo-bin"), *args[:1], "-c", CONF, *args[1:]]
        if args and args[0] == "shell"
        else [ODOO_PY, str(ODOO_SRC / "odoo-bin"), "-c", CONF, *args]
    )
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout, check=False)
    log = proc.stdout + proc.stderr
    if check:
        errors = [line for line in log.splitlines() if ERROR_LINE.match(line)]
        assert proc.returncode == 0 and not errors, (
            f"odoo-bin {' '.join(args)} exited {proc.returncode}:\n" + "\n".join(errors or log.splitlines()[-40:])
        )
    return proc, log


FILESTORE = LOCAL / "data" / "filestore"


def drop_db(name):
    subprocess.run(["dropdb", "--if-exists", name], env=_db_env(), capture_output=True, check=False)
    shutil.rmtree(FILESTORE / name, ignore_errors=True)


def copy_db(template, name):
    """A copy of the database and of its filestore (attachments such as compiled assets live there)."""
    drop_db(name)
    subprocess.run(["createdb", "-T", template, name], env=_db_env(), check=True, capture_output=True)
    if (FILESTORE / template).is_dir():
        shutil.copytree(FILESTORE / template, FILESTORE / name)
    return name


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def base_db():
    """A database with our four addons and demo data installed."""
    name = os.environ.get("CRM_TEST_BASE_DB")
    if name:
        return name
    name = f"{PREFIX}_base"
    drop_db(name)
    odoo("-d", name, "-i", ",".join(OUR_MODULES), "--stop-after-init")
    return name


@pytest.fixture
def scratch_db(base_db, request):
    """A throwaway copy of the base database, dropped after the test."""
    name = copy_db(base_db, f"{PREFIX}_{request.node.name[:30].lower()}")
    yield name
    drop_db(name)


@pytest.fixture
def server(scratch_db):
    """A real Odoo HTTP server on a free local port, serving the scratch database."""
    port = free_port()
    log_path = REPO / "artifacts" / "test" / f"server-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                ODOO_PY,
                str(ODOO_SRC / "odoo-bin"),
                "-c",
                CONF,
                "-d",
                scratch_db,
                "--db-filter",
                f"^{scratch_db}$",
                "--http-port",
                str(port),
                "--gevent-port",
                str(free_port()),
                "--max-cron-threads",
                "0",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if requests.get(f"{url}/web/login", timeout=5).status_code == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(1)
    else:
        proc.terminate()
        pytest.fail(f"Odoo did not start, see {log_path}")
    yield {"url": url, "db": scratch_db, "log": log_path}
    proc.terminate()
    proc.wait(timeout=60)
    errors = ERROR_LINE.findall(log_path.read_text())
    assert not errors, f"ERROR lines in the server log {log_path}"
