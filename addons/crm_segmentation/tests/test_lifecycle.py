from ast import literal_eval
from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import SegmentationCommon


@tagged("post_install", "-at_install")
class TestLifecycle(SegmentationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage = {s.code: s for s in cls.env["crm.lifecycle.stage"].search([])}
        cls.customer = cls._customer("Cycle Co")

    def _evaluate(self, day):
        with freeze_time(day):
            self.env["res.partner"]._evaluate_lifecycle(partner_ids=self.customer.ids)
        self.customer.invalidate_recordset()
        return self.customer.lifecycle_stage_id.code

    def _buy(self, day):
        with freeze_time(day):
            self._invoice(self.customer, day, 100)
        self.customer.invalidate_recordset()

    def test_every_automatic_transition(self):
        self.assertFalse(self._evaluate("2025-12-01"), "unknown customers are left alone")
        self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 1})],
            }
        )
        self.assertEqual(self._evaluate("2025-12-15"), "exploration")
        self._buy("2026-01-01")
        self.assertEqual(self.customer.lifecycle_stage_id.code, "formation", "the posting itself moves the customer")
        self._buy("2026-02-01")
        self._buy("2026-03-01")
        self.assertEqual(self._evaluate("2026-03-10"), "stability")
        self.assertEqual(self._evaluate("2026-04-10"), "stability", "between one and k gaps the phase is kept")
        self.assertEqual(self._evaluate("2026-05-15"), "decline")
        self.assertEqual(self._evaluate("2027-04-01"), "lost")
        self._buy("2027-04-05")
        self.assertEqual(self.customer.lifecycle_stage_id.code, "won_back")
        history = self.customer.lifecycle_history_ids.sorted("id")
        self.assertEqual(
            history.to_stage_id.mapped("code"), ["exploration", "formation", "stability", "decline", "lost", "won_back"]
        )
        self.assertEqual(set(history.mapped("mode")), {"auto"})
        # each audit row, written in bulk with the move, knows where the customer came from and why
        self.assertEqual(
            [h.from_stage_id.code for h in history], [False, "exploration", "formation", "stability", "decline", "lost"]
        )
        self.assertTrue(all(h.reason_display and h.user_id and h.company_id == self.env.company for h in history))

    def test_manual_override_is_respected(self):
        self._buy("2026-01-01")
        with freeze_time("2026-01-02"):
            self.customer.with_context(lifecycle_reason="Key account").lifecycle_stage_id = self.stage["stability"]
        manual = self.customer.lifecycle_history_ids.filtered(lambda h: h.mode == "manual")
        self.assertEqual(
            (manual.to_stage_id, manual.reason, manual.user_id), (self.stage["stability"], "Key account", self.env.user)
        )
        self.assertEqual(self._evaluate("2026-02-01"), "stability", "the rule waits out the manual period")
        self.assertEqual(self._evaluate("2026-05-01"), "formation", "after it, the facts decide again")

    def test_history_reason_in_reader_language(self):
        """A stage move stores its kind and stage, not a sentence: moved in Chinese, it reads in English and
        the other way round."""
        self.env["res.lang"]._activate_lang("zh_CN")
        zh_translation = self.env(context=dict(self.env.context, lang="zh_CN"))._
        self.env.user.lang = "zh_CN"
        zh = self.env(context=dict(self.env.context, lang="zh_CN"))
        self._buy("2026-01-01")
        with freeze_time("2026-01-02"):
            self.customer.with_env(zh).lifecycle_stage_id = self.stage["stability"]
        with freeze_time("2027-04-01"):
            zh["res.partner"]._evaluate_lifecycle(partner_ids=self.customer.ids)
        manual, auto = self.customer.lifecycle_history_ids.sorted("id")[-2:]
        self.assertEqual((auto.mode, auto.to_stage_id, auto.reason), ("auto", self.stage["lost"], False))
        self.assertEqual((manual.mode, manual.to_stage_id, manual.reason), ("manual", self.stage["stability"], False))
        self.env.user.lang = "en_US"
        en = self.env(context=dict(self.env.context, lang="en_US"))
        lost = self.stage["lost"].with_env(en).name
        self.assertEqual(auto.with_env(en).reason_display, f"Automatic rule: {lost}")
        self.assertEqual(manual.with_env(en).reason_display, "Moved by hand")
        self.assertEqual(manual.with_env(zh).reason_display, zh_translation("Moved by hand"))
        self.assertNotEqual(zh_translation("Moved by hand"), "Moved by hand", "a Chinese translation exists")

    def test_prospects_are_customer_contacts_without_documents(self):
        """The nightly run puts customer contacts (created as customers, or with a lead) in Prospect; a
        quotation or an opportunity makes them Exploration, an invoice Formation."""
        marked = self.env["res.partner"].with_context(res_partner_search_mode="customer").create({"name": "Marked"})
        with_lead = self._customer("Lead Co")
        lead = self.env["crm.lead"].create({"name": "Interested", "type": "lead", "partner_id": with_lead.id})
        stranger = self._customer("Just a Contact")
        with freeze_time("2026-03-01"):
            self.env["res.partner"]._cron_evaluate_lifecycle()
        self.assertEqual(marked.lifecycle_stage_id.code, "prospect")
        self.assertEqual(with_lead.lifecycle_stage_id.code, "prospect")
        self.assertFalse(stranger.lifecycle_stage_id, "a contact who is no customer is left alone")
        action = self.env.ref("crm_segmentation.res_partner_lifecycle_action")
        lifecycle = self.env["res.partner"].search(literal_eval(action.domain))
        self.assertIn(marked, lifecycle, "prospects are on the lifecycle kanban")
        lead.convert_opportunity(with_lead)
        with freeze_time("2026-03-02"):
            self.env["res.partner"]._cron_evaluate_lifecycle()
        self.assertEqual(with_lead.lifecycle_stage_id.code, "exploration")
        with freeze_time("2026-03-03"):
            self._invoice(marked, "2026-03-03", 100)
        self.assertEqual(marked.lifecycle_stage_id.code, "formation")

    def test_lost_is_won_back_only_by_a_purchase(self):
        for month in range(1, 7):
            self._buy(f"2025-{month:02d}-01")
        self.assertEqual(self._evaluate("2026-07-01"), "lost")
        self.company.lifecycle_lost_days = 500
        self.assertEqual(self._evaluate("2026-07-02"), "lost", "a longer 'Lost after' wins nobody back")
        self._buy("2026-08-01")
        self.assertEqual(self.customer.lifecycle_stage_id.code, "won_back")
        # the 14 months of silence are not the customer's rhythm: no Stability at the next night
        self.assertEqual(self._evaluate("2026-08-02"), "won_back")
        self.assertEqual(self._evaluate("2026-10-29"), "won_back", "Won Back lasts 90 days by default")
        self.assertEqual(self._evaluate("2026-10-30"), "formation", "then the purchases since the return decide")
        for day in ("2026-11-01", "2026-12-01"):
            self._buy(day)
        self.assertEqual(self._evaluate("2026-12-10"), "stability")
        history = self.customer.lifecycle_history_ids.sorted("id")
        self.assertEqual(
            [h.to_stage_id.code for h in history],
            ["formation", "stability", "lost", "won_back", "formation", "stability"],
        )

    def test_end_of_a_manual_lost_wins_nobody_back(self):
        self._buy("2026-01-01")
        with freeze_time("2026-01-02"):
            self.customer.lifecycle_stage_id = self.stage["lost"]
        self.assertEqual(self._evaluate("2026-05-01"), "lost", "no purchase since the move to Lost")
        self._buy("2026-05-02")
        self.assertEqual(self.customer.lifecycle_stage_id.code, "won_back")

    def test_evaluation_as_of_another_day_dates_its_moves(self):
        """The demo data and the benchmark evaluate as of a given day: the move to Lost is dated that day,
        so that a purchase after it wins the customer back."""
        self._buy("2025-01-01")
        self.env["res.partner"]._evaluate_lifecycle(partner_ids=self.customer.ids, today=date(2026, 3, 1))
        lost = self.customer.lifecycle_history_ids.filtered(lambda h: h.to_stage_id.code == "lost")
        self.assertEqual(lost.date, datetime(2026, 3, 1))
        self._buy("2026-03-05")
        self.assertEqual(self.customer.lifecycle_stage_id.code, "won_back")

    def test_won_back_period_setting(self):
        self.company.lifecycle_won_back_days = 10
        self._buy("2025-01-01")
        self.assertEqual(self._evaluate("2026-01-10"), "lost")
        self._buy("2026-01-20")
        self.assertEqual(self._evaluate("2026-01-29"), "won_back")
        self.assertEqual(self._evaluate("2026-01-30"), "formation")
        with self.assertRaises(ValidationError):
            self.company.lifecycle_won_back_days = 0

    def test_only_sales_users_move_by_hand(self):
        clerk = new_test_user(self.env, login="clerk", groups="base.group_user,base.group_partner_manager")
        with self.assertRaises(UserError):
            self.customer.with_user(clerk).lifecycle_stage_id = self.stage["stability"]
        self.assertFalse(self.customer.lifecycle_stage_id)

    def test_automatic_moves_are_tracked_in_the_chatter(self):
        """A move by the nightly rules shows in the customer's chatter as a tracked change of the stage,
        authored by the cron's user (OdooBot), like a move through the form."""
        tracked = self.env(context=dict(self.env.context, tracking_disable=False, mail_notrack=False))
        customer = self.customer.with_env(tracked)
        for day in ("2026-01-01", "2026-02-01", "2026-03-01"):
            self._buy(day)
        self.assertEqual(customer.lifecycle_stage_id, self.stage["stability"])
        bot = tracked.ref("base.user_root")
        with freeze_time("2026-05-15"):
            tracked["res.partner"].with_user(bot)._cron_evaluate_lifecycle()
        self.assertEqual(customer.lifecycle_stage_id, self.stage["decline"])
        field = tracked["ir.model.fields"]._get("res.partner", "lifecycle_stage_id")
        tracking = tracked["mail.tracking.value"].search(
            [("field_id", "=", field.id), ("mail_message_id.res_id", "=", customer.id)]
        )
        self.assertEqual(len(tracking), 1)
        self.assertEqual(
            (tracking.old_value_integer, tracking.new_value_integer, tracking.old_value_char, tracking.new_value_char),
            (self.stage["stability"].id, self.stage["decline"].id, "Stability", "Decline"),
        )
        message = tracking.mail_message_id
        self.assertEqual(
            (message.model, message.message_type, message.subtype_id, message.author_id),
            ("res.partner", "notification", tracked.ref("mail.mt_note"), bot.partner_id),
        )
        self.assertIn(message, customer.message_ids)
        formatted = tracking._tracking_value_format()[0]
        self.assertEqual(
            (formatted["changedField"], formatted["oldValue"]["value"], formatted["newValue"]["value"]),
            ("Lifecycle Stage", "Stability", "Decline"),
        )

    def test_manual_moves_are_tracked_once(self):
        tracked = self.env(context=dict(self.env.context, tracking_disable=False, mail_notrack=False))
        customer = self.customer.with_env(tracked)
        # a later transaction than the customer's creation (which keeps its own writes untracked); the
        # tracking of a write is logged at commit
        tracked.cr.precommit.run()
        customer.lifecycle_stage_id = self.stage["exploration"]
        tracked.flush_all()
        tracked.cr.precommit.run()
        with Form(customer) as form:
            form.lifecycle_stage_id = self.stage["stability"]
        tracked.flush_all()
        tracked.cr.precommit.run()
        field = tracked["ir.model.fields"]._get("res.partner", "lifecycle_stage_id")
        tracking = tracked["mail.tracking.value"].search(
            [("field_id", "=", field.id), ("mail_message_id.res_id", "=", customer.id)], order="id"
        )
        self.assertEqual(
            [(t.old_value_integer, t.new_value_integer) for t in tracking],
            [(0, self.stage["exploration"].id), (self.stage["exploration"].id, self.stage["stability"].id)],
        )
        self.assertEqual(tracking.mail_message_id.author_id, tracked.user.partner_id)
        self.assertEqual(customer.lifecycle_history_ids.mapped("mode"), ["manual", "manual"])
