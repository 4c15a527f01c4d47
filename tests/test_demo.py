"""The demo a merchant opens on the first day tells the truth: its documents are posted, and the figures the
app shows are drawn from them (on the database with our four addons and demo data)."""

import json

import pytest
from conftest import odoo, psql

STAGES = ("prospect", "exploration", "formation", "stability", "decline", "lost", "won_back")

# What the customer 360 tab and the other screens show, read through the ORM as the application computes it
FIGURES = r"""
import json
from odoo import fields
company = env.ref("base.main_company")
env = env(context=dict(env.context, allowed_company_ids=[company.id], lang="en_US"))
partners = env["res.partner"].search([("lifecycle_stage_id", "!=", False)])
names = [
    "crm360_revenue_total", "crm360_revenue_12m", "crm360_margin_12m", "crm360_open_orders", "crm360_receivable",
    "crm360_overdue", "crm360_oldest_overdue", "crm360_last_delivery", "crm360_returns_12m", "crm360_last_csat",
    "crm360_last_nps", "loyalty_balance",
]
out = {
    "today": str(fields.Date.context_today(partners[:1])),
    "company": company.id,
    "partners": {p.id: dict({n: p[n] for n in names}, name=p.name) for p in partners},
    "complaint_rates": env["crm.feedback.quality"].search_read(
        [("complaint_rate", ">", 0)], ["product_id", "complaint_rate"]
    ),
    "empty_labels": [],
}
# every selection value stored by our addons has a label in the reader's language
ours = env["ir.model.data"].search([
    ("module", "in", ("crm_customer_facts", "crm_loyalty", "crm_segmentation", "crm_feedback", "crm_erp_bridge",
                      "crm_feedback_sentiment", "crm_segmentation_clv")),
    ("model", "=", "ir.model.fields"),
]).mapped("res_id")
for field_rec in env["ir.model.fields"].browse(ours).filtered(lambda f: f.ttype == "selection" and f.store):
    Model = env.get(field_rec.model)
    if Model is None or Model._abstract or not Model._auto:
        continue
    field = Model._fields[field_rec.name]
    labels = dict(field._description_selection(env))
    for group in Model.with_context(active_test=False)._read_group([(field.name, "!=", False)], [field.name]):
        if not labels.get(group[0]):
            out["empty_labels"].append(f"{Model._name}.{field.name}={group[0]!r}")
print("FIGURES:" + json.dumps(out, default=str))
"""


@pytest.fixture(scope="module")
def figures(base_db):
    _proc, log = odoo("shell", "-d", base_db, "--no-http", stdin=FIGURES)
    line = next(line for line in log.splitlines() if line.startswith("FIGURES:"))
    return json.loads(line[len("FIGURES:") :])


def rows(sql, db):
    return [line.split("|") for line in psql(sql, db=db).splitlines() if line]


def test_every_demo_invoice_is_posted(base_db):
    """Demo files post their invoices in one call: a <value search> would pass only the first id found."""
    by_ref = {}
    for ref, state, count in rows(
        """SELECT CASE WHEN ref LIKE 'crm-bridge-demo-%' THEN 'crm-bridge-demo' ELSE ref END, state, count(*)
             FROM account_move WHERE ref LIKE 'crm-%' AND move_type IN ('out_invoice', 'out_refund')
         GROUP BY 1, 2 ORDER BY 1, 2""",
        base_db,
    ):
        by_ref.setdefault(ref, {})[state] = int(count)
    assert set(by_ref) >= {"crm-loyalty-demo", "crm-segmentation-demo", "crm-bridge-demo"}, by_ref
    for ref, states in by_ref.items():
        assert set(states) == {"posted"}, f"{ref}: {states}"
    assert sum(states["posted"] for states in by_ref.values()) >= 35


def test_demo_orders_go_from_order_to_cash(base_db):
    """Orders confirmed, delivered (valuation layers: a real cost of goods), invoiced and posted; some paid,
    some open and overdue, credit notes."""
    orders = rows(
        """SELECT so.client_order_ref, so.state, so.invoice_status,
                  bool_and(sp.state = 'done'), count(DISTINCT svl.id)
             FROM sale_order so
             JOIN stock_picking sp ON sp.sale_id = so.id AND sp.return_id IS NULL
        LEFT JOIN stock_move sm ON sm.picking_id = sp.id
        LEFT JOIN stock_valuation_layer svl ON svl.stock_move_id = sm.id
            WHERE so.client_order_ref LIKE 'crm-bridge-demo-%'
         GROUP BY 1, 2, 3 ORDER BY 1""",
        base_db,
    )
    assert len(orders) >= 12
    for ref, state, invoiced, delivered, layers in orders:
        assert (state, invoiced, delivered) == ("sale", "invoiced", "t"), ref
        assert int(layers) > 0, f"{ref}: no valuation layer"
    payment = dict(
        rows(
            """SELECT CASE WHEN payment_state IN ('paid', 'in_payment') THEN 'paid'
                           WHEN invoice_date_due < CURRENT_DATE THEN 'overdue' ELSE 'open' END, count(*)
                 FROM account_move WHERE ref LIKE 'crm-%' AND move_type = 'out_invoice' AND state = 'posted'
             GROUP BY 1""",
            base_db,
        )
    )
    assert int(payment.get("paid", 0)) >= 15 and int(payment.get("overdue", 0)) >= 3, payment
    assert int(payment.get("open", 0)) >= 3, payment
    refunds = psql("SELECT count(*) FROM account_move WHERE move_type = 'out_refund' AND ref LIKE 'crm-%'", db=base_db)
    assert int(refunds) >= 2
    months = psql(
        """SELECT count(DISTINCT date_trunc('month', invoice_date)) FROM account_move
            WHERE ref LIKE 'crm-%' AND move_type = 'out_invoice' AND state = 'posted'""",
        db=base_db,
    )
    assert int(months) >= 12, "the demo spans at least a year"


