"""Upgrade in place (issue 19): a database built on the previous release upgrades with `-u` and every
customer's figures are unchanged.

The previous release's `addons/` are taken from git (`git archive`), a database is installed with them and
their demo data (14 months of sales, loyalty, tickets; the demo runs the crons that compute the figures),
every customer's figures are read, the same database is upgraded with the current tree's addons (new
dependencies and auto-installed glue addons come in as Odoo installs them: the test does not care which),
nothing is re-run, and the figures are read again and compared: amounts rounded to the currency, the other
numbers to their digits (six decimals when a field has none), rows keyed by customer (partner id) and
company.

When the refactoring renames a figure, say so in MODEL_RENAMES / FIELD_RENAMES below (old name -> new name):
the second read asks for the new name and compares it with the old one. A figure that disappears fails the
test with the list of names; a stored column of our tables that the upgrade drops too, unless it is mapped
or listed in DROPPED_COLUMNS_ALLOWED.

The reads run in `odoo shell` (the ORM's read and _read_group, the values XML-RPC returns, without a server
to start): each company's 360 panel with only that company allowed. The figures of both reads are written to
artifacts/test/upgrade-figures.json.

Measured on the 2-core development machine (pytest -x tests/test_upgrade.py, nothing else running): 2 min 10 s
(install of the previous release with demo data and 16 more customers 1 min 45 s, each read 5 s, upgrade
12 s while the addons barely changed).
"""

import json
import os
import re
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import CONF, ERROR_LINE, OUR_MODULES, PREFIX, REPO, drop_db, odoo, psql

# The previous release: main as it landed at the last stop (CI passed), tagged release/2026-11-29-r2 on the
# development machine. Tags are not pushed and CI runs on a clean clone of main, so the commit is named by
# its hash (a clean clone has the whole history). CRM_UPGRADE_FROM: another commit or tag to upgrade from.
PREVIOUS_RELEASE = os.environ.get("CRM_UPGRADE_FROM", "9d84847")

# ---------------------------------------------------------------------------------------------------------
# Names that the refactoring changes: old name -> new name. The sources below keep the previous release's
# names; the read after the upgrade asks for the new ones.
#   MODEL_RENAMES = {"crm.figures.queue": "crm.customer.figures.queue"}
#   FIELD_RENAMES = {"crm.sales.fact.net_amount": "net_revenue"}   ("<old model>.<old field>": "<new field>")
MODEL_RENAMES = {}
FIELD_RENAMES = {
    # one name per measure across the suite (crm_customer_facts' measure table)
    "crm.sales.fact.net_amount": "net_revenue",
    "crm.sales.fact.revenue": "gross_revenue",
    "crm.customer.profitability.revenue": "gross_revenue",
    "crm.customer.profitability.cogs": "cost_of_goods",
    "crm.customer.profitability.net_contribution": "contribution",
}
# figures whose value the refactoring changes on purpose ("<source>.<figure>": "why"): still read and their
# differences printed, but they do not fail the test (keep this empty unless the issue asks for the change)
CHANGED_ON_PURPOSE = {
    # a key field here: the rows are compared with that part of their key left out (their figures summed)
    "tickets.sla_breached": "crm_feedback 18.0.1.6.0 flags the tickets closed without a reply after the first-reply "
    "deadline as breached (they counted as met; issue 22's outside check)",
}
# stored columns of our tables that the upgrade may drop although no figure maps them ("table.column")
DROPPED_COLUMNS_ALLOWED = set()

