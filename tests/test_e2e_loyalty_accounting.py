"""Loyalty and accounting end to end, as an outside program drives them (issue 16, "Done when").

A real server on a fresh database without demo data; XML-RPC (and HTTP for the workbook download) as
admin (setup, warehouse, the nightly scheduled action), a salesperson (quotations, redemption through the
redemption wizard, confirmation) and an accountant (invoices, payment, credit note, "Accrue Now", the
reconciliation, the workbook). The chain: sell, deliver, invoice, pay, earn, redeem, credit note, a late
posting, the daily liability runs, the reconciliation and the workbook; at every date the GL balance of the
liability account equals the ledger points times the point value.

Days are relative to the server's today. Every user of the story works in UTC (like the scheduled action's
user without a time zone), so "today" is the same day for all of them and for the database clock; a run is
never started in the last minutes before midnight UTC.
"""

import io
import time
import xmlrpc.client
from datetime import date, datetime, timedelta, timezone

import openpyxl
import pytest
import requests
from conftest import PREFIX, drop_db, odoo

POINT_VALUE = 0.05
PRICE, COST = 100.0, 40.0
FIRST_PURCHASE_BONUS = 100.0


@pytest.fixture
def scratch_db():
    """For this module, conftest's ``server`` serves a fresh database WITHOUT demo data (instead of a copy
    of the demo database): the story creates everything it needs, as a new customer would."""
    name = f"{PREFIX}_e2e_nodemo"
    drop_db(name)
    odoo("-d", name, "-i", "crm_erp_bridge", "--without-demo=all", "--stop-after-init", "--no-http")
    yield name
    drop_db(name)


