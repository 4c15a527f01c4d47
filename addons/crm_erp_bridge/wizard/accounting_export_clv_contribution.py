from odoo import _, models
from odoo.tools import SQL


class CrmAccountingExport(models.TransientModel):
    """The workbook's CLV by Cohort sheet: customer lifetime value on contribution against the cost to serve
    over the CLV horizon, by acquisition year and RFM segment (crm.clv.contribution's figures as of the end of
    the period: the service cost of the 12 months up to it, the latest prediction)."""

    _inherit = "crm.accounting.export"

    def _clv_contribution_columns(self):
        return [
            (_("Acquisition Year"), "text", 12, False),
            (_("RFM Segment"), "text", 24, False),
            (_("Customers"), "points", 10, True),
            (_("CLV on Contribution"), "money", 16, True),
            (_("Mean CLV"), "money", 14, False),
            (_("Mean Cost to Serve"), "money", 14, False),
            (_("CLV : Cost to Serve"), "money", 12, False),
        ]

    def _clv_contribution_rows(self):
        """One row per acquisition year and segment, the company's customers with a prediction."""
        figures = self.env["crm.clv.contribution"]._clv_contribution_sql(companies=self.company_id, today=self.date_to)
        return self.env.execute_query(
            SQL(
                """SELECT EXTRACT(YEAR FROM v.cohort_date)::int::text,
                          COALESCE(seg.name->>%(lang)s, seg.name->>'en_US', %(none)s), COUNT(*), SUM(v.clv),
                          AVG(v.clv), AVG(v.service_cost_horizon),
                          CASE WHEN SUM(v.service_cost_horizon) > 0
                               THEN SUM(v.clv) / SUM(v.service_cost_horizon) END
                     FROM (%(figures)s) v LEFT JOIN crm_rfm_segment seg ON seg.id = v.segment_id
                 GROUP BY 1, 2 ORDER BY 1, 2""",
                lang=self.env.lang or "en_US",
                none=_("(no segment)"),
                figures=figures,
            )
        )