def test_every_lifecycle_stage_is_populated(base_db):
    stages = dict(
        rows(
            """SELECT st.code, count(p.id) FROM crm_lifecycle_stage st
            LEFT JOIN res_partner p ON p.lifecycle_stage_id = st.id AND p.active GROUP BY 1""",
            base_db,
        )
    )
    assert {code for code, count in stages.items() if int(count)} >= set(STAGES), stages


def test_lifecycle_stages_agree_with_purchases(base_db):
    """Nobody Lost within the company's 'Lost after' days of a purchase; nobody with an invoice a Prospect or in
    Exploration; Stability only with repeat purchases."""
    facts = rows(
        """SELECT p.name, st.code, c.lifecycle_lost_days,
                  CURRENT_DATE - MAX(m.invoice_date), COUNT(DISTINCT m.invoice_date)
             FROM res_partner p
             JOIN crm_lifecycle_stage st ON st.id = p.lifecycle_stage_id
             JOIN res_company c ON c.id = 1
        LEFT JOIN account_move m ON m.commercial_partner_id = p.id AND m.state = 'posted'
                                AND m.move_type = 'out_invoice'
            WHERE p.active
         GROUP BY 1, 2, 3""",
        base_db,
    )
    for name, code, lost_days, days_since, purchase_days in facts:
        if code == "lost":
            assert days_since and int(days_since) > int(lost_days), f"{name} Lost {days_since} days after buying"
        if code in ("prospect", "exploration"):
            assert not days_since, f"{name} in {code} with a posted invoice"
        if code == "stability":
            assert int(purchase_days) >= 3, f"{name} stable on {purchase_days} purchases"


def test_360_figures_agree_with_documents(base_db, figures):
    """Each figure of the 360 tab is the sum of the documents it summarises, for each demo customer."""
    today, company = figures["today"], figures["company"]
    recv = {
        int(p): (float(total), float(overdue), oldest or None)
        for p, total, overdue, oldest in rows(
            f"""SELECT l.partner_id, SUM(l.amount_residual),
                       COALESCE(SUM(l.amount_residual) FILTER (WHERE l.date_maturity < '{today}'), 0),
                       MIN(l.date_maturity) FILTER (WHERE l.date_maturity < '{today}')
                  FROM account_move_line l JOIN account_account a ON a.id = l.account_id
                 WHERE l.parent_state = 'posted' AND a.account_type = 'asset_receivable' AND NOT l.reconciled
                   AND l.company_id = {company}
              GROUP BY 1""",
            base_db,
        )
    }
    revenue = {
        int(p): (float(total), float(recent))
        for p, total, recent in rows(
            f"""SELECT commercial_partner_id, SUM(amount_untaxed_signed),
                       COALESCE(SUM(amount_untaxed_signed)
                                FILTER (WHERE invoice_date > '{today}'::date - interval '12 months'), 0)
                  FROM account_move WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund')
                   AND company_id = {company}
              GROUP BY 1""",
            base_db,
        )
    }
    delivered = {
        int(p): (last, int(recent))
        for p, last, recent in rows(
            f"""SELECT rp.commercial_partner_id, to_char(MAX(sp.date_done), 'YYYY-MM-DD HH24:MI:SS'),
                       COUNT(*) FILTER (WHERE sp.date_done > '{today}'::date - interval '12 months')
                  FROM stock_picking sp JOIN stock_picking_type t ON t.id = sp.picking_type_id
                  JOIN res_partner rp ON rp.id = sp.partner_id
                 WHERE t.code = 'outgoing' AND sp.state = 'done' AND sp.company_id = {company}
              GROUP BY 1""",
            base_db,
        )
    }
    nps = {
        int(p): int(score)
        for p, score in rows(
            f"""SELECT DISTINCT ON (commercial_partner_id) commercial_partner_id, score FROM crm_feedback_nps
                 WHERE company_id = {company} ORDER BY commercial_partner_id, date DESC, id DESC""",
            base_db,
        )
    }
    checked = 0
    for pid, fig in figures["partners"].items():
        pid, name = int(pid), fig["name"]
        total, overdue, oldest = recv.get(pid, (0.0, 0.0, None))
        assert fig["crm360_receivable"] == pytest.approx(total, abs=0.01), f"{name}: receivable"
        assert fig["crm360_overdue"] == pytest.approx(overdue, abs=0.01), f"{name}: overdue"
        assert fig["crm360_overdue"] <= fig["crm360_receivable"] + 0.01, f"{name}: overdue beyond the receivable"
        assert (fig["crm360_oldest_overdue"] or None) == oldest, f"{name}: oldest overdue"
        rev_total, rev_recent = revenue.get(pid, (0.0, 0.0))
        assert fig["crm360_revenue_total"] == pytest.approx(rev_total, abs=0.01), f"{name}: revenue"
        assert fig["crm360_revenue_12m"] == pytest.approx(rev_recent, abs=0.01), f"{name}: revenue 12 months"
        last, recent_deliveries = delivered.get(pid, (None, 0))
        assert (fig["crm360_last_delivery"] or None) == last, f"{name}: last delivery"
        if recent_deliveries:
            assert fig["crm360_margin_12m"] < fig["crm360_revenue_12m"], f"{name}: delivered goods cost nothing"
        assert fig["crm360_last_nps"] == nps.get(pid, -1), f"{name}: last NPS"
        assert fig["loyalty_balance"] >= 0, f"{name}: negative points balance"
        checked += 1
    assert checked >= 10
    assert any(fig["crm360_overdue"] > 0 for fig in figures["partners"].values())
    assert any(fig["crm360_returns_12m"] > 0 for fig in figures["partners"].values())
    assert any(fig["crm360_last_csat"] > 0 for fig in figures["partners"].values())


