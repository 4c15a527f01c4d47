import base64
import io
from datetime import timedelta

import openpyxl

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

MEASURES = (
    "contribution",
    "ticket_handling_cost",
    "freight_cost",
    "return_cost",
    "payment_delay_cost",
    "service_cost",
    "net_profit",
)


class CostToServeCommon(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("en_US")
        cls.env.user.lang = "en_US"
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        env = cls.env
        env.user.groups_id |= (
            env.ref("sales_team.group_sale_manager")
            | env.ref("stock.group_stock_manager")
            | env.ref("crm_feedback.group_feedback_manager")
        )
        cls.company = cls.company_data["company"]
        cls.today = fields.Date.context_today(env.user)
        cls.company.write(
            {
                "crm_ticket_hourly_cost": 40.0,
                "crm_shipment_cost": 8.0,
                "crm_return_cost": 15.0,
                "crm_cost_of_capital": 10.0,
            }
        )
        cls.warehouse = env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        # a consumable at no cost: contribution = the invoiced amount
        cls.product = env["product.product"].create(
            {"name": "Service pack", "type": "consu", "standard_price": 0.0, "list_price": 100.0, "taxes_id": False}
        )
        cls.closed_stage = env["crm.feedback.stage"].create({"name": "Solved (test)", "is_closed": True})
        cls.Queue = env["crm.figures.queue"].sudo()  # technical: only the cron touches it

    @classmethod
    def _invoice(cls, partner, amount, invoice_date=None, due_date=None):
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": invoice_date or cls.today,
                "invoice_date_due": due_date or invoice_date or cls.today,
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": cls.product.id, "quantity": 1, "price_unit": amount, "tax_ids": False}
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    @classmethod
    def _ticket(cls, partner, hours, team=None, close=True):
        ticket = cls.env["crm.feedback.ticket"].create(
            {
                "subject": "Help",
                "description": "<p>Help needed.</p>",
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "team_id": team.id if team else False,
                "time_spent": hours,
            }
        )
        if close:
            ticket.stage_id = cls.closed_stage
        return ticket

    @classmethod
    def _deliver(cls, partner):
        picking = cls.env["stock.picking"].create(
            {
                "partner_id": partner.id,
                "picking_type_id": cls.warehouse.out_type_id.id,
                "location_id": cls.warehouse.lot_stock_id.id,
                "location_dest_id": cls.env.ref("stock.stock_location_customers").id,
                "move_ids": [
                    Command.create(
                        {
                            "name": cls.product.name,
                            "product_id": cls.product.id,
                            "product_uom_qty": 1,
                            "product_uom": cls.product.uom_id.id,
                            "location_id": cls.warehouse.lot_stock_id.id,
                            "location_dest_id": cls.env.ref("stock.stock_location_customers").id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids.quantity = 1
        picking.button_validate()
        return picking

    @classmethod
    def _return(cls, picking):
        wizard = (
            cls.env["stock.return.picking"]
            .with_context(active_id=picking.id, active_ids=picking.ids, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = 1
        action = wizard.action_create_returns()
        returned = cls.env["stock.picking"].browse(action["res_id"])
        returned.move_ids.quantity = 1
        returned.button_validate()
        return returned

    @classmethod
    def _pay(cls, invoice, payment_date):
        cls.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"payment_date": payment_date}
        )._create_payments()

    def _totals(self, partners):
        self.Queue._process()
        totals = self.env["crm.sales.fact"]._customer_totals(partners, self.company, measures=MEASURES)
        return {
            partner: {m: round(totals.get((partner.id, self.company.id), {}).get(m, 0.0), 2) for m in MEASURES}
            for partner in partners
        }


@tagged("post_install", "-at_install")
class TestCostToServe(CostToServeCommon):
    """A hand-computed example. Rates: 40 an hour (the company), 60 an hour (team Experts), 8 per shipment,
    15 per return, cost of capital 10% a year.

    Alpha: invoice 1,000 due 40 days ago, paid 10 days ago (30 days late); tickets: 1.5 h by Experts and 2 h
    by a team without rate, closed, 5 h on an open one; two deliveries, one returned.
      ticket handling = 1.5 x 60 + 2 x 40 = 170 (the open ticket counts nothing yet)
      freight = 2 x 8 = 16; returns = 1 x 15 = 15
      payment delay = 1,000 x 30 x 10% / 365 = 8.219... = 8.22
      service cost = 170 + 16 + 15 + 8.22 = 209.22; net profit = 1,000 - 209.22 = 790.78
    Beta: invoice 500 paid on its due date, one delivery: freight 8, net profit 492.
    Gamma: invoice 100, 4 h by Experts closed: ticket handling 240, net profit 100 - 240 = -140.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.experts = env["crm.feedback.team"].create({"name": "Experts", "crm_hourly_cost": 60.0})
        cls.generalists = env["crm.feedback.team"].create({"name": "Generalists"})
        cls.alpha, cls.beta, cls.gamma = env["res.partner"].create(
            [
                {"name": "Alpha", "is_company": True},
                {"name": "Beta", "is_company": True},
                {"name": "Gamma", "is_company": True},
            ]
        )
        cls.alpha_invoice = cls._invoice(
            cls.alpha, 1000.0, invoice_date=cls.today - timedelta(days=60), due_date=cls.today - timedelta(days=40)
        )
        cls._pay(cls.alpha_invoice, cls.today - timedelta(days=10))
        cls._ticket(cls.alpha, 1.5, cls.experts)
        cls._ticket(cls.alpha, 2.0, cls.generalists)
        cls.open_ticket = cls._ticket(cls.alpha, 5.0, cls.experts, close=False)
        delivery = cls._deliver(cls.alpha)
        cls._deliver(cls.alpha)
        cls._return(delivery)
        beta_invoice = cls._invoice(cls.beta, 500.0, invoice_date=cls.today - timedelta(days=20))
        cls._pay(beta_invoice, cls.today - timedelta(days=20))
        cls._deliver(cls.beta)
        cls._invoice(cls.gamma, 100.0)
        cls._ticket(cls.gamma, 4.0, cls.experts)

    def test_each_component_by_hand(self):
        totals = self._totals(self.alpha | self.beta | self.gamma)
        self.assertEqual(
            totals[self.alpha],
            {
                "contribution": 1000.0,
                "ticket_handling_cost": 170.0,
                "freight_cost": 16.0,
                "return_cost": 15.0,
                "payment_delay_cost": 8.22,
                "service_cost": 209.22,
                "net_profit": 790.78,
            },
        )
        self.assertEqual(
            totals[self.beta],
            {
                "contribution": 500.0,
                "ticket_handling_cost": 0.0,
                "freight_cost": 8.0,
                "return_cost": 0.0,
                "payment_delay_cost": 0.0,
                "service_cost": 8.0,
                "net_profit": 492.0,
            },
        )
        self.assertEqual(totals[self.gamma]["ticket_handling_cost"], 240.0)
        self.assertEqual(totals[self.gamma]["net_profit"], -140.0)

    def test_changes_requeue_the_customer(self):
        """A ticket's time, a delivery's date, a payment undone: the customer is queued, and the queue's
        refresh brings the figures in line."""
        self._totals(self.alpha)  # queue empty
        self.assertFalse(self.Queue.search([("partner_id", "=", self.alpha.id)]))
        # 1.5 h more on the open ticket, then closed: + 6.5 h x 60 = 390
        self.open_ticket.time_spent = 6.5
        self.assertTrue(self.Queue.search([("partner_id", "=", self.alpha.id), ("event", "=", "ticket")]))
        self.open_ticket.stage_id = self.closed_stage
        self.assertEqual(self._totals(self.alpha)[self.alpha]["ticket_handling_cost"], 170.0 + 390.0)
        # the team's rate changes: 8 h of Experts at 50 = 400 (was 480), + 2 h x 40 = 480
        self.experts.crm_hourly_cost = 50.0
        self.assertTrue(self.Queue.search([("partner_id", "=", self.alpha.id)]))
        self.assertEqual(self._totals(self.alpha)[self.alpha]["ticket_handling_cost"], 480.0)
        # the payment is undone: no late payment any more
        self.alpha_invoice.line_ids.remove_move_reconcile()
        self.assertTrue(self.Queue.search([("partner_id", "=", self.alpha.id), ("event", "=", "reconcile")]))
        self.assertEqual(self._totals(self.alpha)[self.alpha]["payment_delay_cost"], 0.0)
        # a delivery is validated: + 8
        delivery = self._deliver(self.alpha)
        self.assertTrue(self.Queue.search([("partner_id", "=", self.alpha.id), ("event", "=", "delivery")]))
        self.assertEqual(self._totals(self.alpha)[self.alpha]["freight_cost"], 24.0)
        # a done delivery re-dated: the freight moves to its new day
        delivery.date_done = fields.Datetime.now() - timedelta(days=5)
        self.assertTrue(self.Queue.search([("partner_id", "=", self.alpha.id), ("event", "=", "delivery")]))
        self.Queue._process()
        Fact = self.env["crm.sales.fact"]
        before = Fact._customer_totals(
            self.alpha, self.company, date_to=self.today - timedelta(days=4), measures=["freight_cost"]
        )
        self.assertEqual(before[(self.alpha.id, self.company.id)]["freight_cost"], 8.0)

    def test_timesheets_replace_the_time_spent(self):
        """Gamma's ticket: 4 h recorded as Time Spent, then timesheets of 1 h and 0.5 h on it: 1.5 x 60 = 90."""
        self._totals(self.gamma)
        ticket = self.env["crm.feedback.ticket"].search([("partner_id", "=", self.gamma.id)])
        plan = self.env["account.analytic.plan"].create({"name": "Service (test)"})
        account = self.env["account.analytic.account"].create({"name": "Support", "plan_id": plan.id})
        lines = self.env["account.analytic.line"].create(
            [
                {"name": "Call", "account_id": account.id, "unit_amount": hours, "crm_feedback_ticket_id": ticket.id}
                for hours in (1.0, 0.5)
            ]
        )
        self.assertTrue(self.Queue.search([("partner_id", "=", self.gamma.id), ("event", "=", "ticket")]))
        self.assertEqual(self._totals(self.gamma)[self.gamma]["ticket_handling_cost"], 90.0)
        lines[1].unlink()
        self.assertEqual(self._totals(self.gamma)[self.gamma]["ticket_handling_cost"], 60.0)

    def test_company_rates_apply_at_once(self):
        self._totals(self.alpha)
        # per shipment 8 -> 10, per return 15 -> 20, capital 10% -> 20%: 3 deliveries... alpha has 2
        self.company.write({"crm_shipment_cost": 10.0, "crm_return_cost": 20.0, "crm_cost_of_capital": 20.0})
        totals = self._totals(self.alpha)[self.alpha]
        self.assertEqual(totals["freight_cost"], 20.0)
        self.assertEqual(totals["return_cost"], 20.0)
        self.assertEqual(totals["payment_delay_cost"], 16.44)  # 1,000 x 30 x 20% / 365 = 16.438

    def test_profitability_report_shows_the_components(self):
        self._totals(self.alpha)
        Report = self.env["crm.customer.profitability"]
        groups = Report._read_group(
            [("partner_id", "=", self.alpha.id)],
            [],
            [
                "ticket_handling_cost:sum",
                "freight_cost:sum",
                "return_cost:sum",
                "payment_delay_cost:sum",
                "service_cost:sum",
                "net_profit:sum",
            ],
        )
        self.assertEqual([round(v, 2) for v in groups[0]], [170.0, 16.0, 15.0, 8.22, 209.22, 790.78])

    def test_360_panel_shows_service_cost_and_net_profit(self):
        self._totals(self.alpha)
        self.env.invalidate_all()
        self.assertEqual(round(self.alpha.crm360_service_cost_12m, 2), 209.22)
        self.assertEqual(round(self.alpha.crm360_net_profit_12m, 2), 790.78)

    def test_whale_curve_by_hand(self):
        """Ranked: Alpha 790.78, Beta 492, Gamma -140; total 1,142.78.
        Cumulative shares: 790.78 / 1,142.78 = 69.2%, 1,282.78 / 1,142.78 = 112.25%, 100%.
        Two customers in three (67%) earn 112% of the profit; one in three (33%) destroys 140 / 1,142.78 = 12%."""
        self._totals(self.alpha | self.beta | self.gamma)
        # only these three: a company of their own would need a second chart; the curve of the company is read
        # for the customers of this test only through the partner filter of the totals
        curve = self.env["crm.whale.curve"]._whale_curve(company=self.company)
        points = [p for p in curve["points"] if p["partner_id"] in (self.alpha | self.beta | self.gamma).ids]
        self.assertEqual(len(curve["points"]), 3, "the test company has no other customer figures")
        self.assertEqual([p["partner_id"] for p in points], [self.alpha.id, self.beta.id, self.gamma.id])
        self.assertEqual([round(p["profit_share"], 2) for p in points], [69.2, 112.25, 100.0])
        self.assertEqual(points[2]["main_cost"], "ticket_handling_cost")
        self.assertEqual(
            curve["reading"], "The top 67% of customers earn 112% of the profit; the bottom 33% destroy 12% of it."
        )
        # the screen: the same rows, the loss-maker flagged
        rows = self.env["crm.whale.curve"].search([("company_id", "=", self.company.id)])
        self.assertEqual(rows.mapped("partner_id"), self.alpha | self.beta | self.gamma)
        self.assertTrue(all(0 < key < 2**31 for key in rows.ids), "keys an XML-RPC client can read")
        self.assertEqual(rows.filtered("destroys_profit").partner_id, self.gamma)
        # the graph's line: the share at the last customer of each percentile
        graph = dict(
            self.env["crm.whale.curve"]._read_group(
                [("company_id", "=", self.company.id)], ["percentile"], ["curve_share:sum"]
            )
        )
        self.assertEqual({k: round(v, 2) for k, v in graph.items()}, {34: 69.2, 67: 112.25, 100: 100.0})

    def test_menu_opens_the_curve_with_its_reading(self):
        self._totals(self.alpha | self.beta | self.gamma)
        salesperson = new_test_user(
            self.env, login="whale_sales", groups="sales_team.group_sale_salesman", company_id=self.company.id
        )
        action = self.env.ref("crm_erp_bridge.crm_whale_curve_action_server").with_user(salesperson).run()
        self.assertEqual(action["res_model"], "crm.whale.curve")
        self.assertEqual(action["domain"], [("company_id", "=", self.company.id)])
        self.assertIn("the bottom 33% destroy 12% of it", action["display_name"])

    def test_workbook_sheet(self):
        self._totals(self.alpha | self.beta | self.gamma)
        wizard = self.env["crm.accounting.export"].create(
            {"company_id": self.company.id, "date_from": self.today - timedelta(days=90), "date_to": self.today}
        )
        wizard.action_export()
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data)))
        rows = list(book["Whale Curve"].iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("Rank", "Customer", "Contribution"))
        self.assertEqual([r[1] for r in rows[1:4]], ["Alpha", "Beta", "Gamma"])
        self.assertEqual(round(rows[1][4], 2), 790.78)
        self.assertEqual(rows[3][6], "Ticket Handling")
        self.assertEqual(rows[1][6], None)
        self.assertEqual([r[0] for r in rows[1:4]], [1, 2, 3], "ranks are numbers a spreadsheet sorts")
        # under the table (after its total row), the curve's reading, as the screen says it
        self.assertEqual(
            rows[-1][0], "The top 67% of customers earn 112% of the profit; the bottom 33% destroy 12% of it."
        )

    def test_whale_summary_is_the_curve(self):
        """The summary (no row per customer) says what the curve says, and its steps are the curve's points."""
        self._totals(self.alpha | self.beta | self.gamma)
        Whale = self.env["crm.whale.curve"]
        curve = Whale._whale_curve(company=self.company)
        summary = Whale._whale_summary(company=self.company, steps=3)
        self.assertEqual(summary["count"], 3)
        self.assertEqual(summary["reading"], curve["reading"])
        self.assertEqual({k: round(v, 2) for k, v in summary["steps"].items()}, {1: 69.2, 2: 112.25, 3: 100.0})
        self.assertAlmostEqual(summary["destroyed"], curve["destroyed"])


@tagged("post_install", "-at_install")
class TestWhaleCurvePlanted(CostToServeCommon):
    """50 customers each invoiced 100; 5 of them have 10 closed tickets of 1 h (at 40: 400 each): net profit
    45 x 100 = 4,500 for the others, 5 x -300 = -1,500 for them, 3,000 in all. They are the bottom 10% of the
    curve, named with ticket handling; the top 90% earn 4,500 / 3,000 = 150% of the profit; the bottom 10%
    destroy 1,500 / 3,000 = 50% of it."""

    def test_planted_ticket_heavy_customers(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Customer {i:02d}", "is_company": True} for i in range(50)]
        )
        invoices = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": self.today,
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": self.product.id, "quantity": 1, "price_unit": 100.0, "tax_ids": False}
                        )
                    ],
                }
                for partner in partners
            ]
        )
        invoices.action_post()
        heavy = partners[::10]
        tickets = self.env["crm.feedback.ticket"].create(
            [
                {
                    "subject": "Again",
                    "description": "<p>Again.</p>",
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "time_spent": 1.0,
                }
                for partner in heavy
                for _i in range(10)
            ]
        )
        tickets.stage_id = self.closed_stage
        self.Queue._process()
        curve = self.env["crm.whale.curve"]._whale_curve(company=self.company)
        bottom = curve["points"][-5:]
        self.assertEqual({p["partner_id"] for p in bottom}, set(heavy.ids))
        self.assertEqual({p["main_cost"] for p in bottom}, {"ticket_handling_cost"})
        self.assertEqual({p["net_profit"] for p in bottom}, {-300.0})
        self.assertEqual(round(curve["peak"], 2), 150.0)
        self.assertEqual(
            curve["reading"], "The top 90% of customers earn 150% of the profit; the bottom 10% destroy 50% of it."
        )
        destroyers = self.env["crm.whale.curve"].search(
            [("company_id", "=", self.company.id), ("destroys_profit", "=", True)]
        )
        self.assertEqual(destroyers.partner_id, heavy)
        self.assertEqual(set(destroyers.mapped("main_cost")), {"ticket_handling_cost"})


@tagged("post_install", "-at_install")
class TestFreightWithCarrier(CostToServeCommon):
    """With Odoo's stock_delivery: a delivery with a carrier costs the carrier's shipping cost (12.50), one
    without the cost per shipment (8): freight = 20.50."""

    def test_carrier_price_is_the_freight(self):
        if "carrier_price" not in self.env["stock.picking"]._fields:
            self.skipTest("stock_delivery is not installed")
        customer = self.env["res.partner"].create({"name": "Shipped Co", "is_company": True})
        carrier_product = self.env["product.product"].create({"name": "Courier", "type": "service"})
        carrier = self.env["delivery.carrier"].create(
            {"name": "Courier", "delivery_type": "fixed", "fixed_price": 12.5, "product_id": carrier_product.id}
        )
        self._deliver(customer)
        shipped = self._deliver(customer)
        self.assertEqual(self._totals(customer)[customer]["freight_cost"], 16.0)
        shipped.write({"carrier_id": carrier.id, "carrier_price": 12.5})
        self.assertTrue(self.Queue.search([("partner_id", "=", customer.id), ("event", "=", "delivery")]))
        self.assertEqual(self._totals(customer)[customer]["freight_cost"], 20.5)
