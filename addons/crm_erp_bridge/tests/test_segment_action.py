import xmlrpc.client
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from odoo.addons.base.tests.common import BaseCommon


@tagged("post_install", "-at_install")
class TestSegmentAction(BaseCommon):
    """Bulk actions on a segment: bonus points approved by another Loyalty Manager (one ledger entry per
    consenting member, never twice), win-back offers e-mailed to the consenting only, activities for the
    assignee; every skipped customer listed with the reason."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.company
        cls.other_company = env["res.company"].create({"name": "Other Co"})
        cls.sales_manager = new_test_user(
            env, "seg_sales_manager", groups="sales_team.group_sale_manager", company_id=cls.company.id
        )
        cls.loyalty_manager = new_test_user(
            env, "seg_loyalty_manager", groups="crm_loyalty.group_loyalty_manager", company_id=cls.company.id
        )
        cls.both = new_test_user(
            env,
            "seg_both",
            groups="sales_team.group_sale_manager,crm_loyalty.group_loyalty_manager",
            company_id=cls.company.id,
        )
        cls.salesperson = new_test_user(
            env, "seg_salesperson", groups="sales_team.group_sale_salesman", company_id=cls.company.id
        )
        cls.program = env["crm.loyalty.program"].create({"name": "Campaign Club", "company_id": cls.company.id})
        Partner = env["res.partner"]

        def customer(name, **vals):
            return Partner.create({"name": name, "email": f"{name.lower()}@example.com", "is_company": True, **vals})

        cls.ann = customer("Ann", crm_consent_email=True, crm_consent_phone=True, user_id=cls.salesperson.id)
        cls.bob = customer("Bob")  # no consent at all
        cls.cid = customer("Cid", crm_consent_email=True, crm_profiling_opt_out=True)
        cls.dan = customer("Dan", crm_consent_email=True, crm_consent_phone=True)  # consenting, not a member
        cls.eve = customer("Eve", crm_consent_email=True)
        cls.far = customer("Far", crm_consent_email=True, company_id=cls.other_company.id)
        cls.memberships = env["crm.loyalty.membership"].create(
            [{"partner_id": p.id, "program_id": cls.program.id} for p in cls.ann | cls.bob | cls.cid | cls.eve]
        )
        cls.eve.active = False
        cls.segment = env["crm.rule.segment"].create({"name": "Sleepers", "company_id": cls.company.id})
        cls.segment.partner_ids = [Command.set((cls.ann | cls.bob | cls.cid | cls.dan | cls.eve | cls.far).ids)]

    def _campaign(self, user=None, **vals):
        wizard = Form(
            self.env["crm.segment.action.wizard"]
            .with_user(user or self.sales_manager)
            .with_context(active_model="crm.rule.segment", active_id=self.segment.id)
        )
        wizard.name = vals.pop("name", "Spring bonus")
        wizard.kind = vals.pop("kind", "points")
        for name, value in vals.items():
            setattr(wizard, name, value)
        wizard = wizard.save()
        res = wizard.action_create()
        return self.env["crm.segment.action"].browse(res["res_id"])

    def _entries(self):
        return self.env["crm.loyalty.entry"].search([("program_id", "=", self.program.id)])

    def test_bonus_points_with_approval_once_per_consenting_member(self):
        campaign = self._campaign(program_id=self.program, points=50)
        self.assertEqual(campaign.rule_segment_id, self.segment)
        reasons = {line.partner_id: (line.status, line.skip_reason) for line in campaign.line_ids}
        self.assertEqual(
            reasons,
            {
                self.ann: ("target", False),
                self.bob: ("skipped", "no_consent"),
                self.cid: ("skipped", "profiling"),
                self.dan: ("skipped", "not_member"),
                self.eve: ("skipped", "archived"),
                self.far: ("skipped", "other_company"),
            },
        )
        campaign.with_user(self.sales_manager).action_submit()
        self.assertEqual(campaign.state, "to_approve")
        self.assertFalse(self._entries(), "nothing is posted before the approval")
        campaign.with_user(self.loyalty_manager).action_approve()
        self.assertEqual(campaign.state, "done")
        entries = self._entries()
        self.assertRecordValues(
            entries,
            [{"partner_id": self.ann.id, "entry_type": "bonus", "bonus_kind": "other", "points": 50.0}],
        )
        self.assertEqual(entries.approved_by_id, self.loyalty_manager)
        membership = self.memberships.filtered(lambda m: m.partner_id == self.ann)
        self.assertEqual(membership.balance, 50.0)
        self.assertEqual(campaign.line_ids.filtered(lambda line: line.partner_id == self.ann).entry_id, entries)
        # approving twice, or the job retried, writes nothing more
        with self.assertRaises(UserError):
            campaign.with_user(self.loyalty_manager).action_approve()
        campaign._execute()
        campaign._post_points(campaign.line_ids)
        self.assertEqual(self._entries(), entries)
        self.assertEqual(membership.balance, 50.0)

    def test_self_approval_refused(self):
        campaign = self._campaign(user=self.both, program_id=self.program, points=10)
        campaign.with_user(self.both).action_submit()
        with self.assertRaises(AccessError):
            campaign.with_user(self.both).action_approve()
        self.assertEqual(campaign.state, "to_approve")
        self.assertFalse(self._entries())

    def test_salesperson_cannot_approve_or_force_the_state(self):
        campaign = self._campaign(program_id=self.program, points=10)
        campaign.with_user(self.sales_manager).action_submit()
        as_salesperson = campaign.with_user(self.salesperson)
        with self.assertRaises(AccessError):
            as_salesperson.action_approve()
        with self.assertRaises(AccessError):
            as_salesperson.write({"state": "approved"})
        with self.assertRaises(AccessError):
            campaign.with_user(self.sales_manager).write({"state": "approved"})
        with self.assertRaises(AccessError):
            self.env["crm.segment.action"].with_user(self.salesperson).create(
                {"name": "Mine", "rule_segment_id": self.segment.id, "kind": "activity", "channel": "phone"}
            )
        with self.assertRaises(AccessError):
            self.env["crm.segment.action"].with_user(self.loyalty_manager).create(
                {"name": "Mine", "rule_segment_id": self.segment.id, "program_id": self.program.id, "points": 5}
            )
        with self.assertRaises(AccessError):
            campaign.line_ids[:1].with_user(self.sales_manager).write({"status": "target"})
        self.assertEqual(campaign.state, "to_approve")
        self.assertFalse(self._entries())

    def test_activities_for_the_assignee_with_phone_consent(self):
        campaign = self._campaign(
            kind="activity",
            channel="phone",
            task_summary="Call to say hello",
            task_deadline=fields.Date.today() + timedelta(days=3),
        )
        reasons = {line.partner_id: line.skip_reason for line in campaign.line_ids}
        self.assertEqual(reasons[self.bob], "no_consent")
        self.assertEqual(reasons[self.eve], "archived")
        self.assertFalse(reasons[self.dan], "activities need no membership")
        campaign.with_user(self.sales_manager).action_submit()
        self.assertEqual(campaign.state, "done")
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("summary", "=", "Call to say hello")]
        )
        self.assertEqual(
            {(a.res_id, a.user_id) for a in activities},
            {(self.ann.id, self.salesperson), (self.dan.id, self.sales_manager)},
            "the customer's salesperson, the requester where there is none",
        )
        campaign._execute()
        campaign._schedule_activities(campaign.line_ids.filtered(lambda line: line.status == "done"))
        self.assertEqual(
            self.env["mail.activity"].search_count([("summary", "=", "Call to say hello")]), 2, "never twice"
        )

    def test_winback_mail_queued_only_for_consenting_members(self):
        self.ann.crm_consent_email = True
        self.bob.crm_consent_email = False
        expiry = fields.Date.today() + timedelta(days=30)
        campaign = self._campaign(
            kind="winback", program_id=self.program, points=20, offer_expiry_date=expiry, offer_text="We miss you"
        )
        campaign.with_user(self.sales_manager).action_submit()
        campaign.with_user(self.loyalty_manager).action_approve()
        mails = self.env["mail.mail"].search([("model", "=", "crm.segment.action.line")])
        self.assertEqual(mails.recipient_ids, self.ann)
        self.assertEqual(mails.state, "outgoing", "queued, sent by the mail queue")
        self.assertIn("We miss you", str(mails.body_html))
        self.assertRecordValues(self._entries(), [{"partner_id": self.ann.id, "points": 20.0, "expiry_date": expiry}])
        campaign._execute()
        campaign._send_offers(campaign.line_ids)
        self.assertEqual(self.env["mail.mail"].search([("model", "=", "crm.segment.action.line")]), mails)
        self.assertEqual(len(self._entries()), 1)

    def test_no_consent_skipped_and_other_company_excluded(self):
        self.ann.crm_consent_email = False
        campaign = self._campaign(program_id=self.program, points=5)
        self.assertEqual(campaign.line_ids.filtered(lambda line: line.partner_id == self.ann).skip_reason, "no_consent")
        self.assertFalse(campaign.line_ids.filtered(lambda line: line.status == "target"))
        self.assertEqual(
            campaign.line_ids.filtered(lambda line: line.partner_id == self.far).skip_reason, "other_company"
        )
        # the campaign and its lines stay in their company
        other_manager = new_test_user(
            self.env, "seg_other_manager", groups="sales_team.group_sale_manager", company_id=self.other_company.id
        )
        self.assertFalse(self.env["crm.segment.action"].with_user(other_manager).search([]))
        self.assertFalse(self.env["crm.segment.action.line"].with_user(other_manager).search([]))
        # and the drafts of the wizard too
        self.assertTrue(self.env["crm.segment.action.wizard"].search([("company_id", "=", self.company.id)]))
        self.assertFalse(self.env["crm.segment.action.wizard"].with_user(other_manager).search([]))

    def test_rfm_segment_reads_the_scores_of_the_campaign_company(self):
        rfm_segment = self.env["crm.rfm.segment"].search([], limit=1)
        Score = self.env["crm.rfm.score"]
        Score.create(
            [
                {"partner_id": self.ann.id, "company_id": self.company.id, "segment_id": rfm_segment.id},
                {"partner_id": self.bob.id, "company_id": self.company.id, "segment_id": rfm_segment.id},
                {"partner_id": self.dan.id, "company_id": self.other_company.id, "segment_id": rfm_segment.id},
            ]
        )
        wizard = Form(
            self.env["crm.segment.action.wizard"]
            .with_user(self.sales_manager)
            .with_context(active_model="crm.rfm.segment", active_id=rfm_segment.id)
        )
        wizard.program_id = self.program
        wizard.points = 7
        campaign = self.env["crm.segment.action"].browse(wizard.save().action_create()["res_id"])
        self.assertEqual(campaign.rfm_segment_id, rfm_segment)
        self.assertEqual(campaign.segment_name, rfm_segment.name)
        lines = {line.partner_id: line.skip_reason for line in campaign.line_ids}
        self.assertEqual(lines.get(self.ann), False)
        self.assertEqual(lines.get(self.bob), "no_consent")
        self.assertNotIn(self.dan, lines, "scored in another company only")

    def test_targets_are_read_set_based(self):
        """Reading the segment costs the same number of queries for 4 customers as for 40."""
        Partner = self.env["res.partner"]

        def queries_for(count):
            partners = Partner.create(
                [
                    {"name": f"Bulk {count} {i}", "email": f"bulk{count}_{i}@example.com", "crm_consent_email": i % 2}
                    for i in range(count)
                ]
            )
            self.env["crm.loyalty.membership"].create(
                [{"partner_id": p.id, "program_id": self.program.id} for p in partners[::3]]
            )
            segment = self.env["crm.rule.segment"].create({"name": f"Bulk {count}", "company_id": self.company.id})
            segment.partner_ids = [Command.set(partners.ids)]
            campaign = self.env["crm.segment.action"].create(
                {"name": "Bulk", "rule_segment_id": segment.id, "program_id": self.program.id, "points": 1}
            )
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            campaign._compute_lines()
            self.env.flush_all()
            self.assertEqual(len(campaign.line_ids), count)
            return self.env.cr.sql_log_count - before

        queries_for(3)  # the caches of the first run (models, groups, rules)
        self.assertEqual(queries_for(40), queries_for(4))


@tagged("post_install", "-at_install")
class TestSegmentActionRpc(HttpCase):
    """Over XML-RPC, as an outside client: a salesperson can neither approve a campaign's points nor write its
    state; the Loyalty Manager can approve."""

    def test_salesperson_cannot_approve_over_rpc(self):
        env = self.env
        sales_manager = new_test_user(env, "rpc_sales_manager", groups="sales_team.group_sale_manager")
        new_test_user(env, "rpc_salesperson", groups="sales_team.group_sale_salesman")
        loyalty_manager = new_test_user(env, "rpc_loyalty_manager", groups="crm_loyalty.group_loyalty_manager")
        program = env["crm.loyalty.program"].create({"name": "RPC Club", "company_id": env.company.id})
        ann = env["res.partner"].create({"name": "RPC Ann", "email": "ann@rpc.example", "crm_consent_email": True})
        membership = env["crm.loyalty.membership"].create({"partner_id": ann.id, "program_id": program.id})
        segment = env["crm.rule.segment"].create({"name": "RPC segment", "domain": f"[('id', '=', {ann.id})]"})
        segment.action_refresh()
        campaign = (
            env["crm.segment.action"]
            .with_user(sales_manager)
            .create({"name": "RPC bonus", "rule_segment_id": segment.id, "program_id": program.id, "points": 9})
        )
        campaign.with_user(sales_manager).action_submit()

        def call(login, method, *args):
            uid = self.xmlrpc_common.authenticate(env.cr.dbname, login, login, {})
            return self.xmlrpc_object.execute_kw(
                env.cr.dbname, uid, login, "crm.segment.action", method, [[campaign.id], *args]
            )

        for method, args in (("action_approve", ()), ("write", ({"state": "approved"},))):
            with self.assertRaises(xmlrpc.client.Fault) as refused, self.assertLogs("odoo.http", "WARNING"):
                call("rpc_salesperson", method, *args)
            self.assertEqual(refused.exception.faultCode, 4, "an AccessError (RPC_FAULT_CODE_ACCESS_ERROR)")
        with self.assertRaises(xmlrpc.client.Fault), self.assertLogs("odoo.http", "WARNING"):
            call("rpc_salesperson", "_execute")  # private methods are not callable over RPC
        self.assertEqual(campaign.state, "to_approve")
        self.assertFalse(membership.entry_ids)
        call("rpc_loyalty_manager", "action_approve")
        campaign.invalidate_recordset()
        self.assertEqual(campaign.state, "done")
        self.assertEqual(membership.entry_ids.mapped("points"), [9.0])
        self.assertEqual(membership.entry_ids.approved_by_id, loyalty_manager)
