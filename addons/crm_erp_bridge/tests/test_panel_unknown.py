import re

from lxml import etree

from odoo import fields, models
from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval

VIEWS = ("crm_erp_bridge.res_partner_view_form_crm360", "crm_erp_bridge.res_partner_view_form_crm360_dashboard")


@tagged("post_install", "-at_install")
class TestPanelUnknownValues(TransactionCase):
    """What the 360 page and dashboard do not know reads as nothing (or as the reason), never as a zero:
    churn and CLV never predicted, no CSAT, stage never refreshed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id |= cls.env.ref("sales_team.group_sale_manager")
        cls.company = cls.env.company
        cls.customer = cls.env["res.partner"].create({"name": "Quiet Customer", "is_company": True})
        cls.score = cls.env["crm.rfm.score"].create({"partner_id": cls.customer.id, "company_id": cls.company.id})

    def _shown(self, view_xmlid, record):
        """Names of the fields of the 360 page (or the dashboard) the web client shows for ``record``: the
        field and every enclosing node of the page have no true ``invisible``."""
        view = self.env.ref(view_xmlid)
        root_view = view.inherit_id or view
        arch = etree.fromstring(record.get_view(root_view.id, "form")["arch"])
        top = arch.find(".//page[@name='crm360']") if view.inherit_id else arch
        shown = set()
        for node in top.iter("field"):
            hidden = False
            for element in [node, *node.iterancestors()]:
                expression = element.get("invisible")
                if expression and self._evaluate(expression, record):
                    hidden = True
                if element is top:
                    break
            if not hidden:
                shown.add(node.get("name"))
        return shown

    def _evaluate(self, expression, record):
        values = {}
        for name in set(re.findall(r"[A-Za-z_]\w*", expression)) & set(record._fields):
            value = record[name]
            values[name] = value.ids if isinstance(value, models.BaseModel) else value
        return safe_eval(expression, {"True": True, "False": False, **values})

    def test_unknown_values_are_empty(self):
        customer = self.customer.with_company(self.company)
        self.assertEqual(customer.rfm_score_id, self.score)
        self.assertTrue(customer.rfm_prediction_note, "the reason is shown instead")
        values = customer.web_read({"crm360_last_csat": {}, "crm_figures_refreshed_at": {}, "crm360_last_nps": {}})[0]
        self.assertFalse(customer.churn_probability)
        self.assertFalse(customer.clv_12m)
        self.assertFalse(values["crm360_last_csat"], "no rating: no CSAT")
        self.assertIs(values["crm_figures_refreshed_at"], False, "never refreshed")
        self.assertLess(values["crm360_last_nps"], 0, "no answer (hidden)")
        for view in VIEWS:
            shown = self._shown(view, customer)
            self.assertIn("rfm_prediction_note", shown, view)
            for name in ("churn_probability", "clv_12m", "crm360_last_csat", "crm_figures_refreshed_at"):
                self.assertNotIn(name, shown, f"{name} in {view}")
            self.assertIn("crm360_revenue_total", shown, view)

    def test_known_values_are_shown(self):
        self.score.write({"predicted_at": fields.Datetime.now(), "prob_alive": 0.75, "clv_12m": 120.0})
        self.env["res.partner"].browse(self.customer.ids)._crm_refresh_figures()
        ticket = self.env["crm.feedback.ticket"].create(
            {"subject": "Fine", "description": "<p>ok</p>", "partner_id": self.customer.id}
        )
        ticket.rating_apply(5, token=ticket._rating_get_access_token())
        self.env["crm.feedback.nps"].create({"partner_id": self.customer.id, "score": 8})
        customer = self.customer.with_company(self.company)
        customer.invalidate_recordset()
        self.assertFalse(customer.rfm_prediction_note)
        self.assertAlmostEqual(customer.churn_probability, 0.25)
        self.assertEqual(customer.crm360_last_csat, 5.0)
        self.assertTrue(customer.crm_figures_refreshed_at)
        for view in VIEWS:
            shown = self._shown(view, customer)
            self.assertNotIn("rfm_prediction_note", shown, view)
            for name in ("churn_probability", "clv_12m", "crm360_last_csat", "crm_figures_refreshed_at"):
                self.assertIn(name, shown, f"{name} in {view}")


@tagged("post_install", "-at_install")
class TestNpsAnswerContext(TransactionCase):
    """A survey answer records the customer's RFM segment, loyalty tier and lifecycle stage as they were
    when the customer answered, so that NPS reads by them later."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.company
        cls.customer = env["res.partner"].create({"name": "Answering Customer", "is_company": True})
        program = env["crm.loyalty.program"].create({"name": "NPS Club", "company_id": cls.company.id})
        cls.silver, cls.gold = env["crm.loyalty.tier"].create(
            [
                {"name": "Silver", "program_id": program.id, "threshold": 100, "sequence": 1},
                {"name": "Gold", "program_id": program.id, "threshold": 1000, "sequence": 2},
            ]
        )
        cls.membership = env["crm.loyalty.membership"].create(
            {"partner_id": cls.customer.id, "program_id": program.id, "tier_id": cls.silver.id}
        )
        cls.segment, cls.other_segment = env["crm.rfm.segment"].search([], limit=2)
        cls.score = env["crm.rfm.score"].create(
            {"partner_id": cls.customer.id, "company_id": cls.company.id, "segment_id": cls.segment.id}
        )
        cls.stage, cls.other_stage = env["crm.lifecycle.stage"].search([], limit=2)
        cls.customer.with_context(crm_lifecycle_auto=True).lifecycle_stage_id = cls.stage

    def test_answer_records_segment_tier_and_stage_as_they_were(self):
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.customer.id})
        survey = self.env["crm.feedback.nps.request"].create({"partner_id": contact.id})
        answer = survey._answer(9, "Great")
        self.assertRecordValues(
            answer,
            [
                {
                    "rfm_segment_id": self.segment.id,
                    "loyalty_tier_id": self.silver.id,
                    "lifecycle_stage_id": self.stage.id,
                }
            ],
        )
        # the customer moves on: the answer keeps what they were when they answered
        self.membership.tier_id = self.gold
        self.score.segment_id = self.other_segment
        self.customer.with_context(crm_lifecycle_auto=True).lifecycle_stage_id = self.other_stage
        answer.invalidate_recordset()
        self.assertEqual(answer.loyalty_tier_id, self.silver)
        self.assertEqual(answer.rfm_segment_id, self.segment)
        self.assertEqual(answer.lifecycle_stage_id, self.stage)
        # and NPS reads by them
        Nps = self.env["crm.feedback.nps"]
        for field in ("rfm_segment_id", "loyalty_tier_id", "lifecycle_stage_id"):
            groups = dict(Nps._read_group([("id", "=", answer.id)], [field], ["nps_value:avg"]))
            self.assertEqual(groups, {answer[field]: 100.0}, field)
            search = Nps.get_view(view_type="search")["arch"]
            self.assertIn(f"'group_by': '{field}'", search)
            self.assertIn(f'name="{field}"', Nps.get_view(view_type="list")["arch"])

    def test_answer_of_a_customer_without_figures(self):
        stranger = self.env["res.partner"].create({"name": "Stranger"})
        answer = self.env["crm.feedback.nps.request"].create({"partner_id": stranger.id})._answer(3, False)
        self.assertRecordValues(
            answer, [{"rfm_segment_id": False, "loyalty_tier_id": False, "lifecycle_stage_id": False}]
        )
