from odoo.tests import tagged

from odoo.addons.crm_loyalty.tests.common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestPrivacyLookup(LoyaltyCommon):
    """Odoo's Privacy Lookup on a member of ours: deleting their records files an erasure request."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"name": "Sun Lookup Trading", "email": "sun.lookup@example.com"})
        cls.env["crm.loyalty.entry"].create(
            {"membership_id": cls.member.id, "entry_type": "adjust", "points": 10, "reason": "welcome"}
        )
        cls.stranger = cls.env["res.partner"].create({"name": "Sun Lookup Stranger", "email": "stranger@example.com"})

    def _lines(self, name, email):
        wizard = self.env["privacy.lookup.wizard"].create({"name": name, "email": email})
        wizard.action_lookup()
        return wizard.line_ids

    def test_deleting_our_records_files_an_erasure_request(self):
        lines = self._lines("Sun Lookup Trading", "sun.lookup@example.com")
        entry_line = lines.filtered(lambda line: line.res_model == "crm.loyalty.entry")
        partner_line = lines.filtered(lambda line: line.res_model == "res.partner" and line.res_id == self.customer.id)
        self.assertTrue(entry_line, "the lookup finds the ledger entries of the member")
        self.assertTrue(partner_line)
        Request = self.env["crm.privacy.erasure.request"]
        self.assertFalse(Request.search([("partner_id", "=", self.customer.id)]))

        action = entry_line[0].action_unlink()
        request = Request.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(request.state, "received")
        self.assertEqual((action["res_model"], action["res_id"]), (request._name, request.id))
        self.assertIn(request.pseudonym, entry_line[0].execution_details)
        self.assertFalse(entry_line[0].is_unlinked)
        self.assertTrue(self.member.entry_ids, "nothing deleted: the ledger stays")
        # the customer's own line, and a second time: the same open request
        partner_line.action_unlink()
        lines.action_unlink_all()
        self.assertEqual(Request.search([("partner_id", "=", self.customer.id)]), request)
        self.assertTrue(self.customer.exists())

    def test_other_records_are_deleted_as_before(self):
        line = self._lines("Sun Lookup Stranger", "stranger@example.com").filtered(
            lambda line: line.res_model == "res.partner"
        )
        line.action_unlink()
        self.assertTrue(line.is_unlinked)
        self.assertFalse(self.stranger.exists())
        self.assertFalse(self.env["crm.privacy.erasure.request"].search([("partner_id", "=", self.stranger.id)]))
