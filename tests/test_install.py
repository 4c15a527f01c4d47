"""Install, upgrade, uninstall and reinstall of the four addons, driven through odoo-bin."""

import subprocess

from conftest import CONF, ERROR_LINE, ODOO_PY, ODOO_SRC, OUR_MODULES, PREFIX, STANDALONE_MODULES, drop_db, odoo, psql


def _installed(db):
    return dict(
        line.split("|")
        for line in psql("SELECT name, state FROM ir_module_module WHERE name LIKE 'crm\\_%'", db).splitlines()
    )


def _counts(db):
    tables = [
        "crm_loyalty_program",
        "crm_loyalty_membership",
        "crm_loyalty_entry",
        "crm_loyalty_allocation",
        "crm_lifecycle_stage",
        "crm_feedback_ticket",
        "crm_feedback_stage",
        "ir_ui_view",
        "ir_ui_menu",
        "account_move",
    ]
    return {t: int(psql(f"SELECT count(*) FROM {t}", db)) for t in tables}


def test_install_all_without_demo():
    db = f"{PREFIX}_nodemo"
    drop_db(db)
    try:
        odoo("-d", db, "-i", ",".join(OUR_MODULES), "--without-demo=all", "--stop-after-init")
        states = _installed(db)
        assert all(states.get(m) == "installed" for m in OUR_MODULES), states
        assert psql("SELECT count(*) FROM crm_loyalty_program", db) == "0", "demo program in a no-demo database"
        assert psql("SELECT count(*) FROM crm_lifecycle_stage", db) == "7", "seeded lifecycle stages"
        assert psql("SELECT count(*) FROM ir_ui_menu WHERE name->>'en_US' = 'Customer Relations'", db) == "1"
    finally:
        drop_db(db)


def test_install_each_alone_with_demo():
    """crm_loyalty, crm_segmentation and crm_feedback each stand on Community modules only: each installs
    alone, with its demo data, and pulls in none of the others (three databases, installed in parallel)."""
    from concurrent.futures import ThreadPoolExecutor

    alone = STANDALONE_MODULES

    def install(module):
        db = f"{PREFIX}_alone_{module}"
        drop_db(db)
        try:
            odoo("-d", db, "-i", module, "--stop-after-init", "--no-http")
            return module, _installed(db)
        finally:
            drop_db(db)

    with ThreadPoolExecutor(max_workers=len(alone)) as pool:
        results = dict(pool.map(install, alone))
    for module, states in results.items():
        ours = {name for name, state in states.items() if state == "installed" and name in OUR_MODULES}
        assert ours == {module}, (module, states)


def test_installed_with_demo(base_db):
    states = _installed(base_db)
    assert all(states.get(m) == "installed" for m in OUR_MODULES), states
    assert int(psql("SELECT count(*) FROM crm_loyalty_entry", base_db)) > 0, "demo members have history"
    assert int(psql("SELECT count(*) FROM crm_loyalty_tier", base_db)) == 4


def test_upgrade_twice_is_idempotent(scratch_db):
    before = _counts(scratch_db)
    odoo("-d", scratch_db, "-u", ",".join(OUR_MODULES), "--stop-after-init")
    after_first = _counts(scratch_db)
    odoo("-d", scratch_db, "-u", ",".join(OUR_MODULES), "--stop-after-init")
    assert _counts(scratch_db) == after_first == before