# ---------------------------------------------------------------------------------------------------------
# What is read. "fields": one row per record, keyed by "key" (must be unique); non-stored computed fields
# allowed. "sums": the stored measures summed per "key" (_read_group), "count" adds the number of records.
# "per_company": read once per company with only that company allowed (the 360 panel is per company).
SOURCES = {
    "rfm_scores": {
        "model": "crm.rfm.score",
        "key": ["partner_id", "company_id"],
        "fields": [
            "first_purchase_date",
            "last_purchase_date",
            "recency",
            "frequency",
            "monetary",
            "r_score",
            "f_score",
            "m_score",
            "fm_score",
            "rfm_code",
            "segment_id",
            "value_amount",
            "value_class",
            "value_decile",
            "prob_alive",
            "churn_probability",
            "expected_purchases_12m",
            "clv_12m",
            "clv_horizon_months",
            "clv_discount_rate",
            "one_time_buyer",
            "likely_churning",
        ],
    },
    "rfm_snapshots": {
        "model": "crm.rfm.snapshot",
        "key": ["partner_id", "company_id", "month"],
        "fields": ["segment_id", "previous_segment_id", "rfm_code"],
    },
    "customers": {
        "model": "res.partner",
        "key": ["id"],
        "per_company": True,
        "fields": [
            # lifecycle and segmentation (crm_segmentation)
            "lifecycle_stage_id",
            "lifecycle_stage_date",
            "lifecycle_manual_until",
            "lifecycle_days_in_stage",
            "rfm_code",
            "rfm_segment_id",
            "customer_value_class",
            "churn_probability",
            "clv_12m",
            # loyalty (crm_loyalty)
            "loyalty_program_id",
            "loyalty_balance",
            "loyalty_tier_id",
            # feedback (crm_feedback)
            "feedback_open_count",
            # the 360 panel (crm_erp_bridge)
            "crm360_revenue_total",
            "crm360_revenue_12m",
            "crm360_margin_12m",
            "crm360_open_orders",
            "crm360_receivable",
            "crm360_overdue",
            "crm360_oldest_overdue",
            "crm360_last_delivery",
            "crm360_open_backorders",
            "crm360_returns_12m",
            "crm360_loyalty_expiring",
            "crm360_last_csat",
            "crm360_last_nps",
            "credit_overdue",
        ],
    },
    "lifecycle_history": {
        "model": "crm.lifecycle.history",
        "key": ["partner_id", "company_id", "from_stage_id", "to_stage_id", "mode"],
        "sums": [],
        "count": True,
    },
    "sales_facts": {
        "model": "crm.sales.fact",
        "key": ["partner_id", "company_id"],
        "sums": [
            "invoice_count",
            "net_amount",
            "contribution",
            "revenue",
            "cogs",
            "consumable_cost",
            "ticket_credit",
            "loyalty_rewards",
        ],
    },
    "profitability": {
        "model": "crm.customer.profitability",
        "key": ["partner_id", "company_id"],
        "sums": [
            "revenue",
            "cogs",
            "gross_margin",
            "ticket_credit",
            "loyalty_rewards",
            "cost_to_serve",
            "net_revenue",
            "net_contribution",
        ],
    },
    "memberships": {
        "model": "crm.loyalty.membership",
        "key": ["partner_id", "program_id"],
        "fields": [
            "state",
            "enroll_date",
            "tier_id",
            "tier_since",
            "balance",
            "balance_value",
            "lifetime_points",
            "expiring_points",
            "last_redeem_date",
        ],
    },
    "loyalty_ledger": {
        "model": "crm.loyalty.entry",
        "key": ["partner_id", "program_id", "entry_type"],
        "sums": ["points", "remaining", "unmatched", "amount_base"],
        "count": True,
    },
    "loyalty_allocations": {
        "model": "crm.loyalty.allocation",
        "key": ["company_id"],
        "sums": ["points"],
        "count": True,
    },
    "loyalty_liability": {
        "model": "crm.loyalty.liability.report",
        "key": ["program_id", "date"],
        "fields": [
            "points_day",
            "ledger_points",
            "point_value",
            "ledger_value",
            "gl_day",
            "gl_balance",
            "difference",
            "unaccrued_points",
            "booked_later",
        ],
    },
    "tickets": {
        "model": "crm.feedback.ticket",
        "key": ["commercial_partner_id", "company_id", "ticket_type", "is_closed", "sla_breached"],
        "sums": ["resolution_cost", "response_hours", "resolution_hours", "sla_success", "sentiment_score"],
        "count": True,
    },
    "csat": {
        "model": "rating.rating",
        "domain": [("res_model", "=", "crm.feedback.ticket"), ("consumed", "=", True)],
        "key": ["partner_id"],
        "sums": ["rating"],
        "count": True,
    },
    "nps": {
        "model": "crm.feedback.nps",
        "key": ["commercial_partner_id", "company_id"],
        "sums": ["score", "nps_value", "sentiment_score"],
        "count": True,
    },
    "complaint_rates": {
        "model": "crm.feedback.quality",
        "key": ["company_id", "product_id"],
        "sums": ["delivery_count", "delivered_qty", "returned_qty", "complaint_count"],
    },
}

