import base64
import io
import re
from datetime import date, timedelta

import openpyxl
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

import odoo.sql_db
from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..models.res_partner import PANEL_FIELDS


@tagged("post_install", "-at_install")
class TestBridge(AccountTestInvoicingCommon):
    """A hand-built scenario: stock at cost 60, sell 5 at 100, deliver, invoice, return 1 with a credit note
    from a complaint ticket."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the assertions read English texts (messages, sheet names): English whatever the database's
        # language (the README's demo database is Chinese); Chinese has its own tests (test_i18n)
        cls.env["res.lang"]._activate_lang("en_US")
        cls.env.user.lang = "en_US"
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        env = cls.env
        env.user.groups_id |= (
            env.ref("sales_team.group_sale_manager")
            | env.ref("stock.group_stock_manager")
            | env.ref("crm_loyalty.group_loyalty_manager")
            | env.ref("crm_feedback.group_feedback_manager")
        )
        cls.company = cls.company_data["company"]
        cls.warehouse = env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        categ = env["product.category"].create({"name": "Furniture", "property_cost_method": "standard"})
        cls.product = env["product.product"].create(
            {
                "name": "Desk",
                "is_storable": True,
                "categ_id": categ.id,
                "standard_price": 60.0,
                "list_price": 100.0,
                "taxes_id": False,
                "invoice_policy": "delivery",
            }
        )
        quant = (
            env["stock.quant"]
            .with_context(inventory_mode=True)
            .create(
                {"product_id": cls.product.id, "location_id": cls.warehouse.lot_stock_id.id, "inventory_quantity": 20}
            )
        )
        quant.action_apply_inventory()
        cls.program = env["crm.loyalty.program"].create(
            {
                "name": "Bridge Club",
                "company_id": cls.company.id,
                "point_value": 0.01,
                "reward_product_id": env.ref("crm_loyalty.product_loyalty_reward").id,
            }
        )
        cls.customer = env["res.partner"].create(
            {"name": "Bridge Customer", "is_company": True, "email": "bridge@example.com"}
        )
        cls.member = env["crm.loyalty.membership"].create({"partner_id": cls.customer.id, "program_id": cls.program.id})
        # sell 5 at 100, deliver, invoice
        cls.order = env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "warehouse_id": cls.warehouse.id,
                "order_line": [
                    Command.create(
                        {"product_id": cls.product.id, "product_uom_qty": 5, "price_unit": 100, "tax_id": False}
                    )
                ],
            }
        )
        cls.order.action_confirm()
        cls.delivery = cls.order.picking_ids
        cls.delivery.move_ids.quantity = 5
        cls.delivery.button_validate()
        cls.invoice = cls.order._create_invoices()
        cls.invoice.action_post()
        # a complaint: return 1 and credit it
        cls.ticket = env["crm.feedback.ticket"].create(
            {
                "subject": "Scratched desk",
                "description": "<p>One desk is scratched.</p>",
                "partner_id": cls.customer.id,
                "invoice_id": cls.invoice.id,
                "picking_id": cls.delivery.id,
                "company_id": cls.company.id,
            }
        )
        action = cls.ticket.action_create_return()
        wizard = env["stock.return.picking"].browse(action["res_id"]).with_context(**action["context"])
        wizard.product_return_moves.write({"quantity": 1, "to_refund": True})
        wizard.action_create_returns()
        cls.return_picking = cls.ticket.return_picking_ids
        cls.return_picking.move_ids.quantity = 1
        cls.return_picking.button_validate()
        reversal = (
            env["account.move.reversal"]
            .with_context(
                active_model="account.move",
                active_ids=cls.invoice.ids,
                crm_feedback_ticket_id=cls.ticket.id,
            )
            .create({"reason": "scratched", "journal_id": cls.invoice.journal_id.id})
        )
        reversal.refund_moves()
        cls.refund = cls.ticket.credit_note_ids
        cls.refund.invoice_line_ids.quantity = 1
        cls.refund.action_post()

    def test_profitability_exact_amounts(self):
        self.assertEqual(self.refund.amount_untaxed, 100)
        rows = self.env["crm.customer.profitability"].search([("partner_id", "=", self.customer.id)])
        totals = {
            f: sum(rows.mapped(f))
            for f in (
                "gross_revenue",
                "cost_of_goods",
                "gross_margin",
                "ticket_credit",
                "loyalty_rewards",
                "contribution",
            )
        }
        self.assertEqual(
            totals,
            {
                "gross_revenue": 500.0,
                "cost_of_goods": 240.0,
                "gross_margin": 260.0,
                "ticket_credit": 100.0,
                "loyalty_rewards": 0.0,
                "contribution": 160.0,
            },
        )
        self.assertEqual(self.ticket.resolution_cost, 100)
        # the same figures by product category (COGS from the valuation layers of the category's products)
        by_categ = self.env["crm.customer.profitability"]._read_group(
            [("partner_id", "=", self.customer.id)], ["categ_id"], ["gross_revenue:sum", "cost_of_goods:sum"]
        )
        self.assertEqual(by_categ, [(self.product.categ_id, 500.0, 240.0)])

    def test_value_class_uses_contribution(self):
        self.env["crm.rfm.score"]._recompute(self.company)
        score = self.env["crm.rfm.score"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(score.monetary, 400.0, "RFM monetary stays net revenue")
        self.assertEqual(score.value_amount, 160.0, "value classes use net contribution from the bridge")

    def _fact_totals(self):
        Fact = self.env["crm.sales.fact"]
        Fact.invalidate_model()
        rows = Fact.search([("partner_id", "=", self.customer.id)])
        columns = (
            "invoice_count", "net_revenue", "gross_revenue", "cogs", "consumable_cost", "ticket_credit",
            "loyalty_rewards", "contribution",
        )  # fmt: skip
        return {c: sum(rows.mapped(c)) for c in columns}

    def test_sales_facts_carry_the_contribution(self):
        # delivery and return valued by their layers, the ticket's credit note as cost to serve
        expected = {
            "invoice_count": 1,
            "net_revenue": 400.0,
            "gross_revenue": 500.0,
            "cogs": 240.0,
            "consumable_cost": 0.0,
            "ticket_credit": 100.0,
            "loyalty_rewards": 0.0,
            "contribution": 160.0,
        }
        self.assertEqual(self._fact_totals(), expected)
        self.env["crm.sales.fact"]._rebuild(self.company)
        self.assertEqual(self._fact_totals(), expected, "the maintained rows equal a rebuild from the documents")
        # the desk becomes the program's reward product: its invoiced lines are rewards now, and back
        reward = self.program.reward_product_id
        self.program.reward_product_id = self.product
        self.assertEqual(
            self._fact_totals(), dict(expected, gross_revenue=0.0, ticket_credit=0.0, loyalty_rewards=-400.0)
        )
        self.program.reward_product_id = reward
        self.assertEqual(self._fact_totals(), expected)

    def test_loyalty_points_follow_invoice_and_credit_note(self):
        self.assertEqual(self.member.balance, 400.0)

    def test_360_panel_values(self):
        customer = self.customer.with_company(self.company)
        self.assertEqual(customer.crm360_revenue_total, 400.0)
        self.assertEqual(customer.crm360_margin_12m, 260.0)
        self.assertEqual(customer.crm360_receivable, 400.0)
        self.assertEqual(customer.crm360_returns_12m, 1)
        self.assertTrue(customer.crm360_last_delivery)
        self.assertEqual(customer.feedback_open_count, 1)
        self.assertEqual(customer.loyalty_balance, 400.0)

    def test_360_panel_for_a_salesperson_without_loyalty_or_feedback_rights(self):
        """The panel is the salesperson's: it shows the counts and scores of loyalty and feedback even
        to one who may not open those records (the drill-down then follows their own rights)."""
        self.env["crm.feedback.nps"].create({"partner_id": self.customer.id, "score": 9, "company_id": self.company.id})
        seller = new_test_user(
            self.env, login="panel_seller", groups="sales_team.group_sale_salesman", company_id=self.company.id
        )
        customer = self.customer.with_user(seller).with_company(self.company)
        # every field the page and the dashboard show, read as the web client does
        arch = (
            self.env.ref("crm_erp_bridge.res_partner_view_form_crm360").arch
            + self.env.ref("crm_erp_bridge.res_partner_view_form_crm360_dashboard").arch
        )
        shown = set(re.findall(r'<field name="(\w+)"', arch))
        self.assertTrue({"feedback_open_count", "crm360_last_nps", "loyalty_tier_id"} <= shown)
        values = customer.web_read({name: {} for name in shown})[0]
        self.assertEqual(values["feedback_open_count"], 1)
        self.assertEqual(values["crm360_last_nps"], 9)
        self.assertEqual(values["loyalty_balance"], 400.0)
        self.assertEqual(values["crm360_revenue_total"], 400.0)
        with self.assertRaises(AccessError):
            self.env["crm.feedback.ticket"].with_user(seller).search([])

    def _panel_queries(self, partner):
        partner.invalidate_recordset()
        self.env.invalidate_all()
        before = odoo.sql_db.sql_counter
        partner.with_company(self.company).read(PANEL_FIELDS)
        return odoo.sql_db.sql_counter - before

    def test_360_panel_constant_queries(self):
        def customer_with(n):
            partner = self.env["res.partner"].create({"name": f"History {n}", "is_company": True})
            moves = self.env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": fields.Date.today() - timedelta(days=i),
                        "invoice_line_ids": [
                            Command.create(
                                {"product_id": self.product_a.id, "quantity": 1, "price_unit": 10, "tax_ids": False}
                            )
                        ],
                    }
                    for i in range(n)
                ]
            )
            moves.action_post()
            return partner

        small, big, warm = customer_with(10), customer_with(2000), customer_with(1)
        # and a contact tree under the big customer: no query per level of contacts either
        buyer = self.env["res.partner"].create({"name": "Buyer", "parent_id": big.id})
        self.env["res.partner"].create({"name": "Assistant", "parent_id": buyer.id})
        # warm the caches of the ORM (ir.rule, field metadata) on a third customer: small and big are both read
        # for the first time (crm_privacy's access log writes a row on the first read of a customer's panel)
        self._panel_queries(warm)
        self.assertEqual(self._panel_queries(small), self._panel_queries(big))

    def test_xlsx_export(self):
        accountant = new_test_user(
            self.env,
            login="bridge_acc",
            groups="account.group_account_invoice,base.group_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        today = fields.Date.today()
        wizard = (
            self.env["crm.accounting.export"]
            .with_user(accountant)
            .create(
                {
                    "company_id": self.company.id,
                    "date_from": today.replace(day=1) - timedelta(days=40),
                    "date_to": today,
                    "program_ids": [Command.set(self.program.ids)],
                }
            )
        )
        action = wizard.action_export()
        self.assertIn("download=true", action["url"])
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data)))
        self.assertEqual(
            book.sheetnames,
            [
                "Loyalty Liability",
                "Profitability by Customer",
                "Profitability by Segment",
                "Whale Curve",
                "CLV by Cohort",
                "Receivables Aging",
                "Feedback Resolution Cost",
                "Liability Tie-out",
                "Redemption Cohorts",
                "Breakage Estimates",
                "Adjustments and Goodwill",
                "Ledger Integrity",
            ],
        )
        liability = book["Loyalty Liability"]
        self.assertEqual(liability.freeze_panes, "A2")
        self.assertTrue(liability.auto_filter.ref)
        rows = [r for r in liability.iter_rows(min_row=2, values_only=True) if r[0] == "Bridge Club"]
        earned = sum(r[3] for r in rows)
        reversed_ = sum(r[6] for r in rows)
        self.assertEqual((earned, reversed_), (500, -100))
        self.assertEqual(rows[-1][7], 400)
        self.assertAlmostEqual(rows[-1][10], 4.0)
        total_row = liability.max_row
        self.assertEqual(liability.cell(total_row, 1).value, "Total")
        self.assertTrue(str(liability.cell(total_row, 4).value).startswith("=SUBTOTAL(9,D2:D"))
        self.assertEqual(liability.cell(2, 3).number_format, "#,##0")
        profit = book["Profitability by Customer"]
        row = next(r for r in profit.iter_rows(min_row=2, values_only=True) if r[0] == "Bridge Customer")
        self.assertEqual(row[1:], (500, 240, 260, 100, 0, 400, 160))
        self.assertEqual(profit.cell(2, 2).number_format, "#,##0.00")
        feedback = book["Feedback Resolution Cost"]
        row = next(r for r in feedback.iter_rows(min_row=2, values_only=True) if r[0] == self.ticket.name)
        self.assertEqual((row[4], row[5]), (100, 1))
        aging = book["Receivables Aging"]
        self.assertEqual(sum(r[7] or 0 for r in aging.iter_rows(min_row=2, values_only=True) if r[0] != "Total"), 400)

    def _export_book(self, date_from, date_to):
        wizard = self.env["crm.accounting.export"].create(
            {
                "company_id": self.company.id,
                "date_from": date_from,
                "date_to": date_to,
                "program_ids": [Command.set(self.program.ids)],
            }
        )
        wizard.action_export()
        content = io.BytesIO(base64.b64decode(wizard.file_data))
        return openpyxl.load_workbook(content), openpyxl.load_workbook(content, data_only=True)

    def test_xlsx_roll_forward_totals(self):
        """The Total row adds up the flows only; the period opens with its first month's opening and closes
        with its last month's closing, over every program."""
        today = fields.Date.today()
        start = today.replace(day=1) - relativedelta(months=2)
        self.env["crm.loyalty.entry"].create(
            {
                "membership_id": self.member.id,
                "entry_type": "bonus",
                "bonus_kind": "other",
                "points": 1000,
                "date": start - timedelta(days=10),
                "reason": "before the period",
            }
        )
        formulas, values = self._export_book(start, today)
        sheet, cached = formulas["Loyalty Liability"], values["Loyalty Liability"]
        rows = [r for r in cached.iter_rows(min_row=2, values_only=True) if r[0] == "Bridge Club"]
        self.assertEqual(len(rows), 3, "three months")
        self.assertEqual([r[2] for r in rows], [1000, 1000, 1000])
        self.assertEqual(rows[-1][7], 1400)
        total = cached.max_row
        self.assertEqual(cached.cell(total, 1).value, "Total")
        opening, earned, reversed_, closing = (cached.cell(total, col).value for col in (3, 4, 7, 8))
        self.assertEqual((opening, earned, reversed_, closing), (1000, 500, -100, 1400))
        self.assertEqual(opening + earned + reversed_, closing, "the total row rolls forward")
        self.assertAlmostEqual(cached.cell(total, 10).value, 10.0)
        self.assertAlmostEqual(cached.cell(total, 11).value, 14.0)
        # live formulas: flows as subtotals, balances on the first and the last month
        self.assertTrue(sheet.cell(total, 4).value.startswith("=SUBTOTAL(9,D2:D"))
        self.assertTrue(sheet.cell(total, 3).value.startswith("=SUMIFS(C2:C"))
        self.assertIn(f"DATE({start.year},{start.month},1)", sheet.cell(total, 3).value)
        self.assertIn(f"DATE({today.year},{today.month},1)", sheet.cell(total, 8).value)

    def test_two_revenues_named_and_defined(self):
        """Gross Revenue (before points and ticket credit notes) and Net Revenue (after them) on one scenario:
        the report, the 360 view and the workbook give each its own name and the same number."""
        reward = self.program.reward_product_id
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": self.product_a.id, "quantity": 1, "price_unit": 250, "tax_ids": False}
                    ),
                    Command.create({"product_id": reward.id, "quantity": 1, "price_unit": -50, "tax_ids": False}),
                ],
            }
        )
        invoice.action_post()
        rows = self.env["crm.customer.profitability"].search([("partner_id", "=", self.customer.id)])
        gross, net = sum(rows.mapped("gross_revenue")), sum(rows.mapped("net_revenue"))
        # gross: 500 invoiced + 250, the ticket's credit note and the points left out
        self.assertEqual(gross, 750.0)
        self.assertEqual((sum(rows.mapped("ticket_credit")), sum(rows.mapped("loyalty_rewards"))), (100.0, 50.0))
        # net: what the customer was invoiced after every credit note and points discount
        moves = self.env["account.move"].search(
            [("commercial_partner_id", "=", self.customer.id), ("state", "=", "posted"),
             ("move_type", "in", ("out_invoice", "out_refund"))]
        )  # fmt: skip
        self.assertEqual(net, sum(moves.mapped("amount_untaxed_signed")))
        self.assertEqual(net, 600.0)
        customer = self.customer.with_company(self.company)
        self.assertEqual((customer.crm360_revenue_total, customer.crm360_revenue_12m), (net, net))
        Report, Partner = self.env["crm.customer.profitability"], self.env["res.partner"]
        self.assertEqual(Report._fields["gross_revenue"].string, "Gross Revenue")
        self.assertEqual(Report._fields["net_revenue"].string, "Net Revenue")
        self.assertIn("Net Revenue", Partner._fields["crm360_revenue_total"].help)
        self.assertIn("before", Report._fields["gross_revenue"].help)
        today = fields.Date.today()
        _formulas, values = self._export_book(today.replace(day=1), today)
        sheet = values["Profitability by Customer"]
        header = [c.value for c in sheet[1]]
        row = dict(
            zip(
                header,
                next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "Bridge Customer"),
                strict=True,
            )
        )
        self.assertEqual((row["Gross Revenue"], row["Net Revenue"]), (gross, net))

    def test_profitability_ids_are_stable(self):
        """The same row keeps its id from one read to the next (orders, filters, other customers' rows)."""
        Report = self.env["crm.customer.profitability"]
        other = self.env["res.partner"].create({"name": "Another Customer", "is_company": True})
        moves = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": fields.Date.today() - relativedelta(months=months),
                    "invoice_line_ids": [
                        Command.create({"product_id": self.product_a.id, "quantity": 1, "price_unit": 10 + months,
                                        "tax_ids": False})
                    ],
                }
                for partner in (self.customer, other)
                for months in (1, 2, 3)
            ]
        )  # fmt: skip
        moves.action_post()

        def ids_by_key(records):
            return {(r.partner_id.id, r.date, r.categ_id.id): r.id for r in records}

        first = ids_by_key(Report.search([]))
        self.assertEqual(len(set(first.values())), len(first), "unique ids")
        Report.invalidate_model()
        second = ids_by_key(Report.search([], order="gross_revenue desc, partner_id desc"))
        self.assertEqual(second, first)
        Report.invalidate_model()
        mine = ids_by_key(Report.search([("partner_id", "=", self.customer.id)], order="date asc"))
        self.assertEqual(mine, {key: first[key] for key in mine})
        # new customers' rows do not shift the others
        for months in (0, 1, 2):
            self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.env["res.partner"].create({"name": f"Newcomer {months}"}).id,
                    "invoice_date": fields.Date.today() - relativedelta(months=months),
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": self.product_a.id, "quantity": 1, "price_unit": 5, "tax_ids": False}
                        )
                    ],
                }
            ).action_post()
            Report.invalidate_model()
            later = ids_by_key(Report.search([], order="date desc"))
            self.assertEqual({key: later[key] for key in first}, first)
        row = Report.browse(
            first[(self.customer.id, self.invoice.invoice_date.replace(day=1), self.product.categ_id.id)]
        )
        self.assertEqual((row.partner_id, row.gross_revenue), (self.customer, 500.0))

    def test_consumable_cogs_counted_once(self):
        """Consumables delivered are costed by their valuation layers only; invoiced without a delivery, at
        their standard cost when the invoice was posted."""
        consumable = self.env["product.product"].create(
            {
                "name": "Gift Box",
                "type": "consu",
                "is_storable": False,
                "standard_price": 10.0,
                "list_price": 30.0,
                "taxes_id": False,
                "invoice_policy": "delivery",
            }
        )
        customer = self.env["res.partner"].create({"name": "Box Buyer", "is_company": True})
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "warehouse_id": self.warehouse.id,
                "order_line": [
                    Command.create(
                        {"product_id": consumable.id, "product_uom_qty": 2, "price_unit": 30, "tax_id": False}
                    )
                ],
            }
        )
        order.action_confirm()
        order.picking_ids.move_ids.quantity = 2
        order.picking_ids.button_validate()
        self.assertTrue(
            self.env["stock.valuation.layer"].search([("stock_move_id", "in", order.picking_ids.move_ids.ids)])
        )
        order._create_invoices().action_post()
        Report = self.env["crm.customer.profitability"]

        def cogs():
            Report.invalidate_model()
            return sum(Report.search([("partner_id", "=", customer.id)]).mapped("cost_of_goods"))

        def fact_cost():
            Fact = self.env["crm.sales.fact"]
            Fact.invalidate_model()
            facts = Fact.search([("partner_id", "=", customer.id)])
            return sum(facts.mapped("cogs")) + sum(facts.mapped("consumable_cost"))

        self.assertEqual(cogs(), 20.0, "2 delivered at a cost of 10, counted once")
        self.assertEqual(fact_cost(), 20.0)
        customer.invalidate_recordset()
        self.assertEqual(customer.with_company(self.company).crm360_margin_12m, 40.0)
        # invoiced without a delivery: the cost when posted, not today's standard price
        manual = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create({"product_id": consumable.id, "quantity": 3, "price_unit": 30, "tax_ids": False})
                ],
            }
        )
        manual.action_post()
        self.assertEqual(cogs(), 50.0)
        consumable.standard_price = 15.0
        self.assertEqual(cogs(), 50.0, "the cost at posting stays")
        self.env["crm.sales.fact"]._rebuild(self.company)
        self.assertEqual(fact_cost(), 50.0, "a rebuild of the facts keeps it too")

    def test_export_only_for_accounting(self):
        salesman = new_test_user(
            self.env,
            login="bridge_sales",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            self.env["crm.accounting.export"].with_user(salesman).create({"company_id": self.company.id})

    def test_scheduled_monthly_export_is_archived_for_accountants_only(self):
        Archive = self.env["crm.accounting.export.archive"]
        cron = self.env["crm.accounting.export"].sudo()  # as the cron runner (OdooBot, every company)
        with freeze_time("2026-03-02"):
            archives = cron._cron_export()
            again = cron._cron_export()
        mine = archives.filtered(lambda a: a.company_id == self.company)
        self.assertRecordValues(
            mine,
            [{"date_from": date(2026, 2, 1), "date_to": date(2026, 2, 28), "name": "customer-relations-2026-02.xlsx"}],
        )
        self.assertEqual(
            again.filtered(lambda a: a.company_id == self.company), mine, "a re-run replaces, never duplicates"
        )
        self.assertEqual(Archive.search_count([("company_id", "=", self.company.id)]), 1)
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(mine.file_data)))
        self.assertEqual(len(book.sheetnames), 12, "seven sheets and the auditor pack")
        self.assertEqual(book.worksheets[0].freeze_panes, "A2")
        accountant = new_test_user(
            self.env,
            login="archive_acc",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.assertTrue(mine.with_user(accountant).file_data)
        salesman = new_test_user(
            self.env,
            login="archive_sales",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            mine.with_user(salesman).read(["file_data"])
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "crm.accounting.export.archive"),
                ("res_id", "=", mine.id),
                ("res_field", "=", "file_data"),
            ]
        )
        self.assertEqual(len(attachment), 1)
        with self.assertRaises(AccessError):
            attachment.with_user(salesman).read(["datas"])

    def test_credit_control(self):
        self.company.write({"account_use_credit_limit": True, "credit_limit_policy": "block"})
        self.customer.with_company(self.company).credit_limit = 450
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_uom_qty": 1, "price_unit": 100, "tax_id": False}
                    )
                ],
            }
        )
        self.assertIn("credit limit", order.partner_credit_warning)
        with self.assertRaises(UserError):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        self.company.credit_limit_policy = "warn"
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertIn("credit limit", order.message_ids[0].body + "".join(order.message_ids.mapped("body")))
        # overdue invoices block redemption
        self.company.credit_overdue_days = 0
        self.invoice.invoice_date_due = fields.Date.today() - timedelta(days=5)
        self.invoice.line_ids.filtered(lambda l: l.account_type == "asset_receivable").date_maturity = (
            fields.Date.today() - timedelta(days=5)
        )
        self.customer.invalidate_recordset()
        self.assertTrue(self.customer.with_company(self.company).credit_overdue)
        quote = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create({"product_id": self.product.id, "product_uom_qty": 1, "price_unit": 100})
                ],
            }
        )
        wizard = self.env["crm.loyalty.redeem.wizard"].create(
            {"order_id": quote.id, "membership_id": self.member.id, "points": 10}
        )
        with self.assertRaises(UserError):
            wizard.action_apply()

    def test_overdue_blocks_a_salesperson_limited_to_own_documents(self):
        """The overdue invoices of another salesperson still count: credit control is the company's rule,
        not what the user happens to be allowed to read."""
        self.company.credit_overdue_days = 0
        self.invoice.line_ids.filtered(lambda l: l.account_type == "asset_receivable").date_maturity = (
            fields.Date.today() - timedelta(days=5)
        )
        self.assertNotEqual(self.invoice.invoice_user_id.login, "own_docs")
        seller = new_test_user(
            self.env,
            login="own_docs",
            groups="sales_team.group_sale_salesman,crm_loyalty.group_loyalty_user",
            company_id=self.company.id,
        )
        customer = self.customer.with_user(seller).with_company(self.company)
        self.assertFalse(
            self.env["account.move"].with_user(seller).search([("id", "=", self.invoice.id)]),
            "the invoice itself stays out of the salesperson's reach",
        )
        self.assertTrue(customer.credit_overdue)
        quote = (
            self.env["sale.order"]
            .with_user(seller)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create({"product_id": self.product.id, "product_uom_qty": 1, "price_unit": 100})
                    ],
                }
            )
        )
        self.assertTrue(quote.credit_overdue)
        wizard = (
            self.env["crm.loyalty.redeem.wizard"]
            .with_user(seller)
            .create({"order_id": quote.id, "membership_id": self.member.id, "points": 10})
        )
        with self.assertRaises(UserError):
            wizard.action_apply()

    def test_liability_accrual_reconciles_across_days(self):
        Entry = self.env["crm.loyalty.entry"]
        liability = self.env["account.account"].create(
            {
                "name": "Loyalty liability",
                "code": "LOYL01",
                "account_type": "liability_current",
                "company_ids": [Command.set(self.company.ids)],
            }
        )
        self.program.write(
            {
                "liability_accounting": True,
                "liability_journal_id": self.company_data["default_journal_misc"].id,
                "loyalty_expense_account_id": self.company_data["default_account_expense"].id,
                "loyalty_liability_account_id": liability.id,
                "loyalty_breakage_account_id": self.company_data["default_account_revenue"].id,
            }
        )
        other = self.env["res.partner"].create({"name": "Ledger Co", "is_company": True})
        member = self.env["crm.loyalty.membership"].create({"partner_id": other.id, "program_id": self.program.id})
        # three days before the class's own ledger entries (its invoice and credit note, dated today): the
        # nightly runs below, on the days after, accrue the test's entries only, whatever day it runs on
        day1 = fields.Date.context_today(self.program) - timedelta(days=30)
        day2, day3 = day1 + timedelta(days=1), day1 + timedelta(days=2)
        earn = Entry.create(
            {
                "membership_id": member.id,
                "entry_type": "bonus",
                "bonus_kind": "other",
                "points": 1000,
                "date": day1,
                "reason": "welcome",
            }
        )
        with freeze_time(day2):
            first = self.env["crm.loyalty.accrual"]._cron_accrue()
        self.assertEqual(len(first), 1)
        self.assertEqual(first.entry_ids, earn)
        lines = first.move_id.line_ids
        self.assertEqual(first.move_id.state, "posted")
        self.assertEqual(sorted(lines.mapped("debit")), [0.0, 10.0])
        self.assertEqual(lines.filtered(lambda l: l.account_id == liability).credit, 10.0)
        self.assertEqual(lines.loyalty_entry_ids, earn, "each line names the ledger entries it covers")
        Entry.create({"membership_id": member.id, "entry_type": "redeem", "points": -300, "date": day2})
        Entry.create({"membership_id": member.id, "entry_type": "expire", "points": -200, "date": day3})
        Entry.create(
            {
                "membership_id": member.id,
                "entry_type": "reverse",
                "points": -100,
                "date": day3,
                "reversed_entry_id": earn.id,
            }
        )
        self.company.fiscalyear_lock_date = day2
        with freeze_time(day3 + timedelta(days=1)):
            second = self.env["crm.loyalty.accrual"]._cron_accrue()
            self.assertFalse(self.env["crm.loyalty.accrual"]._cron_accrue(), "a second run posts nothing")
        self.assertEqual(second.mapped("date"), [day2, day3])
        locked = second.filtered(lambda a: a.date == day2).move_id
        self.assertEqual(locked.date, day3, "a locked day goes to the first open date")
        self.assertIn("locked", locked.narration)
        expire_move = second.filtered(lambda a: a.date == day3).move_id
        breakage = expire_move.line_ids.filtered(lambda l: l.account_id == self.program.loyalty_breakage_account_id)
        self.assertEqual(breakage.credit, 2.0)
        for day, expected in ((day1, 10.0), (day3, 4.0)):
            ledger, gl, diff = self.program._liability_reconciliation(day)
            self.assertEqual((ledger, gl, diff), (expected, expected, 0.0), day)
        # the locked day keeps its GL balance: the difference is the release booked on the next open date
        self.assertEqual(self.program._liability_reconciliation(day2), (7.0, 10.0, -3.0))
        row = self.env["crm.loyalty.liability.report"].search(
            [("program_id", "=", self.program.id), ("date", "=", day2)]
        )
        self.assertEqual(row.booked_later, -3.0)
        self.assertIn("booked on a later date", row.explanation)
        self.assertEqual(len(self.program.accrual_ids), 3)

    def test_liability_invalid_configuration(self):
        self.program.write({"liability_accounting": True})
        logger = "odoo.addons.crm_erp_bridge.models.loyalty_accrual"
        with freeze_time("2026-03-05"), self.assertLogs(logger, "ERROR") as logs:
            self.assertFalse(self.env["crm.loyalty.accrual"]._cron_accrue())
        self.assertIn(self.program.name, logs.output[0])
        self.assertEqual(len(self.program.activity_ids), 1, "the manager is told")
        self.assertFalse(self.env["crm.loyalty.accrual"].search([("program_id", "=", self.program.id)]))
        with self.assertRaises(UserError):
            self.program.action_accrue_now()
        # an archived journal stops it too, and the next day's run does not repeat the reminder
        journal = self.company_data["default_journal_misc"]
        liability = self.env["account.account"].create(
            {"name": "Loyalty liability", "code": "LOYL09", "account_type": "liability_current"}
        )
        self.program.write(
            {
                "liability_journal_id": journal.id,
                "loyalty_expense_account_id": self.company_data["default_account_expense"].id,
                "loyalty_liability_account_id": liability.id,
                "loyalty_breakage_account_id": self.company_data["default_account_revenue"].id,
            }
        )
        journal.active = False
        moves_before = self.env["account.move"].search_count([])
        with freeze_time("2026-03-06"), self.assertLogs(logger, "ERROR") as logs:
            self.assertFalse(self.env["crm.loyalty.accrual"]._cron_accrue())
        self.assertIn(journal.name, logs.output[0])
        self.assertEqual(len(self.program.activity_ids), 1)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before, "no partial write")
