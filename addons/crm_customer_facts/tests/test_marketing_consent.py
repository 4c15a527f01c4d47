from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.base.tests.common import BaseCommon


@tagged("post_install", "-at_install")
class TestMarketingConsent(BaseCommon):
    """Consent per channel as an append-only history, the current state on the contact, the filter every bulk
    action reads, and the profiling opt-out."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.staff = new_test_user(cls.env, login="consent_staff", groups="base.group_user,base.group_partner_manager")
        cls.ann = cls.env["res.partner"].create({"name": "Ann", "email": "ann@example.com"})
        cls.bob = cls.env["res.partner"].create({"name": "Bob", "email": "bob@example.com"})

    def test_history_rows_and_current_state(self):
        ann = self.ann.with_user(self.staff)
        ann.write({"crm_consent_email": True, "crm_consent_sms": True})
        ann.with_context(crm_consent_source="portal").write({"crm_consent_email": False})
        ann.write({"crm_consent_sms": True})  # unchanged: no row
        history = self.ann.crm_consent_ids.sorted("id")
        self.assertEqual(
            [(c.channel, c.granted, c.source, c.user_id) for c in history],
            [
                ("email", True, "staff", self.staff),
                ("sms", True, "staff", self.staff),
                ("email", False, "portal", self.staff),
            ],
        )
        self.assertFalse(self.ann.crm_consent_email)
        self.assertTrue(self.ann.crm_consent_sms)
        self.assertEqual(self.ann.crm_consent_email_date, history[2].date)

    def test_consent_through_the_contact_needs_write_access(self):
        reader = new_test_user(self.env, login="consent_reader", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.ann.with_user(reader).write({"crm_consent_email": True})
        self.assertFalse(self.ann.crm_consent_ids)

    def test_history_is_append_only(self):
        consent = (
            self.env["crm.marketing.consent"]
            .with_user(self.staff)
            .create({"partner_id": self.bob.id, "channel": "post", "granted": True, "source": "web_form"})
        )
        self.assertTrue(self.bob.crm_consent_post)
        with self.assertRaises(AccessError):
            consent.write({"granted": False})
        with self.assertRaises(UserError):
            consent.unlink()

    def test_created_with_consent(self):
        carl = (
            self.env["res.partner"]
            .with_context(crm_consent_source="import")
            .create({"name": "Carl", "email": "carl@example.com", "crm_consent_email": True})
        )
        self.assertTrue(carl.crm_consent_email)
        self.assertEqual(carl.crm_consent_ids.mapped("source"), ["import"])

    def test_filter_consenting(self):
        (self.ann | self.bob).write({"crm_consent_email": True})
        partners = self.ann | self.bob
        self.assertEqual(partners._crm_filter_consenting("email"), partners)
        self.assertFalse(partners._crm_filter_consenting("sms"))
        # a blacklisted address counts as no consent, whatever the history says
        self.env["mail.blacklist"].create({"email": "bob@example.com"})
        self.assertEqual(partners._crm_filter_consenting("email"), self.ann)
        self.ann.write({"crm_consent_email": False})
        self.assertFalse(partners._crm_filter_consenting("email"))
        with self.assertRaises(UserError):
            partners._crm_filter_consenting("pigeon")

    def test_profiling_opt_out_is_dated(self):
        self.ann.with_context(crm_consent_source="portal").write({"crm_profiling_opt_out": True})
        self.assertTrue(self.ann.crm_profiling_opt_out_date)
        self.assertEqual(self.ann.crm_profiling_opt_out_source, "portal")
        self.ann.write({"crm_profiling_opt_out": False})
        self.assertEqual(self.ann.crm_profiling_opt_out_source, "staff")
        # recorded on the customer, whom the scores concern, never on one of its contacts
        contact = self.env["res.partner"].create({"name": "Ann's colleague", "parent_id": self.ann.id})
        with self.assertRaises(ValidationError):
            contact.crm_profiling_opt_out = True
