from datetime import timedelta

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import format_date
from odoo.tools.safe_eval import safe_eval

from .common import RetentionCommon


@tagged("post_install", "-at_install")
class TestChurnRisk(RetentionCommon):
    def test_hand_computed_example(self):
        """Purchases every 30 days, the last 70 days ago (2.3 x the usual gap: 20 points), a detractor 10
        days ago (15) and 2 SLA breaches (16): 51, flagged at the at-risk score of 50."""
        customer = self._customer("Rhythm Ltd", [160, 130, 100, 70])
        self._nps(customer, 3, 10)
        self._ticket(customer, sla_breached=True)
        self._ticket(customer, sla_breached=True)
        self._compute()
        risk = self._risk(customer)
        detractor_day = self.today - timedelta(days=10)
        self.assertEqual(risk.score, 51)
        self.assertEqual(
            risk.reasons,
            "No order for 2.3 x their usual gap; detractor on {}; 2 SLA breaches".format(
                format_date(self.env, detractor_day, date_format="d MMM")
            ),
        )
        self.assertEqual(risk.usual_gap_days, 30.0)
        self.assertAlmostEqual(risk.gap_ratio, 70 / 30, places=3)
        self.assertEqual(risk.expected_order_date, self.today - timedelta(days=40))
        self.assertEqual(risk.last_purchase_date, self.today - timedelta(days=70))
        self.assertEqual(risk.detractor_date, detractor_day)
        self.assertEqual((risk.sla_breaches, risk.open_complaints, risk.negative_tickets), (2, 0, 0))
        self.assertFalse(risk.predicted, "no BG/NBD prediction: no P(alive) in the score")
        self.assertTrue(risk.at_risk)
        self.assertEqual(risk.flagged_date, self.today)
        self.assertFalse(risk.holdout, "holdout share 0")

    def test_signals_and_below_the_threshold(self):
        """A customer on rhythm with an open complaint and a negative ticket: 20 points, not flagged; a
        promoter after a detractor counts no detractor."""
        customer = self._customer("Calm Ltd", [60, 40, 20, 10])
        self._ticket(customer, "complaint", sentiment="negative")
        self._nps(customer, 2, 100)
        self._nps(customer, 10, 5)
        self._compute()
        risk = self._risk(customer)
        self.assertEqual((risk.open_complaints, risk.negative_tickets, risk.sla_breaches), (1, 1, 0))
        self.assertFalse(risk.detractor_date)
        self.assertEqual(risk.score, 20)
        self.assertEqual(risk.reasons, "1 open complaint; negative sentiment")
        self.assertFalse(risk.at_risk)
        self.assertFalse(risk.flagged_date)

    def test_only_active_customers_and_resumable(self):
        """Customers without a purchase over the activity window get no risk; a run computes only the customers
        not computed today (a crashed cron goes on where it stopped); the next day recomputes everyone."""
        self._compute()  # whatever customers the database already has
        active = [self._customer(f"Active {i}", [90, 60, 30]) for i in range(5)]
        gone = self._customer("Gone Ltd", [900, 800])
        pending = self.Risk._pending_partner_ids(self.company, self.today)
        self.assertEqual(pending, sorted(p.id for p in active))
        self.Risk._compute_batch(self.company, pending[:2], self.today)
        self.assertEqual(self.Risk._pending_partner_ids(self.company, self.today), pending[2:])
        self.assertEqual(self._compute(), 3)
        self.assertEqual(self._compute(), 0)
        self.assertFalse(self._risk(gone))
        self.env.cr.execute("UPDATE crm_churn_risk SET date = date - 1 WHERE partner_id = ANY(%s)", [pending])
        self.assertEqual(self._compute(), 5)

    def test_row_inserted_by_another_run_meanwhile(self):
        """The customers without a row when their signals were read are inserted by a plain insert: a row that a
        concurrent computation inserted since is updated instead (one row, today's score), not an error."""
        customer = self._customer("Twice Ltd", [160, 130, 100, 70])
        self._compute()
        score = self._risk(customer).score
        rows = self.Risk._signal_rows(self.company, customer.ids, self.today)
        # as read before the other computation inserted the row
        rows = [row[:12] + (False,) + row[13:] for row in rows]
        self.env.cr.execute("UPDATE crm_churn_risk SET score = 0, date = date - 1 WHERE partner_id = %s", [customer.id])
        self.assertEqual(self.Risk._write_rows(self.company, rows, self.today), 1)
        self.env.invalidate_all()
        risk = self.Risk.search([("partner_id", "=", customer.id)])
        self.assertEqual(len(risk), 1)
        self.assertEqual((risk.score, risk.date), (score, self.today))

    def test_overdue_invoice(self):
        """An invoice 40 days past due: 10 + 5 points and its amount in the reasons."""
        customer = self._customer("Late Payer", [150, 120, 90])
        product = self.env["product.product"].create({"name": "Widget", "list_price": 100.0})
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": self.today - timedelta(days=70),
                "invoice_date_due": self.today - timedelta(days=40),
                "invoice_line_ids": [(0, 0, {"product_id": product.id, "price_unit": 100.0, "tax_ids": []})],
            }
        )
        invoice.action_post()
        self._compute()
        risk = self._risk(customer)
        self.assertEqual(risk.overdue_amount, 100.0)
        self.assertEqual(risk.overdue_days, 40)
        # the invoice is a purchase too: 150, 120, 90, 70 days ago, a 26.7-day rhythm, 2.6 x (24 points)
        self.assertEqual(risk.score, 24 + 15)
        self.assertIn("overdue for 40 days", risk.reasons)

    def test_episode_kept_until_the_save_window_is_over(self):
        """Flagged 30 days ago and still at risk: the same episode. Flagged 90 days ago (the 60-day save window
        is over), bought since and at risk again: a new episode, its actions cleared."""
        customer = self._customer("Episode Ltd", [160, 130, 100, 70])
        self._ticket(customer, "complaint")
        self._ticket(customer, "complaint")
        self._nps(customer, 1, 5)
        self._compute()
        self.assertEqual(self._risk(customer).flagged_date, self.today)
        sql = "UPDATE crm_churn_risk SET flagged_date = %s, date = %s, treated = TRUE, activity_date = %s"
        month_ago, yesterday = self.today - timedelta(days=30), self.today - timedelta(days=1)
        self.env.cr.execute(sql, [month_ago, yesterday, month_ago])
        self._compute()
        risk = self._risk(customer)
        self.assertEqual((risk.flagged_date, risk.treated, risk.activity_date), (month_ago, True, month_ago))
        quarter_ago = self.today - timedelta(days=90)
        self.env.cr.execute(sql, [quarter_ago, yesterday, quarter_ago])
        self._compute()
        risk = self._risk(customer)
        self.assertEqual((risk.flagged_date, risk.treated, risk.activity_date), (self.today, False, False))

    def test_profiling_opt_out(self):
        """A customer who objects to profiling gets no risk; objecting later removes it."""
        objecting = self._customer("Private Ltd", [160, 130, 100, 70])
        later = self._customer("Later Ltd", [160, 130, 100, 70])
        objecting.crm_profiling_opt_out = True
        self._compute()
        self.assertFalse(self._risk(objecting))
        self.assertTrue(self._risk(later))
        later.crm_profiling_opt_out = True
        self.assertFalse(self._risk(later))

    def test_cron_one_batch_per_call(self):
        """Under the cron runner: one batch per call, its progress reported, the next call goes on."""
        self._compute(self.env["res.company"].search([]))  # whatever customers the database already has
        customers = [self._customer(f"Cron {i}", [90, 60, 30]) for i in range(5)]
        cron = self.env.ref("crm_retention.ir_cron_compute_churn_risks")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id, "remaining": 0, "done": 0})
        Risk = self.Risk.with_context(ir_cron_progress_id=progress.id)
        Risk._cron_compute_risks(batch_size=2)
        self.assertEqual((progress.done, progress.remaining), (2, 3))
        Risk._cron_compute_risks(batch_size=2)
        Risk._cron_compute_risks(batch_size=2)
        self.assertEqual((progress.done, progress.remaining), (1, 0))
        self.Risk.invalidate_model()
        self.assertEqual(len(self.Risk.search([("partner_id", "in", [c.id for c in customers])])), 5)

    def test_bgnbd_prediction_when_available(self):
        """A customer predicted by BG/NBD: P(alive) 25% adds 20 x 0.75 = 15 points to the rhythm's 20, and the
        expected next order is today plus the mean wait for one purchase (12 months / 6 purchases: 61 days)."""
        customer = self._customer("Predicted Ltd", [160, 130, 100, 70])
        self.env["crm.rfm.score"].create(
            {
                "partner_id": customer.id,
                "company_id": self.company.id,
                "prob_alive": 0.25,
                "expected_purchases_12m": 6.0,
                "clv_horizon_months": 12,
                "predicted_at": fields.Datetime.now(),
            }
        )
        self._compute()
        risk = self._risk(customer)
        self.assertTrue(risk.predicted)
        self.assertAlmostEqual(risk.prob_alive, 0.25)
        self.assertEqual(risk.score, 35)
        self.assertEqual(risk.reasons, "No order for 2.3 x their usual gap; P(alive) 25%")
        self.assertEqual(risk.expected_order_date_bgnbd, self.today + timedelta(days=61))
        self.assertEqual(risk.expected_order_date, self.today - timedelta(days=40))

    def test_settings_bounds(self):
        for vals in ({"churn_holdout_percent": 60.0}, {"churn_risk_threshold": 101}, {"churn_save_days": 0}):
            with self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.company.write(vals)

    def test_at_risk_list_is_the_daily_one(self):
        """The list's default filter: risks flagged by today's (or yesterday's) computation; a customer no longer
        active keeps their last row but leaves the list."""
        self.company.churn_risk_threshold = 30  # 20 for the silence, 15 for the detractor
        current = self._customer("Current Ltd", [160, 130, 100, 70])
        stale = self._customer("Stale Ltd", [160, 130, 100, 70])
        self._nps(current, 0, 3)
        self._nps(stale, 0, 3)
        self._compute()
        self.env.cr.execute(
            "UPDATE crm_churn_risk SET date = %s WHERE partner_id = %s", [self.today - timedelta(days=5), stale.id]
        )
        arch = etree.fromstring(self.env.ref("crm_retention.crm_churn_risk_view_search").arch)
        domain = safe_eval(
            arch.xpath("//filter[@name='at_risk']")[0].get("domain"),
            {"context_today": lambda: self.today, "relativedelta": relativedelta},
        )
        listed = self.Risk.search([*domain, ("partner_id", "in", (current | stale).ids)])
        self.assertEqual(listed.partner_id, current)