# Run inside `odoo shell`: the figures as the application computes them (the ORM's read, the same values
# XML-RPC returns), as the superuser in English, each company's 360 panel with only that company allowed.
READER = r"""
import json
from odoo import fields as odoo_fields

spec = json.loads(SPEC)
companies = env["res.company"].search([])
env = env(context=dict(env.context, lang="en_US", active_test=False, allowed_company_ids=companies.ids))
money_digits = env.company.currency_id.decimal_places
out = {"today": str(odoo_fields.Date.context_today(env.user)), "missing": [], "errors": {}, "sources": {}}

def new_name(model, field):
    return spec["field_renames"].get(model + "." + field, field)

def plain(field, value):
    if field.type in ("many2one", "many2many", "one2many"):
        return ", ".join(sorted(value.mapped("display_name"))) or False
    if field.type in ("date", "datetime"):
        return str(value) if value else False
    if field.type == "monetary":
        return round(value or 0.0, money_digits)
    if field.type == "float":
        digits = field.get_digits(env)
        return round(value or 0.0, digits[1] if digits else 6)
    return value

def key_part(value):
    if hasattr(value, "_name"):
        return str(value.id or "")
    return str(value if value not in (None, False) else "")

def read_source(name, source):
    old_model = source["model"]
    model_name = spec["model_renames"].get(old_model, old_model)
    if model_name not in env:
        out["missing"].append(old_model + ("" if model_name == old_model else " (as %s)" % model_name))
        return
    Model = env[model_name]
    wanted = {}
    for old in source["key"] + source.get("fields", []) + source.get("sums", []):
        new = new_name(old_model, old)
        if new in Model._fields:
            wanted[old] = new
        else:
            out["missing"].append(old_model + "." + old + ("" if new == old else " (as %s.%s)" % (model_name, new)))
    if any(k not in wanted for k in source["key"]):
        return
    rows = out["sources"][name] = {}
    domain = source.get("domain", [])
    if "sums" in source:
        sums = [old for old in source["sums"] if old in wanted]
        groupby = [wanted[k] if Model._fields[wanted[k]].type not in ("date", "datetime") else wanted[k] + ":day"
                   for k in source["key"]]
        aggregates = [wanted[old] + ":sum" for old in sums] + (["__count"] if source.get("count") else [])
        for group in Model._read_group(domain, groupby, aggregates):
            keys, values = group[: len(groupby)], group[len(groupby):]
            row = {old: plain(Model._fields[wanted[old]], value) for old, value in zip(sums, values)}
            if source.get("count"):
                row["__count"] = values[-1]
            rows["|".join(key_part(k) for k in keys)] = row
        return
    scopes = [env(context=dict(env.context, allowed_company_ids=[c.id])) for c in companies] \
        if source.get("per_company") else [env]
    for scope in scopes:
        # each company's figures computed afresh (a compute without depends_context("company") would
        # otherwise hand the first company's value to the next)
        env.invalidate_all()
        records = scope[model_name].search(domain)
        for record in records:
            key = "|".join(key_part(record[wanted[k]]) for k in source["key"])
            if source.get("per_company"):
                key += "|%s" % scope.company.id
            assert key not in rows, "%s: key %s is not unique" % (name, key)
            rows[key] = {old: plain(Model._fields[wanted[old]], record[wanted[old]])
                         for old in source["fields"] if old in wanted}
for name, source in spec["sources"].items():
    try:
        with env.cr.savepoint():
            read_source(name, source)
    except Exception as exc:
        out["errors"][name] = "%s: %s" % (type(exc).__name__, exc)
        out["sources"].pop(name, None)
out["names"] = {p.id: p.display_name for p in env["res.partner"].search([])}
print("FIGURES:" + json.dumps(out, default=str))
"""


