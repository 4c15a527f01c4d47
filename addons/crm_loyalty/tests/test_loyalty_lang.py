from datetime import date

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools import format_date

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestLoyaltyLanguage(LoyaltyCommon):
    """What the system writes in the ledger reads in the reader's language, whoever posted it and in whatever
    language; the tier e-mail goes out in the recipient's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        # the translated template body, as a database with Chinese installed has it
        cls.env["ir.module.module"]._load_module_terms(["crm_loyalty"], ["zh_CN"])
        cls.program.write({"first_purchase_bonus": 50, "birthday_bonus": 20})

    def _env(self, lang):
        self.env.user.lang = lang
        return self.env(context=dict(self.env.context, lang=lang))

    def _post_invoice(self, env, invoice_date, move_type="out_invoice", **extra):
        move = env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "invoice_date": invoice_date,
                "invoice_line_ids": [Command.create({"product_id": self.product.id, "quantity": 1, "price_unit": 100})],
                **extra,
            }
        )
        move.action_post()
        return move

    def _reasons(self, env, **domain):
        return self._entries(**domain).with_env(env).mapped("reason_display")

    def test_reasons_written_in_chinese_read_in_english(self):
        zh = self._env("zh_CN")
        today = fields.Date.context_today(self.member)
        invoice = self._post_invoice(zh, today)
        refund = self._post_invoice(
            zh, today, move_type="out_refund", reversed_entry_id=invoice.id, invoice_origin=invoice.name
        )
        bonus = self._entries(bonus_kind="first_purchase")
        self.assertEqual(len(bonus), 1)
        self.assertFalse(bonus.reason, "no sentence frozen in the poster's language")
        self.assertFalse(self._entries(entry_type="reverse").reason)
        en = self._env("en_US")
        self.assertEqual(self._reasons(en, bonus_kind="first_purchase"), ["First purchase bonus"])
        self.assertEqual(self._reasons(en, entry_type="earn"), [invoice.name])
        self.assertEqual(self._reasons(en, entry_type="reverse"), [f"Credit note {refund.name}"])
        refund.with_env(zh).button_draft()
        self.assertEqual(
            self._entries(entry_type="reverse")[-1].with_env(en).reason_display, f"{refund.name} reset to draft"
        )
        # search on the rendered reason finds the documents it names
        found = self.env["crm.loyalty.entry"].search([("reason_display", "ilike", invoice.name)])
        self.assertIn(self._entries(entry_type="earn"), found)

    def test_reasons_written_in_english_read_in_chinese(self):
        en = self._env("en_US")
        zh_translation = self.env(context=dict(self.env.context, lang="zh_CN"))._
        self.customer.birthday = date(1990, 3, 15)
        with freeze_time("2026-03-15"):
            self.env["crm.loyalty.membership"].with_env(en)._cron_birthday_bonus()
        birthday = self._entries(bonus_kind="birthday")
        self.assertEqual((birthday.entry_type, birthday.points, birthday.reason), ("bonus", 20, False))
        self.assertEqual(birthday.with_env(en).reason_display, "Happy birthday!")
        zh = self._env("zh_CN")
        self.assertEqual(birthday.with_env(zh).reason_display, zh_translation("Happy birthday!"))

    def test_expiry_reason_from_the_lot(self):
        """The bulk SQL expiry stores no sentence: the reason is rendered from the expired lot's date."""
        zh = self._env("zh_CN")
        earned_on = fields.Date.context_today(self.member) - relativedelta(months=14)
        self._post_invoice(zh, earned_on)
        self.assertEqual(self.env["crm.loyalty.membership"].with_env(zh)._cron_expire_points(), 2)
        expired = self._entries(entry_type="expire")
        self.assertEqual(len(expired), 2)
        self.assertEqual(set(expired.mapped("reason")), {False})
        self.assertEqual(set(expired.expired_lot_id.mapped("date")), {earned_on})
        en = self._env("en_US")
        self.assertEqual(
            set(expired.with_env(en).mapped("reason_display")),
            {f"Expiry of points earned on {format_date(en, earned_on)}"},
        )

    def test_manual_adjustment_keeps_the_typed_text(self):
        zh = self._env("zh_CN")
        zh["crm.loyalty.adjust.wizard"].create(
            {"membership_id": self.member.id, "points": 30, "reason": "客户投诉补偿"}
        ).action_apply()
        adjust = self._entries(entry_type="adjust")
        self.assertEqual(adjust.with_env(self._env("en_US")).reason_display, "客户投诉补偿")

    def test_tier_mail_in_the_recipient_language(self):
        template = self.env.ref("crm_loyalty.mail_template_tier_change")
        self.assertEqual(template.lang, "{{ object.partner_id.lang }}")
        self.program.tier_mail_template_id = template
        self.customer.crm_consent_email = True
        self.customer.lang = "en_US"
        self.company.partner_id.lang = "en_US"
        self._env("zh_CN")
        self.assertEqual(template._render_lang(self.member.ids), {self.member.id: "en_US"})
        self.member.with_context(lang="zh_CN")._notify_tier_change(self.bronze, self.silver, True)
        mail = self.env["mail.mail"].search([("model", "=", "crm.loyalty.membership"), ("res_id", "=", self.member.id)])
        self.assertEqual(len(mail), 1)
        self.assertIn("Dear", mail.body_html)
        self.assertIn("Your Club tier", mail.subject)
        # the chatter note, posted by a Chinese user, is written in the company's language
        note = self.customer.message_ids.filtered(
            lambda m: "Loyalty tier raised from Bronze to Silver in Club." in (m.body or "")
        )
        self.assertEqual(len(note), 1, "the note is written in the company's language, English")
        # and a Chinese customer gets it in Chinese, whoever triggers it
        self.customer.lang = "zh_CN"
        zh_body = template.with_context(lang="zh_CN").body_html
        self.assertNotEqual(zh_body, template.with_context(lang="en_US").body_html, "the body is translatable")
        self._env("en_US")
        self.member.with_context(lang="en_US")._notify_tier_change(self.silver, self.gold, True)
        mail = self.env["mail.mail"].search(
            [("model", "=", "crm.loyalty.membership"), ("res_id", "=", self.member.id)], order="id desc", limit=1
        )
        self.assertNotIn("Dear", mail.body_html)