class Client:
    """One user's XML-RPC session."""

    def __init__(self, server, login, password):
        self.server, self.login, self.password = server, login, password
        common = xmlrpc.client.ServerProxy(f"{server['url']}/xmlrpc/2/common")
        self.uid = common.authenticate(server["db"], login, password, {})
        assert self.uid, f"{login} cannot log in"
        self._object = xmlrpc.client.ServerProxy(f"{server['url']}/xmlrpc/2/object", allow_none=True)

    def __call__(self, model, method, *args, **kw):
        return self._object.execute_kw(self.server["db"], self.uid, self.password, model, method, list(args), kw)

    def button(self, model, method, ids, context):
        """A button whose action holds empty (null) values, which XML-RPC cannot carry (core's Create Invoice
        returns one): through Odoo's other external API, JSON-RPC."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [self.server["db"], self.uid, self.password, model, method, [ids], {"context": context}],
            },
        }
        answer = requests.post(f"{self.server['url']}/jsonrpc", json=payload, timeout=300).json()
        assert "error" not in answer, answer["error"]
        return answer["result"]

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self("ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], fields=["res_id"])
        assert rows, xmlid
        return rows[0]["res_id"]

    def wizard(self, model, vals, context, method):
        """Open a wizard with the context of the button that opens it, fill it in and press its button."""
        wizard_id = self(model, "create", vals, context=context)
        return self(model, method, [wizard_id], context=context)


def _away_from_midnight():
    now = datetime.now(timezone.utc)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    if midnight - now < timedelta(minutes=20):
        time.sleep((midnight - now).total_seconds() + 5)


def _day(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


class Story:
    """The records of the story and the checks that hold at each step."""

    def __init__(self, server):
        _away_from_midnight()
        self.server = server
        self.admin = Client(server, "admin", "admin")
        self.admin("res.users", "write", [self.admin.uid], {"tz": "UTC"})
        root = self.admin("res.users", "read", [self.admin.ref("base.user_root")], ["tz"])[0]
        assert root["tz"] in (False, "UTC"), "the scheduled action's user must count days in UTC like the others"
        self.today = _day(self.admin("crm.loyalty.membership", "default_get", ["enroll_date"])["enroll_date"])
        self.days = [self.today - timedelta(days=n) for n in range(4, -1, -1)]  # T-4 .. T

    # ------------------------------------------------------------------ setup (admin)
    def setup_company(self):
        admin = self.admin
        self.company_id = admin("res.users", "read", [admin.uid], ["company_id"])[0]["company_id"][0]
        if not admin("account.account", "search_count", [("company_ids", "in", [self.company_id])]):
            admin("account.chart.template", "try_loading", "generic_coa", self.company_id, False)
        account_ids = {}
        for account_type in ("expense", "income_other"):
            found = admin(
                "account.account",
                "search",
                [("account_type", "=", account_type), ("company_ids", "in", [self.company_id])],
                limit=1,
            )
            assert found, f"no {account_type} account in the chart"
            account_ids[account_type] = found[0]
        self.liability_account_id = admin(
            "account.account",
            "create",
            {
                "name": "Loyalty points liability",
                "code": "219900",
                "account_type": "liability_current",
                "company_ids": [(6, 0, [self.company_id])],
            },
        )
        journal_id = admin(
            "account.journal",
            "create",
            {"name": "Loyalty Liability", "code": "LOYL", "type": "general", "company_id": self.company_id},
        )
        self.reward_product_id = admin(
            "product.product",
            "create",
            {"name": "Loyalty reward", "type": "service", "list_price": 0.0, "taxes_id": [(5, 0, 0)]},
        )
        self.product_id = admin(
            "product.product",
            "create",
            {
                "name": "E2E Widget",
                "type": "consu",
                "is_storable": True,
                "list_price": PRICE,
                "standard_price": COST,
                "invoice_policy": "delivery",
            },
        )
        self.service_id = admin(
            "product.product", "create", {"name": "E2E Installation", "type": "service", "list_price": 200.0}
        )
        # inventory adjustment: Update Quantity on the product
        template_id = admin("product.product", "read", [self.product_id], ["product_tmpl_id"])[0]["product_tmpl_id"][0]
        admin.wizard(
            "stock.change.product.qty",
            {"product_id": self.product_id, "product_tmpl_id": template_id, "new_quantity": 100},
            {"default_product_id": self.product_id},
            "change_product_qty",
        )
        assert admin("product.product", "read", [self.product_id], ["qty_available"])[0]["qty_available"] == 100
        self.program_id = admin(
            "crm.loyalty.program",
            "create",
            {
                "name": "E2E Club",
                "company_id": self.company_id,
                "point_value": POINT_VALUE,
                "earn_rate": 1.0,
                "rounding": 1.0,
                "max_redeem_pct": 50.0,
                "validity_months": 12,
                "first_purchase_bonus": FIRST_PURCHASE_BONUS,
                "reward_product_id": self.reward_product_id,
                "liability_accounting": True,
                "liability_journal_id": journal_id,
                "loyalty_expense_account_id": account_ids["expense"],
                "loyalty_liability_account_id": self.liability_account_id,
                "loyalty_breakage_account_id": account_ids["income_other"],
            },
        )
        self.sales = self._user("e2e_sales", "E2E Salesperson", ["sales_team.group_sale_salesman"])
        self.accountant = self._user("e2e_accountant", "E2E Accountant", ["account.group_account_manager"])
        self.alice = admin("res.partner", "create", {"name": "Alice Industries", "is_company": True})
        self.bob = admin("res.partner", "create", {"name": "Bob Trading", "is_company": True})

    def _user(self, login, name, groups):
        password = f"{login}-Pa55word!"
        self.admin(
            "res.users",
            "create",
            {
                "login": login,
                "name": name,
                "password": password,
                "email": f"{login}@example.com",
                "tz": "UTC",
                "company_id": self.company_id,
                "company_ids": [(6, 0, [self.company_id])],
                "groups_id": [(6, 0, [self.admin.ref("base.group_user")] + [self.admin.ref(g) for g in groups])],
            },
        )
        return Client(self.server, login, password)

    # ------------------------------------------------------------------ documents
    def quotation(self, partner_id, quantity):
        return self.sales(
            "sale.order",
            "create",
            {
                "partner_id": partner_id,
                "order_line": [(0, 0, {"product_id": self.product_id, "product_uom_qty": quantity})],
            },
        )

    def deliver(self, order_id):
        """The warehouse ships the order's picking in full."""
        pickings = self.admin(
            "stock.picking", "search_read", [("sale_id", "=", order_id)], fields=["move_ids", "state"]
        )
        assert len(pickings) == 1, pickings
        for move in self.admin("stock.move", "read", pickings[0]["move_ids"], ["product_uom_qty"]):
            self.admin("stock.move", "write", [move["id"]], {"quantity": move["product_uom_qty"], "picked": True})
        assert self.admin("stock.picking", "button_validate", [pickings[0]["id"]]) is True
        assert self.admin("stock.picking", "read", [pickings[0]["id"]], ["state"])[0]["state"] == "done"

    def invoice_order(self, order_id, invoice_date=None):
        """The salesperson invoices what was delivered (Create Invoice); the accountant dates and posts it."""
        context = {"active_model": "sale.order", "active_ids": [order_id], "active_id": order_id}
        wizard_id = self.sales(
            "sale.advance.payment.inv", "create", {"advance_payment_method": "delivered"}, context=context
        )
        self.sales.button("sale.advance.payment.inv", "create_invoices", [wizard_id], context)
        invoice_ids = self.sales("sale.order", "read", [order_id], ["invoice_ids"])[0]["invoice_ids"]
        draft = self.accountant("account.move", "search", [("id", "in", invoice_ids), ("state", "=", "draft")])
        assert len(draft) == 1, invoice_ids
        if invoice_date:
            self.accountant("account.move", "write", draft, {"invoice_date": str(invoice_date)})
        self.accountant("account.move", "action_post", draft)
        return draft[0]

    def entries(self, domain):
        return self.admin(
            "crm.loyalty.entry",
            "search_read",
            [("program_id", "=", self.program_id)] + domain,
            fields=["entry_type", "points", "date", "partner_id", "move_id", "sale_order_id"],
            order="id",
        )

    def balance(self, partner_id):
        members = self.admin(
            "crm.loyalty.membership",
            "search_read",
            [("partner_id", "=", partner_id), ("program_id", "=", self.program_id)],
            fields=["balance"],
        )
        return members[0]["balance"]

    def accruals(self):
        return self.accountant(
            "crm.loyalty.accrual",
            "search_read",
            [("program_id", "=", self.program_id)],
            fields=["date", "catch_up", "move_id", "accounting_date", "entry_ids"],
            order="id",
        )

    def nightly_run(self):
        """The scheduled action, run now (the way Run Manually does), as admin."""
        cron_id = self.admin.ref("crm_erp_bridge.ir_cron_loyalty_accrual")
        before = {a["id"] for a in self.accruals()}
        assert self.admin("ir.cron", "method_direct_trigger", [cron_id]) is True
        return [a for a in self.accruals() if a["id"] not in before]

    # ------------------------------------------------------------------ the invariant
    def ledger_points(self, day):
        groups = self.accountant(
            "crm.loyalty.entry",
            "read_group",
            [("program_id", "=", self.program_id), ("date", "<=", str(day))],
            ["points:sum"],
            [],
        )
        return (groups[0]["points"] or 0.0) if groups else 0.0

    def gl_liability(self, day):
        """Credit balance of the liability account at the end of ``day`` (posted journal items)."""
        groups = self.accountant(
            "account.move.line",
            "read_group",
            [
                ("account_id", "=", self.liability_account_id),
                ("parent_state", "=", "posted"),
                ("date", "<=", str(day)),
            ],
            ["balance:sum"],
            [],
        )
        return round(-((groups[0]["balance"] or 0.0) if groups else 0.0), 2)

    def assert_gl_equals_ledger(self, when):
        for day in self.days:
            points = self.ledger_points(day)
            assert self.gl_liability(day) == round(points * POINT_VALUE, 2), (
                f"{when}: at the end of {day}, GL liability {self.gl_liability(day)} != "
                f"ledger {points} points x {POINT_VALUE}"
            )

    def reconciliation(self):
        rows = self.accountant(
            "crm.loyalty.liability.report",
            "search_read",
            [("program_id", "=", self.program_id)],
            fields=[
                "date",
                "points_day",
                "ledger_points",
                "ledger_value",
                "gl_balance",
                "difference",
                "unaccrued_points",
                "explanation",
            ],
            order="date",
        )
        return {_day(row["date"]): row for row in rows}


