import io
import json
import re
import zipfile

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPrivacyPortal(HttpCase):
    """/my/privacy: a portal customer changes their own consent and profiling choice, reads how their figures
    were derived and downloads their own data (logged, once a minute); a visitor is sent to the login."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Portal Ltd", "is_company": True, "email": "portal.ltd@example.com"}
        )
        cls.user = new_test_user(cls.env, login="privacy_portal", groups="base.group_portal")
        cls.user.partner_id.write({"parent_id": cls.customer.id, "email": "portal.user@example.com"})
        cls.other = cls.env["res.partner"].create({"name": "Other Ltd", "is_company": True, "email": "o@example.com"})
        cls.other_user = new_test_user(cls.env, login="privacy_portal_other", groups="base.group_portal")
        cls.other_user.partner_id.parent_id = cls.other
        cls.Log = cls.env["crm.privacy.access.log"].sudo()

    def _csrf(self):
        page = self.url_open("/my/privacy")
        self.assertEqual(page.status_code, 200)
        return page, re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def test_visitor_is_sent_to_login(self):
        response = self.url_open("/my/privacy", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
        response = self.url_open("/my/privacy/export", data={}, allow_redirects=False)
        self.assertNotEqual(response.status_code, 200)
        self.assertFalse(self.Log.search([("action", "=", "export_personal_data")]))

    def test_portal_toggles_consent_and_profiling(self):
        self.authenticate("privacy_portal", "privacy_portal")
        page, token = self._csrf()
        self.assertIn("Your Privacy", page.text)
        self.assertIn("No score, prediction or stage", page.text)
        # a stage chosen by staff: the customer reads what it is and why
        self.customer.lifecycle_stage_id = self.env["crm.lifecycle.stage"].search([("code", "=", "formation")])
        page, token = self._csrf()
        self.assertIn("Lifecycle stage", page.text)
        self.assertIn("A member of our staff set the stage of your relationship with us", page.text)
        contact = self.user.partner_id
        response = self.url_open("/my/privacy/consent", data={"csrf_token": token, "channel": "email", "granted": "1"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(contact.crm_consent_email)
        self.url_open("/my/privacy/consent", data={"csrf_token": token, "channel": "email", "granted": "0"})
        contact.invalidate_recordset()
        self.assertFalse(contact.crm_consent_email, "withdrawn the way it was given")
        history = contact.crm_consent_ids.sorted("id")
        self.assertEqual(
            [(c.channel, c.granted, c.source, c.user_id) for c in history],
            [("email", True, "portal", self.user), ("email", False, "portal", self.user)],
        )
        # without the token nothing changes
        response = self.url_open("/my/privacy/consent", data={"channel": "sms", "granted": "1"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(contact.crm_consent_sms)
        # the profiling choice is the customer's (commercial partner)
        self.url_open("/my/privacy/profiling", data={"csrf_token": token, "opt_out": "1"})
        self.customer.invalidate_recordset()
        self.assertTrue(self.customer.crm_profiling_opt_out)
        self.assertEqual(self.customer.crm_profiling_opt_out_source, "portal")
        page = self.url_open("/my/privacy")
        self.assertIn("You objected to profiling", page.text)
        self.assertIn("Not profiled", page.text)
        self.assertFalse(self.other.crm_profiling_opt_out)

    def test_portal_export_of_own_data_logged_once_a_minute(self):
        self.user.partner_id.crm_consent_sms = True
        self.authenticate("privacy_portal", "privacy_portal")
        _page, token = self._csrf()
        response = self.url_open("/my/privacy/export", data={"csrf_token": token})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/zip")
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            data = json.loads(archive.read("data.json"))
        self.assertEqual(manifest["customer_id"], self.customer.id)
        names = {row["name"] for row in data["contacts"]["records"]}
        self.assertEqual(names, {"Portal Ltd", self.user.partner_id.name}, "their own contacts only")
        self.assertEqual([row["channel"] for row in data["marketing_consents"]["records"]], ["sms"])
        log = self.Log.search([("action", "=", "export_personal_data")])
        self.assertEqual((log.user_id, log.partner_ids, log.reason), (self.user, self.customer, "portal"))
        # a second download within the minute: refused, not logged
        response = self.url_open("/my/privacy/export", data={"csrf_token": token})
        self.assertNotEqual(response.headers.get("Content-Type"), "application/zip")
        self.assertIn("less than a minute ago", response.text)
        self.assertEqual(len(self.Log.search([("action", "=", "export_personal_data")])), 1)
        # another customer gets their own data, never this one's
        self.authenticate("privacy_portal_other", "privacy_portal_other")
        _page, token = self._csrf()
        response = self.url_open("/my/privacy/export", data={"csrf_token": token})
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            data = json.loads(archive.read("data.json"))
        self.assertEqual({row["name"] for row in data["contacts"]["records"]}, {"Other Ltd", self.other_user.name})

    def test_home_links_to_the_privacy_page(self):
        self.authenticate("privacy_portal", "privacy_portal")
        self.assertIn('href="/my/privacy"', self.url_open("/my").text)

    def test_explanation_in_plain_words(self):
        """The customer reads a sentence about their own purchases, not the staff's rule and the company's
        figures (the number of customers compared, the typical gap of the company)."""
        segment = self.env["crm.rfm.segment"].search([], limit=1)
        self.env["crm.rfm.score"].sudo().create(
            {
                "partner_id": self.customer.id,
                "company_id": self.env.company.id,
                "r_score": 4,
                "f_score": 3,
                "m_score": 5,
                "frequency": 4,
                "monetary": 1234.0,
                "last_purchase_date": "2026-03-02",
                "segment_id": segment.id,
                "value_class": "high",
            }
        )
        self.authenticate("privacy_portal", "privacy_portal")
        page = self.url_open("/my/privacy").text
        self.assertIn("you bought 4 times", page)
        self.assertIn("1,234.00", page)
        self.assertIn(segment.name, page)
        self.assertNotIn("Customers compared", page)
        self.assertNotIn("ranked three times", page)
        # the staff's explanation keeps the rule and the company's figures
        staff = {item["key"]: item for item in self.customer._crm_explain_profiling()}
        self.assertIn("ranked three times", staff["rfm"]["rule"])
        self.assertIn("Customers compared", dict(staff["rfm"]["inputs"]))
