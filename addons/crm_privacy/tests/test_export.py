import base64
import io
import json
import zipfile

import openpyxl

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import PrivacyCommon


@tagged("post_install", "-at_install")
class TestPersonalDataExport(PrivacyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        program = cls.env["crm.loyalty.program"].create(
            {
                "name": "Privacy Club",
                "company_id": cls.company.id,
                "point_value": 0.01,
                "reward_product_id": cls.env.ref("crm_loyalty.product_loyalty_reward").id,
            }
        )
        cls.membership = cls.env["crm.loyalty.membership"].create(
            {"partner_id": cls.contact.id, "program_id": program.id}
        )
        cls.entry = cls.membership._post_bonus("birthday", 42.0)
        cls.ticket = cls.env["crm.feedback.ticket"].create(
            {
                "subject": "Parcel lost",
                "description": "<p>My parcel never came.</p>",
                "partner_id": cls.contact.id,
                "company_id": cls.company.id,
            }
        )
        cls.ticket.message_post(body="Please call me at 138 0000 0000", message_type="comment")
        cls.nps = cls.env["crm.feedback.nps"].create(
            {"partner_id": cls.contact.id, "score": 3, "comment": "Slow delivery", "company_id": cls.company.id}
        )
        # the detractor's answer raised a goodwill proposal (the bridge's service recovery)
        cls.goodwill = cls.env["crm.loyalty.goodwill"].search([("nps_id", "=", cls.nps.id)])
        cls.score = cls.env["crm.rfm.score"].create({"partner_id": cls.customer.id, "company_id": cls.company.id})
        cls.stage = cls.env["crm.lifecycle.stage"].create({"name": "Privacy Test Stage"})
        cls.env["crm.lifecycle.history"].create(
            {"partner_id": cls.customer.id, "to_stage_id": cls.stage.id, "reason": "Moved by hand"}
        )
        cls.env["rating.rating"].create(
            {
                "res_model_id": cls.env["ir.model"]._get_id("crm.feedback.ticket"),
                "res_id": cls.ticket.id,
                "partner_id": cls.contact.id,
                "rating": 2,
                "feedback": "Too slow",
                "consumed": True,
            }
        )
        cls.segment = cls.env["crm.rule.segment"].create({"name": "Privacy Test Segment"})
        cls.segment.partner_ids = cls.contact
        cls.other = cls.env["res.partner"].create({"name": "Someone Else", "is_company": True})
        cls.env["crm.feedback.ticket"].create(
            {
                "subject": "Not theirs",
                "description": "<p>x</p>",
                "partner_id": cls.other.id,
                "company_id": cls.company.id,
            }
        )

    def _export(self, user, partner, reason="Customer request"):
        wizard = self.env["crm.privacy.export"].with_user(user).create({"partner_id": partner.id, "reason": reason})
        action = wizard.action_export()
        self.assertIn(f"model=crm.privacy.export&id={wizard.id}&field=file_data", action["url"])
        self.wizard = wizard
        return zipfile.ZipFile(io.BytesIO(base64.b64decode(wizard.file_data)))

    def test_export_zip_content(self):
        self.contact.crm_consent_email = True
        archive = self._export(self.officer, self.contact)
        self.assertEqual(set(archive.namelist()), {"data.json", "data.xlsx", "manifest.json"})
        data = json.loads(archive.read("data.json"))
        manifest = json.loads(archive.read("manifest.json"))
        sections = {
            "contacts",
            "loyalty_memberships",
            "loyalty_ledger",
            "tickets",
            "ticket_messages",
            "csat_answers",
            "nps_answers",
            "marketing_consents",
            "rfm_scores",
            "rfm_history",
            "lifecycle_history",
            "segment_memberships",
            "profitability",
        }
        # the sections of the models that declare what they hold (the bridge's goodwill proposals and segment
        # campaigns; more when the churn warning or the value policy are installed)
        registered = {key for key, *_rest in self.env["crm.privacy.export"]._registered_sections(self.customer)}
        self.assertTrue({"goodwill_proposals", "segment_campaigns"} <= registered)
        sections |= registered
        self.assertEqual(set(data), sections)
        self.assertEqual(set(manifest["sections"]), sections)
        self.assertTrue(self.goodwill)
        [goodwill] = data["goodwill_proposals"]["records"]
        self.assertEqual((goodwill["id"], goodwill["points"]), (self.goodwill.id, self.goodwill.points))
        self.assertEqual(goodwill["name"], self.goodwill.name, "the computed reason declared with the section")
        self.assertEqual(set(manifest["files"]), {"data.json", "data.xlsx", "manifest.json"})
        self.assertEqual(manifest["customer_id"], self.customer.id, "the whole customer, from one contact")
        self.assertEqual(manifest["sections"]["loyalty_ledger"]["records"], 1)
        self.assertEqual(
            [(row["channel"], row["granted"], row["source"]) for row in data["marketing_consents"]["records"]],
            [("email", True, "staff")],
        )
        self.assertEqual(
            {c["name"] for c in data["contacts"]["records"]}, {"Private Ltd", "Wang Fang"}, "the customer and contacts"
        )
        [entry] = data["loyalty_ledger"]["records"]
        self.assertEqual(entry["id"], self.entry.id)
        self.assertEqual(entry["points"], 42.0)
        self.assertEqual(entry["entry_type"], "bonus")
        self.assertEqual(entry["partner_id"], self.membership.partner_id.display_name)
        self.assertEqual([t["subject"] for t in data["tickets"]["records"]], ["Parcel lost"])
        self.assertEqual(data["tickets"]["records"][0]["description"], "My parcel never came.")
        bodies = [m["body"] for m in data["ticket_messages"]["records"]]
        self.assertIn("Please call me at 138 0000 0000", bodies)
        self.assertEqual([n["comment"] for n in data["nps_answers"]["records"]], ["Slow delivery"])
        for section in data.values():
            for name in section["fields"]:
                self.assertFalse({"token", "nonce", "signup"} & set(name.split("_")), f"no secret exported: {name}")
        [score] = data["rfm_scores"]["records"]
        self.assertEqual(score["id"], self.score.id)
        self.assertIn("churn_probability", score, "the predictions come with the score")
        self.assertIn("clv_12m", score)
        self.assertEqual([h["reason"] for h in data["lifecycle_history"]["records"]], ["Moved by hand"])
        self.assertEqual([(r["rating"], r["feedback"]) for r in data["csat_answers"]["records"]], [(2.0, "Too slow")])
        self.assertEqual([s["name"] for s in data["segment_memberships"]["records"]], ["Privacy Test Segment"])
        self.assertEqual(data["profitability"]["records"], [], "no sales: no figures")
        self.assertIn("net_revenue", data["profitability"]["fields"])
        book = openpyxl.load_workbook(io.BytesIO(archive.read("data.xlsx")), read_only=True)
        self.assertEqual(set(book.sheetnames), sections)
        ledger = list(book["loyalty_ledger"].iter_rows(values_only=True))
        self.assertEqual(len(ledger), 2, "a header and the entry")
        self.assertEqual(dict(zip(ledger[0], ledger[1], strict=True))["points"], 42)
        # logged for the customer, with the reason given
        log = self.Log.sudo().search([("action", "=", "export_personal_data")])
        self.assertEqual(log.user_id, self.officer)
        self.assertEqual(log.partner_ids, self.customer)
        self.assertEqual(log.reason, "Customer request")

    def test_export_deleted_with_the_wizard(self):
        """The ZIP is an attachment of the wizard, gone when the transient wizards are vacuumed."""
        self._export(self.officer, self.customer)
        Attachment = self.env["ir.attachment"].sudo()
        domain = [
            ("res_model", "=", "crm.privacy.export"),
            ("res_id", "=", self.wizard.id),
            ("res_field", "=", "file_data"),
        ]
        self.assertEqual(len(Attachment.search(domain)), 1)
        self.wizard.sudo().unlink()
        self.assertFalse(Attachment.search(domain))

    def test_export_officers_only(self):
        with self.assertRaises(AccessError):
            self.env["crm.privacy.export"].with_user(self.salesman).create({"partner_id": self.customer.id})
        self.assertFalse(self.Log.sudo().search([("action", "=", "export_personal_data")]))
