import random
from ast import literal_eval
from datetime import timedelta

from lxml import etree

from odoo import fields

from .common import SegmentationCommon


class ChurnCommon(SegmentationCommon):
    """Customers' purchase histories for the churn rule and the churn and lifetime value predictions
    (crm_segmentation_clv's tests build on it)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Score = cls.env["crm.rfm.score"].with_company(cls.company).with_context(allowed_company_ids=cls.company.ids)
        cls.today = fields.Date.context_today(cls.Score)

    def _recompute(self):
        """The "Recompute" button of the RFM analysis."""
        self.Score.action_recompute()
        self.Score.invalidate_model()
        self.company.invalidate_recordset()

    def _score(self, partner):
        return self.Score.search([("partner_id", "=", partner.id), ("company_id", "=", self.company.id)])

    def _churning(self):
        """The scores the "Likely Churning" filter of the RFM analysis lists."""
        arch = etree.fromstring(self.env.ref("crm_segmentation.crm_rfm_score_view_search").arch)
        domain = literal_eval(arch.xpath("//filter[@name='churning']")[0].get("domain"))
        return self.Score.search([*domain, ("company_id", "=", self.company.id)])

    def _facts(self, partner, purchases):
        """Daily sales facts written straight into the table: [(days ago, net amount, contribution)]."""
        self.env.cr.executemany(
            "INSERT INTO crm_sales_fact (partner_id, company_id, date, invoice_count, net_revenue, contribution)"
            " VALUES (%s, %s, %s, 1, %s, %s)",
            [(partner.id, self.company.id, self.today - timedelta(days=d), n, c) for d, n, c in purchases],
        )

    def _population(self, n=40):
        """Enough history to fit both models: buyers every 20 to 40 days, some of whom stopped months ago, and
        one customer in four who bought once."""
        rng = random.Random(5)
        partners = self.env["res.partner"].create([{"name": f"P{i}", "is_company": True} for i in range(n)])
        for i, partner in enumerate(partners):
            last = {0: rng.randrange(10, 300), 1: rng.randrange(150, 300)}.get(i % 4, rng.randrange(1, 60))
            days = [last]
            if i % 4:
                for _k in range(rng.randrange(1, 8)):
                    days.append(days[-1] + rng.randrange(20, 41))
            amounts = [rng.choice([80, 100, 120]) for _d in days]
            self._facts(partner, [(d, a, a) for d, a in zip(days, amounts, strict=True)])
        return partners