def test_loyalty_demo_earns_redeems_and_expires(base_db):
    balances = rows(
        """SELECT m.id, m.balance, COALESCE(SUM(e.points), 0) FROM crm_loyalty_membership m
        LEFT JOIN crm_loyalty_entry e ON e.membership_id = m.id GROUP BY 1, 2""",
        base_db,
    )
    assert len(balances) >= 8
    for membership, balance, ledger in balances:
        assert float(balance) >= 0, f"membership {membership} has a negative balance"
        assert float(balance) == pytest.approx(float(ledger), abs=0.01), f"membership {membership}: balance vs ledger"
    expired_unspent = psql(
        "SELECT count(*) FROM crm_loyalty_entry WHERE remaining > 0 AND expiry_date < CURRENT_DATE", db=base_db
    )
    assert expired_unspent == "0", "points past their expiry date are still spendable"
    types = dict(rows("SELECT entry_type, count(*) FROM crm_loyalty_entry GROUP BY 1", base_db))
    assert {"earn", "redeem", "expire"} <= set(types), types
    months = psql(
        "SELECT count(DISTINCT date_trunc('month', date)) FROM crm_loyalty_entry WHERE entry_type = 'earn'", db=base_db
    )
    assert int(months) >= 6
    # the redemption is a confirmed, delivered and invoiced order with its reward line
    redeemed = rows(
        """SELECT so.state, so.invoice_status, sol.loyalty_redeem_points, -sol.price_subtotal
             FROM crm_loyalty_entry e JOIN sale_order so ON so.id = e.sale_order_id
             JOIN sale_order_line sol ON sol.order_id = so.id AND sol.loyalty_membership_id IS NOT NULL
            WHERE e.entry_type = 'redeem'""",
        base_db,
    )
    assert redeemed and all(r[:2] == ["sale", "invoiced"] and float(r[2]) > 0 for r in redeemed), redeemed


def test_feedback_demo_works_on_documents(base_db, figures):
    """Tickets assigned to real users, on the orders, invoices, deliveries and products they concern (so the
    Credit Note and Return buttons act), one late; complaint rates, NPS answers over the months, a CSAT."""
    bot = psql("SELECT res_id FROM ir_model_data WHERE module = 'base' AND name = 'user_root'", db=base_db)
    assert psql(f"SELECT count(*) FROM crm_feedback_ticket WHERE user_id IS NULL OR user_id = {bot}", db=base_db) == "0"
    linked = psql(
        """SELECT count(*) FROM crm_feedback_ticket WHERE sale_order_id IS NOT NULL AND invoice_id IS NOT NULL
            AND picking_id IS NOT NULL AND product_id IS NOT NULL""",
        db=base_db,
    )
    assert int(linked) >= 3
    assert int(psql("SELECT count(*) FROM crm_feedback_ticket WHERE sla_breached AND NOT is_closed", db=base_db)) >= 1
    assert int(psql("SELECT count(*) FROM account_move WHERE feedback_ticket_id IS NOT NULL", db=base_db)) >= 2
    assert int(psql("SELECT count(*) FROM stock_picking WHERE feedback_ticket_id IS NOT NULL", db=base_db)) >= 1
    assert figures["complaint_rates"], "no complaint rate"
    nps_months = psql("SELECT count(DISTINCT date_trunc('month', date)) FROM crm_feedback_nps", db=base_db)
    assert int(nps_months) >= 4
    csat = psql(
        "SELECT count(*) FROM rating_rating WHERE res_model = 'crm.feedback.ticket' AND consumed AND rating > 0",
        db=base_db,
    )
    assert int(csat) >= 1


def test_no_selection_label_is_empty(figures):
    assert not figures["empty_labels"]
