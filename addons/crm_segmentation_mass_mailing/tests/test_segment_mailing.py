from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSegmentMailing(TransactionCase):
    """A rule segment feeds its mailing list: the members who consent to e-mail marketing only, former members
    removed, an unsubscribed contact never subscribed again, a withdrawal of consent taking effect at once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.ann, cls.bob, cls.cai, cls.dan = Partner.create(
            [{"name": name, "email": f"{name.lower()}@segment.example.com"} for name in ("Ann", "Bob", "Cai", "Dan")]
        )
        # Ann, Cai and Dan agreed to e-mail marketing; Bob did not; Cai's address is on the blacklist
        (cls.ann | cls.cai | cls.dan).write({"crm_consent_email": True})
        cls.env["mail.blacklist"].sudo()._add("cai@segment.example.com")
        cls.segment = cls.env["crm.rule.segment"].create(
            {"name": "Segment Mailing", "domain": f"[('id', 'in', {(cls.ann | cls.bob | cls.cai | cls.dan).ids})]"}
        )
        cls.segment.action_create_mailing_list()
        cls.mailing_list = cls.segment.mailing_list_id

    def _subscribed(self):
        subscriptions = self.env["mailing.subscription"].search([("list_id", "=", self.mailing_list.id)])
        return {sub.contact_id.email_normalized.split("@")[0]: "out" if sub.opt_out else "in" for sub in subscriptions}

    def test_consenting_members_only(self):
        self.assertEqual(self.mailing_list.name, "Segment Mailing")
        self.assertEqual(self._subscribed(), {"ann": "in", "dan": "in"})
        self.assertTrue(self.segment.mailing_synced_at)
        # a refresh changes nothing and creates no second contact
        self.segment.action_refresh()
        self.assertEqual(self._subscribed(), {"ann": "in", "dan": "in"})
        self.assertEqual(self.env["mailing.contact"].search_count([("email", "=", "ann@segment.example.com")]), 1)

    def test_former_members_removed_unsubscribed_kept(self):
        # Dan unsubscribes from the list; Ann leaves the segment
        dan_subscription = self.env["mailing.subscription"].search(
            [("list_id", "=", self.mailing_list.id), ("contact_id.email_normalized", "=", "dan@segment.example.com")]
        )
        dan_subscription.opt_out = True
        self.segment.domain = f"[('id', 'in', {(self.bob | self.dan).ids})]"
        self.segment.action_refresh()
        self.assertEqual(self._subscribed(), {"dan": "out"})
        # Bob agrees: he joins the list at the next refresh; Dan stays unsubscribed
        self.bob.crm_consent_email = True
        self.segment.action_refresh()
        self.assertEqual(self._subscribed(), {"bob": "in", "dan": "out"})

    def test_withdrawal_leaves_the_list_at_once(self):
        self.ann.crm_consent_email = False
        self.assertEqual(self._subscribed(), {"dan": "in"})
        history = self.env["crm.marketing.consent"].search([("partner_id", "=", self.ann.id)], order="id desc")
        self.assertFalse(history[0].granted)
