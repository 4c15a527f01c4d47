from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, new_test_user


class RetentionCommon(TransactionCase):
    """Customers' purchase days written straight into the daily facts, their tickets and NPS answers, and the
    daily churn risk computation of the company, dates relative to today."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                "churn_risk_threshold": 50,
                "churn_holdout_percent": 0.0,
                "churn_save_days": 60,
                "churn_active_months": 24,
                "churn_offer_points": 100.0,
            }
        )
        cls.Risk = cls.env["crm.churn.risk"].with_context(allowed_company_ids=cls.company.ids)
        cls.today = fields.Date.context_today(cls.Risk)
        cls.team = cls.env["crm.feedback.team"].create({"name": "Retention Care", "company_id": cls.company.id})
        cls.salesman = new_test_user(cls.env, login="churn_sales", groups="sales_team.group_sale_salesman")

    def _customer(self, name, days_ago=(), user=None, company=None):
        partner = self.env["res.partner"].create(
            {"name": name, "is_company": True, "user_id": user.id if user else False}
        )
        self._facts(partner, days_ago, company)
        return partner

    def _facts(self, partner, days_ago, company=None):
        """Purchase days [days ago], one invoice of 100 each, straight into the facts table."""
        self.env.cr.executemany(
            "INSERT INTO crm_sales_fact (partner_id, company_id, date, invoice_count, gross_revenue, net_revenue,"
            " contribution) VALUES (%s, %s, %s, 1, 100, 100, 100)",
            [(partner.id, (company or self.company).id, self.today - timedelta(days=d)) for d in days_ago],
        )

    def _ticket(self, partner, ticket_type="question", **vals):
        ticket = self.env["crm.feedback.ticket"].create(
            {
                "subject": "Parcel",
                "description": "<p>Where is the parcel?</p>",
                "ticket_type": ticket_type,
                "partner_id": partner.id,
                "team_id": self.team.id,
                "company_id": self.company.id,
                "channel": "phone",
            }
        )
        # the signals under test, whatever the optional sentiment analysers found in the text
        ticket.write({"sentiment": False, **vals})
        return ticket

    def _nps(self, partner, score, days_ago):
        return self.env["crm.feedback.nps"].create(
            {
                "partner_id": partner.id,
                "company_id": self.company.id,
                "score": score,
                "date": self.today - timedelta(days=days_ago),
            }
        )

    def _compute(self, companies=None):
        count = self.Risk._compute_risks(companies or self.company)
        self.Risk.invalidate_model()
        return count

    def _risk(self, partner, company=None):
        return self.Risk.search([("partner_id", "=", partner.id), ("company_id", "=", (company or self.company).id)])