# Run inside `odoo shell` of the previous release: the demo's 9 buying customers are too few for the churn and
# lifetime value fit (20 customers, 5 repeat buyers): 16 more customers with 1 to 4 invoices over the last 13
# months, then the figure runs the demo ends with (crm_erp_bridge/demo/crm_erp_bridge_demo.xml).
MORE_CUSTOMERS = r"""
from datetime import timedelta
from odoo import fields as odoo_fields
env = env(context=dict(env.context, tracking_disable=True))
company = env.ref("base.main_company")
env = env(context=dict(env.context, allowed_company_ids=[company.id]))
today = odoo_fields.Date.context_today(env.user)
product = env["product.product"].create({"name": "Upgrade check service", "type": "service", "list_price": 100.0})
moves = env["account.move"]
for i in range(16):
    partner = env["res.partner"].create({"name": "Upgrade Check Customer %02d" % i, "is_company": True})
    for j in range(1 + i % 4):
        moves |= env["account.move"].create({
            "move_type": "out_invoice" if (i, j) != (5, 1) else "out_refund",
            "partner_id": partner.id,
            "invoice_date": today - timedelta(days=(i * 23 + j * 97) % 390 + 2),
            "invoice_line_ids": [(0, 0, {"product_id": product.id, "quantity": 1 + j, "price_unit": 80.0 + 37 * i})],
        })
moves.action_post()
env["crm.figures.queue"]._cron_process()
env["res.partner"]._evaluate_lifecycle()
env["crm.rfm.score"]._cron_recompute()
env.cr.commit()
print("MORE_CUSTOMERS: %d invoices" % len(moves))
"""


def _addons_path(addons_dir):
    """The configuration's addons path with our addons folder replaced by addons_dir."""
    text = Path(CONF).read_text()
    path = re.search(r"^addons_path\s*=\s*(.+)$", text, re.MULTILINE).group(1)
    ours = str((REPO / "addons").resolve())
    parts = [str(addons_dir) if str(Path(p.strip()).resolve()) == ours else p.strip() for p in path.split(",")]
    assert str(addons_dir) in parts, f"{ours} is not in the addons path of {CONF}: {path}"
    return ",".join(parts)


def extract_release(commit, into):
    """The addons/ of a commit, unpacked into `into` (git archive | tar)."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "addons"], capture_output=True, check=False)
    assert archive.returncode == 0, f"git archive {commit} failed: {archive.stderr.decode()}"
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "addons"


def read_figures(db, *extra, renamed=True):
    """The figures of SOURCES; renamed: under the current names (MODEL_RENAMES, FIELD_RENAMES)."""
    spec = {
        "sources": SOURCES,
        "model_renames": MODEL_RENAMES if renamed else {},
        "field_renames": FIELD_RENAMES if renamed else {},
    }
    script = f"SPEC = {json.dumps(json.dumps(spec))}\n" + READER
    # (a figure that cannot be read logs an ERROR: reported with the others, below, not on its own)
    _proc, log = odoo("shell", "-d", db, "--no-http", *extra, stdin=script, check=False)
    line = next((line for line in log.splitlines() if line.startswith("FIGURES:")), None)
    assert line, "the figures could not be read:\n" + "\n".join(log.splitlines()[-40:])
    figures = json.loads(line[len("FIGURES:") :])
    figures["log_errors"] = [line for line in log.splitlines() if ERROR_LINE.match(line)]
    return figures


def figure_columns(db):
    """Stored columns of our tables that hold figures: the stored fields read above and every number of a
    crm_* table (points, amounts, scores), as {"table.column"}."""
    ours = ", ".join(f"'{m}'" for m in OUR_MODULES)
    named = ", ".join(
        f"('{source['model'].replace('.', '_')}', '{field}')"
        for source in SOURCES.values()
        for field in source["key"] + source.get("fields", []) + source.get("sums", [])
    )
    return set(
        psql(
            f"""SELECT c.table_name || '.' || c.column_name
                  FROM information_schema.columns c
                  JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                 WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
                   AND ((c.table_name, c.column_name) IN ({named})
                        OR (c.table_name LIKE 'crm\\_%' AND c.data_type IN ('numeric', 'double precision'))
                        OR (c.table_name, c.column_name) IN (
                            SELECT replace(f.model, '.', '_'), f.name FROM ir_model_fields f
                              JOIN ir_model_data d ON d.model = 'ir.model.fields' AND d.res_id = f.id
                             WHERE d.module IN ({ours}) AND f.ttype IN ('float', 'monetary', 'integer')))""",
            db,
        ).split()
    )


def table_columns(db):
    """Every column of the database's tables, as {"table.column"} (a table turned into a view has none)."""
    return set(
        psql(
            """SELECT c.table_name || '.' || c.column_name
                 FROM information_schema.columns c
                 JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'""",
            db,
        ).split()
    )


