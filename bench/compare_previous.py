"""Attribute a change of a bench figure: the statements of a previous commit and today's, run side by side
on the same database at the same moment (alternating, each rolled back), inside `odoo-bin shell` (``env``
is given) by bench/compare_previous.sh.

A figure measured on another day mixes the code's change with the machine's load and the database's state;
run in turns in one process, only the code differs. Compared: the RFM nightly statement, the RFM first run
(every score and snapshot written) and the lifecycle first run (every customer moves). The previous code is
read from git (``CRM_BENCH_BASE``, default ee573a7, the table of 2026-11-23) and its columns renamed since
(``RENAMES``) are mapped to today's names. Prints one ``COMPARE`` JSON line per figure.
"""

import ast
import json
import os
import statistics
import subprocess
import time
from collections import defaultdict

from dateutil.relativedelta import relativedelta

import odoo
from odoo import _, api, fields
from odoo.tools import SQL

BASE = os.environ.get("CRM_BENCH_BASE", "ee573a7")
RUNS = int(os.environ.get("CRM_BENCH_REPEAT", "4"))
REPO = os.environ["CRM_REPO"]
RENAMES = {"net_amount": "net_revenue"}
cr = env.cr
company = env.company


def previous(path, names, namespace):
    """The methods ``names`` of the first class of ``path`` at BASE, as plain functions in ``namespace``."""
    source = subprocess.run(
        ["git", "-C", REPO, "show", f"{BASE}:{path}"], check=True, capture_output=True, text=True
    ).stdout
    for old, new in RENAMES.items():
        source = source.replace(old, new)
    cls = next(node for node in ast.parse(source).body if isinstance(node, ast.ClassDef))
    functions = {}
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name in names:
            node.decorator_list = []
            exec(ast.unparse(node), namespace)  # noqa: S102 - the project's own code of an earlier commit
            functions[node.name] = namespace[node.name]
    return functions


class Previous:
    """Stands for the model in the previous methods: they reach the environment and the model's helpers."""

    def __init__(self, model, functions):
        self._model = model
        self.env = model.env
        self._context = model._context
        for name, function in functions.items():
            setattr(self, name, function.__get__(self))

    def __getattr__(self, name):
        return getattr(self._model, name)


def vacuum(tables):
    with odoo.sql_db.db_connect(cr.dbname).cursor() as vcr:
        vcr._cnx.autocommit = True
        vcr.execute(f"VACUUM ANALYZE {tables}")


def compare(name, runs, setup=None, tables="crm_rfm_score, crm_rfm_snapshot"):
    times = defaultdict(list)
    for i in range(RUNS):
        for label in ("previous", "today") if i % 2 else ("today", "previous"):
            if setup:
                setup()
            env.flush_all()
            env.invalidate_all()
            start = time.perf_counter()
            runs[label]()
            env.flush_all()
            times[label].append(time.perf_counter() - start)
            cr.rollback()
            vacuum(tables)
    result = {"name": name, "base": BASE, **{label: statistics.median(values) for label, values in times.items()}}
    print("COMPARE " + json.dumps(result), flush=True)


namespace = {"SQL": SQL, "relativedelta": relativedelta, "fields": fields, "api": api, "_": _}
Score = env["crm.rfm.score"]
old_score = Previous(
    Score,
    previous(
        "addons/crm_segmentation/models/crm_rfm_score.py",
        {"_rfm_upsert_sql", "_purchases_sql", "_snapshot_conflict_sql", "_rank_cut_sql", "_snapshot"},
        namespace,
    ),
)
today = fields.Date.today()
month = today.replace(day=1)
date_from, date_to = Score._window(company, today)
now = fields.Datetime.now()
statements = {
    "previous": old_score._rfm_upsert_sql(company, date_from, date_to, now, month),
    "today": Score._rfm_upsert_sql(company, date_from, date_to, now, month),
}
# the nightly statement on the committed scores of the day (the bench's state after measure 1)
compare("1. RFM nightly statement", {label: (lambda q=q: cr.execute(q)) for label, q in statements.items()})


def clear_scores():
    cr.execute(SQL("DELETE FROM crm_rfm_score WHERE company_id = %s", company.id))
    cr.execute(SQL("DELETE FROM crm_rfm_snapshot WHERE company_id = %s", company.id))


def old_first_run():
    cr.execute(old_score._rfm_upsert_sql(company, date_from, date_to, now, None))
    old_score._snapshot(company, today)


compare(
    "1. RFM first run (every score and snapshot written)",
    {"previous": old_first_run, "today": lambda: Score._recompute(company, today)},
    setup=clear_scores,
)

# the lifecycle's previous rules were Python functions of a module of their own
lifecycle_source = subprocess.run(
    ["git", "-C", REPO, "show", f"{BASE}:addons/crm_segmentation/tools/lifecycle.py"],
    check=True,
    capture_output=True,
    text=True,
).stdout
lifecycle_namespace = dict(namespace, defaultdict=defaultdict)
exec(lifecycle_source, lifecycle_namespace)  # noqa: S102 - the project's own code of an earlier commit
Partner = env["res.partner"].sudo()
old_partner = Previous(
    Partner,
    previous(
        "addons/crm_segmentation/models/res_partner.py",
        {"_lifecycle_facts", "_evaluate_lifecycle"},
        lifecycle_namespace,
    ),
)
moved = {}


def clear_stages():
    cr.execute("UPDATE res_partner SET lifecycle_stage_id = NULL, lifecycle_stage_date = NULL")
    cr.execute("DELETE FROM crm_lifecycle_history")


def evaluate(label, model):
    moved[label] = len(model._evaluate_lifecycle())


compare(
    "2. Lifecycle first run (every customer moves)",
    {"previous": lambda: evaluate("previous", old_partner), "today": lambda: evaluate("today", Partner)},
    setup=clear_stages,
    tables="res_partner, crm_lifecycle_history",
)
print("COMPARE " + json.dumps({"name": "2. customers moved by the first run", **moved}), flush=True)