UNINSTALL_REINSTALL = r"""
import json
report = []
Module = env["ir.module.module"]
ours = OUR_MODULES
# the bridge depends on the three others, which are independent: each of them is uninstalled first,
# in the middle and last across these orders (crm_privacy depends on the bridge and goes with it)
ORDERS = [
    ["crm_erp_bridge", "crm_feedback", "crm_segmentation", "crm_loyalty"],
    ["crm_erp_bridge", "crm_loyalty", "crm_feedback", "crm_segmentation"],
    ["crm_erp_bridge", "crm_segmentation", "crm_loyalty", "crm_feedback"],
]

def views_render():
    # every form our addons extend still renders after the change
    for model in ("res.partner", "sale.order", "account.move", "product.product"):
        env[model].get_views([(False, "form"), (False, "list"), (False, "search")])

def root_menu_visible():
    # the app menu belongs to crm_customer_facts, which stays installed: without the addons' submenus the web
    # client does not show it (a menu without an action is shown only above a visible one)
    env.registry.clear_cache()
    root = env.ref("crm_customer_facts.menu_crm_relations_root", raise_if_not_found=False)
    return bool(root) and root.id in env["ir.ui.menu"]._visible_menu_ids()

for order in ORDERS:
    run = {"order": order, "states": {}}
    moves_before = set(env["account.move"].search([]).ids)
    for name in order:
        Module.search([("name", "=", name)]).button_immediate_uninstall()
        env.invalidate_all()
        views_render()
        run["states"][name] = Module.search([("name", "=", name)]).state
    run["root_menu_after_all"] = root_menu_visible()
    env.cr.execute("SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'crm\\_loyalty%' "
                   "OR table_name LIKE 'crm\\_feedback%' OR table_name LIKE 'crm\\_lifecycle%' "
                   "OR table_name LIKE 'crm\\_rfm%'")
    run["tables_left"] = [r[0] for r in env.cr.fetchall()]
    # (a reinstall with demo data posts new entries: kept means none of the earlier ones is gone)
    run["moves_kept"] = moves_before <= set(env["account.move"].search([]).ids)
    env.cr.commit()
    Module.search([("name", "in", ours)]).button_immediate_install()
    env.invalidate_all()
    views_render()
    run["reinstalled"] = sorted(Module.search([("name", "in", ours), ("state", "=", "installed")]).mapped("name"))
    run["root_menu_back"] = root_menu_visible()
    env.cr.commit()
    report.append(run)
print("REPORT" + json.dumps(report))
"""


def test_uninstall_each_then_reinstall(scratch_db):
    import json

    script = f"OUR_MODULES = {OUR_MODULES!r}\n" + UNINSTALL_REINSTALL
    _proc, log = odoo("shell", "-d", scratch_db, "--no-http", stdin=script)
    report = json.loads(log.split("REPORT", 1)[1].splitlines()[0])
    assert len(report) == 3
    for run in report:
        assert all(state == "uninstalled" for state in run["states"].values()), run
        assert run["root_menu_after_all"] is False, "the app menu must not show once the last addon is gone"
        assert run["tables_left"] == [], run
        assert run["moves_kept"], "uninstalling must never delete invoices or journal entries"
        assert run["reinstalled"] == sorted(OUR_MODULES), run
        assert run["root_menu_back"], run


LAUNCHER = '''
"""odoo-bin on a server without the optional libraries of the glue addons: their distributions and modules
are absent (importlib.metadata knows none of them, imports fail)."""
import importlib.abc, importlib.metadata, os, runpy, sys

BLOCKED = {"vadersentiment", "snownlp", "scipy", "numpy"}
_version = importlib.metadata.version

def version(name):
    if name.lower() in BLOCKED:
        raise importlib.metadata.PackageNotFoundError(name)
    return _version(name)

class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0].lower() in BLOCKED:
            raise ImportError(f"No module named {fullname!r}")

importlib.metadata.version = version
sys.meta_path.insert(0, Blocker())
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))  # what running the script itself does
runpy.run_path(sys.argv[0], run_name="__main__")
'''


def test_install_without_the_optional_libraries(tmp_path):
    """A merchant with only Odoo's requirements installs crm_segmentation and crm_feedback: the glue addons of
    the NLP and scientific libraries stay uninstalled, with a warning saying why (an auto_install glue with an
    unmet external dependency made Odoo refuse the base addon)."""
    launcher = tmp_path / "launcher.py"
    launcher.write_text(LAUNCHER)
    db = f"{PREFIX}_nolibs"
    drop_db(db)
    try:
        cmd = [ODOO_PY, str(launcher), str(ODOO_SRC / "odoo-bin"), "-c", CONF, "-d", db]
        cmd += ["-i", "crm_segmentation,crm_feedback", "--without-demo=all", "--stop-after-init", "--no-http"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1500, check=False)
        log = proc.stdout + proc.stderr
        assert proc.returncode == 0, log[-3000:]
        assert not [line for line in log.splitlines() if ERROR_LINE.match(line)], log[-3000:]
        states = _installed(db)
        assert states["crm_segmentation"] == states["crm_feedback"] == "installed", states
        assert states.get("crm_feedback_sentiment") != "installed", states
        assert states.get("crm_segmentation_clv") != "installed", states
        assert "crm_feedback_sentiment is not installed, its optional libraries are missing" in log
        assert "crm_segmentation_clv is not installed, its optional libraries are missing" in log
    finally:
        drop_db(db)