def mapped_columns(columns):
    """The columns among `columns` that the mapping tables account for: a renamed field's old column, every
    column of a renamed model's old table, DROPPED_COLUMNS_ALLOWED."""
    renamed = {f"{key.rsplit('.', 1)[0].replace('.', '_')}.{key.rsplit('.', 1)[1]}" for key in FIELD_RENAMES}
    tables = {model.replace(".", "_") for model in MODEL_RENAMES}
    return {c for c in columns if c in renamed or c in DROPPED_COLUMNS_ALLOWED or c.split(".", 1)[0] in tables}


def wait_past_midnight(db, margin):
    """The day-relative figures (recency, 12 months, days in stage, points expiring soon) must be read on the
    same day twice: when a midnight (UTC, this machine's, the users' time zone) is nearer than `margin`
    seconds, wait until it has passed."""
    zones = {
        "UTC",
        *filter(
            None,
            psql(
                "SELECT DISTINCT p.tz FROM res_users u JOIN res_partner p ON p.id = u.partner_id WHERE p.tz <> ''", db
            ).split(),
        ),
    }
    now = datetime.now(timezone.utc)
    wait = 0
    for zone in [ZoneInfo(z) for z in zones] + [datetime.now().astimezone().tzinfo]:
        local = now.astimezone(zone)
        midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        left = (midnight - local).total_seconds()
        if left < margin:
            wait = max(wait, left + 5)
    if wait:
        time.sleep(wait)


def merge_key(source, rows, fields):
    """The rows of ``source`` with the parts of their key named by ``fields`` left out, the figures of the rows
    then sharing a key summed (rounded: the order of the additions differs between two reads)."""
    keys = SOURCES[source]["key"]
    drop = {keys.index(name) for name in fields}
    merged = {}
    for key, values in rows.items():
        kept = "|".join(part for i, part in enumerate(key.split("|")) if i not in drop)
        total = merged.setdefault(kept, {})
        for name, value in values.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                total[name] = round(total.get(name, 0) + value, 6)
            else:
                total[name] = value
    return merged


def compare(before, after):
    """Differences between two reads, as lines naming the source, the customer and the figure; the figures of
    CHANGED_ON_PURPOSE apart."""
    names = before["names"]
    problems, on_purpose = [], []

    def who(source, key):
        partner = key.split("|", 1)[0]
        by_partner = SOURCES[source]["key"][0] in ("id", "partner_id", "commercial_partner_id")
        return f"{key} ({names[partner]})" if by_partner and partner in names else key

    for source, rows in before["sources"].items():
        rows_after = after["sources"].get(source)
        if rows_after is None:
            continue  # the model is gone: listed with the missing names
        rekeyed = [f for f in SOURCES[source].get("key", []) if f"{source}.{f}" in CHANGED_ON_PURPOSE]
        if rekeyed:
            moved = len(rows.keys() - rows_after.keys())
            rows, rows_after = merge_key(source, rows, rekeyed), merge_key(source, rows_after, rekeyed)
            if moved:
                on_purpose.append(f"{source}: {moved} rows keyed again by {', '.join(rekeyed)}")
        for key, values in rows.items():
            if key not in rows_after:
                problems.append(f"{source} {who(source, key)}: row gone (was {values})")
                continue
            for field, value in values.items():
                if field in rows_after[key] and rows_after[key][field] != value:
                    line = f"{source} {who(source, key)} {field}: {value!r} -> {rows_after[key][field]!r}"
                    (on_purpose if f"{source}.{field}" in CHANGED_ON_PURPOSE else problems).append(line)
        for key in rows_after.keys() - rows.keys():
            problems.append(f"{source} {who(source, key)}: new row {rows_after[key]}")
    return problems, on_purpose