def test_loyalty_chain_keeps_gl_equal_to_ledger(server):
    story = Story(server)
    story.setup_company()
    sales, accountant, admin = story.sales, story.accountant, story.admin
    today, yesterday, t3 = story.today, story.today - timedelta(days=1), story.today - timedelta(days=3)
    # the salesperson enrols both customers
    alice_member = sales(
        "crm.loyalty.membership", "create", {"partner_id": story.alice, "program_id": story.program_id}
    )
    sales("crm.loyalty.membership", "create", {"partner_id": story.bob, "program_id": story.program_id})

    # ---- sell, deliver, invoice (dated in the past), pay, earn
    order_alice = story.quotation(story.alice, 10)
    order_bob = story.quotation(story.bob, 5)
    for order_id in (order_alice, order_bob):
        assert sales("sale.order", "action_confirm", [order_id]) is True
        story.deliver(order_id)
    invoice_alice = story.invoice_order(order_alice, t3)
    invoice_bob = story.invoice_order(order_bob, yesterday)
    accountant.wizard(
        "account.payment.register",
        {},
        {"active_model": "account.move", "active_ids": [invoice_alice], "active_id": invoice_alice},
        "action_create_payments",
    )
    paid = accountant("account.move", "read", [invoice_alice], ["payment_state", "amount_residual"])[0]
    assert paid["payment_state"] in ("paid", "in_payment") and paid["amount_residual"] == 0, paid
    earned = story.entries([("move_id", "=", invoice_alice)])
    assert _moved(earned) == [
        ("earn", 1000, t3),
        ("bonus", FIRST_PURCHASE_BONUS, t3),
    ], "points earned on the untaxed amount at the invoice date, and the first purchase bonus"
    assert _moved(story.entries([("move_id", "=", invoice_bob)])) == [
        ("earn", 500, yesterday),
        ("bonus", FIRST_PURCHASE_BONUS, yesterday),
    ]
    # what the salesperson sees on the invoice of their order
    assert sales("account.move", "read", [invoice_alice], ["loyalty_points"])[0]["loyalty_points"] == 1100
    assert story.balance(story.alice) == 1100 and story.balance(story.bob) == 600

    # ---- the nightly liability run: every day before today
    first = story.nightly_run()
    assert sorted((_day(a["date"]), a["catch_up"]) for a in first) == [(t3, False), (yesterday, False)]
    assert all(_day(a["accounting_date"]) == _day(a["date"]) for a in first)
    story.assert_gl_equals_ledger("after the first nightly run")
    assert story.gl_liability(yesterday) == round(1700 * POINT_VALUE, 2)

    # ---- redeem (salesperson): Redeem Points on a quotation, then confirm
    order_redeem = story.quotation(story.alice, 4)
    action = sales("sale.order", "action_open_loyalty_redeem", [order_redeem])
    assert action["res_model"] == "crm.loyalty.redeem.wizard"
    wizard_id = sales("crm.loyalty.redeem.wizard", "create", {"points": 600}, context=action["context"])
    wizard = sales("crm.loyalty.redeem.wizard", "read", [wizard_id], ["membership_id", "max_points", "amount"])[0]
    assert wizard["membership_id"][0] == alice_member
    assert wizard["max_points"] == 1100 and wizard["amount"] == 30.0, wizard  # cap: 50% of 460 / 0.05 = 4600
    sales("crm.loyalty.redeem.wizard", "action_apply", [wizard_id], context=action["context"])
    assert sales("sale.order", "read", [order_redeem], ["amount_total"])[0]["amount_total"] == 460 - 30
    assert story.balance(story.alice) == 1100, "nothing is spent before the order is confirmed"
    assert sales("sale.order", "action_confirm", [order_redeem]) is True
    redeemed = story.entries([("sale_order_id", "=", order_redeem)])
    assert _moved(redeemed) == [("redeem", -600, today)]
    assert story.balance(story.alice) == 500

    # ---- a salesperson cannot spend Alice's points on Bob's order, through the wizard or a line over RPC
    order_other = story.quotation(story.bob, 2)
    with pytest.raises(xmlrpc.client.Fault, match="another customer"):
        sales.wizard(
            "crm.loyalty.redeem.wizard",
            {"order_id": order_other, "membership_id": alice_member, "points": 100},
            {"default_order_id": order_other},
            "action_apply",
        )
    sales(
        "sale.order.line",
        "create",
        {
            "order_id": order_other,
            "product_id": story.reward_product_id,
            "name": "100 loyalty points",
            "product_uom_qty": 1,
            "price_unit": -100 * POINT_VALUE,
            "tax_id": [(5, 0, 0)],
            "loyalty_redeem_points": 100,
            "loyalty_membership_id": alice_member,
        },
    )
    with pytest.raises(xmlrpc.client.Fault, match="another customer"):
        sales("sale.order", "action_confirm", [order_other])
    assert sales("sale.order", "read", [order_other], ["state"])[0]["state"] == "draft"
    assert not story.entries([("sale_order_id", "=", order_other)])
    assert story.balance(story.alice) == 500 and story.balance(story.bob) == 600

    # ---- the reconciliation shows today's redemption as not accrued yet, explained
    row = story.reconciliation()[today]
    assert (row["ledger_points"], row["gl_balance"], row["unaccrued_points"]) == (1100, 85.0, -600), row
    assert row["difference"] == -30.0 and "not accrued yet" in row["explanation"], row

    # ---- Accrue Now (accountant): today included
    assert accountant("crm.loyalty.program", "action_accrue_now", [story.program_id]) is True
    story.assert_gl_equals_ledger("after Accrue Now")

    # ---- deliver and invoice the redeemed order today: points are not earned on points
    story.deliver(order_redeem)
    invoice_redeem = story.invoice_order(order_redeem)
    earned = story.entries([("move_id", "=", invoice_redeem)])
    assert _moved(earned) == [("earn", 370, today)]
    assert sales("account.move", "read", [invoice_redeem], ["loyalty_points"])[0]["loyalty_points"] == 370

    # ---- credit note (accountant): 3 of the 10 units of Alice's first invoice
    # the form fills the journal in by onchange; over RPC the client names it
    journal = accountant("account.move", "read", [invoice_alice], ["journal_id"])[0]["journal_id"][0]
    action = accountant.wizard(
        "account.move.reversal",
        {"reason": "3 units returned", "journal_id": journal},
        {"active_model": "account.move", "active_ids": [invoice_alice], "active_id": invoice_alice},
        "refund_moves",
    )
    refund = action["res_id"]
    lines = accountant("account.move", "read", [refund], ["invoice_line_ids"])[0]["invoice_line_ids"]
    assert len(lines) == 1
    accountant("account.move", "write", [refund], {"invoice_line_ids": [(1, lines[0], {"quantity": 3})]})
    accountant("account.move", "action_post", [refund])
    reversed_ = story.entries([("move_id", "=", refund)])
    assert _moved(reversed_) == [("reverse", -300, today)], "the credit note takes back the points of what it credits"
    assert admin("account.move", "read", [refund], ["loyalty_points"])[0]["loyalty_points"] == -300
    assert story.balance(story.alice) == 500 + 370 - 300

    # ---- Accrue Now again the same day, from the reconciliation screen: a catch-up of today
    row_id = accountant("crm.loyalty.liability.report", "search", [("program_id", "=", story.program_id)], limit=1)
    assert accountant("crm.loyalty.liability.report", "action_accrue_now", row_id) is True
    today_accruals = [a for a in story.accruals() if _day(a["date"]) == today]
    assert sorted(a["catch_up"] for a in today_accruals) == [False, True]
    story.assert_gl_equals_ledger("after the second Accrue Now")

    # ---- a late posting: an invoice dated yesterday, posted after yesterday's accrual
    late_invoice = accountant(
        "account.move",
        "create",
        {
            "move_type": "out_invoice",
            "partner_id": story.bob,
            "invoice_date": str(yesterday),
            "invoice_line_ids": [(0, 0, {"product_id": story.service_id, "quantity": 1, "price_unit": 200.0})],
        },
    )
    accountant("account.move", "action_post", [late_invoice])
    late = story.entries([("move_id", "=", late_invoice)])
    assert _moved(late) == [("earn", 200, yesterday)]
    row = story.reconciliation()[yesterday]
    assert (row["unaccrued_points"], row["difference"]) == (200, 10.0), row
    assert "not accrued yet" in row["explanation"]

    # ---- the next nightly run books it on its day (open period) instead of failing
    second = story.nightly_run()
    assert [(_day(a["date"]), a["catch_up"], _day(a["accounting_date"])) for a in second] == [
        (yesterday, True, yesterday)
    ]
    assert second[0]["entry_ids"] == [late[0]["id"]]
    assert not story.nightly_run(), "each movement is booked once"
    story.assert_gl_equals_ledger("after the catch-up run")
    assert story.gl_liability(today) == round(1370 * POINT_VALUE, 2)
    moves = accountant("account.move", "read", [a["move_id"][0] for a in story.accruals()], ["state"])
    assert {m["state"] for m in moves} == {"posted"}

    # ---- the reconciliation: no difference left on any day; ids stable between reads
    rows = story.reconciliation()
    assert sorted(rows) == [t3, yesterday, today]
    for day, row in rows.items():
        assert row["ledger_points"] == story.ledger_points(day), day
        assert row["ledger_value"] == row["gl_balance"] == story.gl_liability(day), (day, row)
        assert row["difference"] == 0 and not row["explanation"], (day, row)
    # drill-down from today's row: the ledger entries and the journal items behind its two figures
    row = rows[today]
    action = accountant("crm.loyalty.liability.report", "action_open_entries", [row["id"]])
    entries = accountant(action["res_model"], "search_read", action["domain"], fields=["points"])
    assert sum(e["points"] for e in entries) == row["ledger_points"]
    action = accountant("crm.loyalty.liability.report", "action_open_move_lines", [row["id"]])
    items = accountant(action["res_model"], "search_read", action["domain"], fields=["credit", "debit"])
    assert round(sum(i["credit"] - i["debit"] for i in items), 2) == row["gl_balance"]
    again = accountant(
        "crm.loyalty.liability.report",
        "search_read",
        [("program_id", "=", story.program_id)],
        fields=["date"],
        order="ledger_value desc",
    )
    assert {_day(r["date"]): r["id"] for r in again} == {day: row["id"] for day, row in rows.items()}

    # ---- the workbook (accountant): download the XLSX and read it
    export = accountant(
        "crm.accounting.export",
        "create",
        {
            "date_from": str(t3),
            "date_to": str(today),
            "company_id": story.company_id,
            "program_ids": [(6, 0, [story.program_id])],
        },
    )
    action = accountant("crm.accounting.export", "action_export", [export])
    session = requests.Session()
    auth = session.post(
        f"{server['url']}/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "params": {"db": server["db"], "login": accountant.login, "password": accountant.password},
        },
        timeout=60,
    )
    assert auth.json()["result"]["uid"] == accountant.uid
    download = session.get(f"{server['url']}{action['url']}", timeout=120)
    assert download.status_code == 200 and download.content[:2] == b"PK", download.status_code
    book = openpyxl.load_workbook(io.BytesIO(download.content), data_only=True)

    *months, total = _sheet_rows(book["Loyalty Liability"])
    assert total["Program"] == "Total" and {row["Program"] for row in months} == {"E2E Club"}
    assert (months[0]["Month"].date(), months[-1]["Month"].date()) == (t3.replace(day=1), today.replace(day=1))
    for row in months:
        flows = row["Earned"] + row["Redeemed"] + row["Expired"] + row["Reversed and Adjusted"]
        assert row["Closing (points)"] == row["Opening (points)"] + flows, row
    assert total["Opening (points)"] == months[0]["Opening (points)"] == 0
    assert total["Earned"] == 1000 + FIRST_PURCHASE_BONUS + 500 + FIRST_PURCHASE_BONUS + 370 + 200
    assert total["Redeemed"] == -600
    assert total["Reversed and Adjusted"] == -300
    assert total["Closing (points)"] == months[-1]["Closing (points)"] == 1370 == story.ledger_points(today)
    assert round(total["Closing (money)"], 2) == story.gl_liability(today) == 68.5

    profit = {row["Customer"]: row for row in _sheet_rows(book["Profitability by Customer"])}
    alice = profit["Alice Industries"]
    assert alice["Gross Revenue"] == 1000 + 400 - 300
    assert alice["Cost of Goods"] == 14 * COST, "the 14 units delivered, at cost, once"
    assert alice["Loyalty Rewards"] == 30
    assert alice["Net Revenue"] == 1100 - 30
    assert alice["Contribution"] == 1100 - 14 * COST - 30
    assert profit["Bob Trading"]["Gross Revenue"] == 700 and profit["Bob Trading"]["Cost of Goods"] == 5 * COST

    assert _day(admin("crm.loyalty.membership", "default_get", ["enroll_date"])["enroll_date"]) == today


def _moved(entries):
    """(type, points, day) of ledger entries."""
    return [(e["entry_type"], e["points"], _day(e["date"])) for e in entries]


def _sheet_rows(sheet):
    """The rows of a workbook sheet under its header, as {header: value}."""
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, row, strict=False)) for row in rows if row[0] is not None]