def test_upgrade_in_place_keeps_every_figure(tmp_path):
    started = time.monotonic()
    db = f"{PREFIX}_upgrade"
    drop_db(db)
    out = REPO / "artifacts" / "test"
    out.mkdir(parents=True, exist_ok=True)
    try:
        # 1. the previous release with its demo data (the demo runs the figure crons once at its end)
        previous_addons = extract_release(PREVIOUS_RELEASE, tmp_path)
        previous = _addons_path(previous_addons)
        # the addons the previous release had (crm_privacy came later: installed after the upgrade)
        released = [m for m in OUR_MODULES if (previous_addons / m / "__manifest__.py").exists()]
        _proc, log = odoo(
            "-d", db, "-i", ",".join(released), "--addons-path", previous, "--stop-after-init", "--no-http"
        )
        (out / "upgrade-install.log").write_text(log)
        _proc, log = odoo("shell", "-d", db, "--no-http", "--addons-path", previous, stdin=MORE_CUSTOMERS)
        assert "MORE_CUSTOMERS:" in log, "\n".join(log.splitlines()[-40:])
        installed_at = time.monotonic()
        wait_past_midnight(db, margin=300)
        before = read_figures(db, "--addons-path", previous, renamed=False)
        assert not before["missing"], f"SOURCES names figures the previous release lacks: {before['missing']}"
        assert not before["errors"] and not before["log_errors"], (
            f"the previous release's figures could not be read: {before['errors']} {before['log_errors']}"
        )
        empty = [name for name in SOURCES if not before["sources"].get(name)]
        assert not empty, f"the previous release's demo gives no rows for {empty}"
        predicted = [row for row in before["sources"]["rfm_scores"].values() if row["prob_alive"] and row["clv_12m"]]
        assert len(predicted) >= 20, "churn and lifetime value were not predicted on the previous release"
        columns_before = figure_columns(db)
        read_at = time.monotonic()

        # 2. upgrade in place with the current tree's addons (the configuration's addons path); re-run nothing
        _proc, log = odoo("-d", db, "-u", ",".join(released), "--stop-after-init", "--no-http")
        (out / "upgrade.log").write_text(log)
        upgraded_at = time.monotonic()
        states = dict(
            line.split("|")
            for line in psql("SELECT name, state FROM ir_module_module WHERE name LIKE 'crm\\_%'", db).splitlines()
        )
        assert all(states.get(m) == "installed" for m in released), states
        pending = {m: s for m, s in states.items() if s not in ("installed", "uninstalled", "uninstallable")}
        assert not pending, f"modules left half-way by the upgrade: {pending}"

        after = read_figures(db)
        (out / "upgrade-figures.json").write_text(json.dumps({"before": before, "after": after}, indent=1))
        assert after["today"] == before["today"], "the day changed between the two reads: run the test again"

        # 3. nothing lost, nothing changed: every finding at once
        failures = []
        if after["missing"]:
            failures.append(
                "figures gone after the upgrade (map the renamed ones in MODEL_RENAMES / FIELD_RENAMES at the top "
                f"of tests/test_upgrade.py): {sorted(after['missing'])}"
            )
        if after["errors"]:
            failures.append(f"figures that cannot be read after the upgrade: {after['errors']}")
        failures += [f"ERROR reading the figures after the upgrade: {line[:300]}" for line in after["log_errors"]]
        gone = columns_before - table_columns(db)
        dropped = sorted(gone - mapped_columns(gone))
        if dropped:
            failures.append(f"figure columns of our tables dropped by the upgrade: {dropped}")
        # a migration script that says it drops a figure column, even one it adds back
        unmapped = columns_before - mapped_columns(columns_before)
        failures += [
            f"the upgrade log drops a figure column: {line}"
            for line in log.splitlines()
            if re.search(r"drop(ped)?\s+column", line, re.IGNORECASE)
            and any(table in line and column in line for table, column in (c.split(".", 1) for c in unmapped))
        ]
        problems, on_purpose = compare(before, after)
        if on_purpose:
            print(f"{len(on_purpose)} figures changed on purpose (CHANGED_ON_PURPOSE):\n" + "\n".join(on_purpose))
        if problems:
            failures.append(f"{len(problems)} figures changed by the upgrade:\n" + "\n".join(problems[:80]))
        assert not failures, "\n".join(failures)
        rows = sum(len(rows) for rows in before["sources"].values())
        print(
            f"upgrade test: {rows} rows of figures equal; install {installed_at - started:.0f} s, "
            f"read {read_at - installed_at:.0f} s, upgrade {upgraded_at - read_at:.0f} s, "
            f"total {time.monotonic() - started:.0f} s"
        )
    finally:
        drop_db(db)
