from collections import defaultdict

from odoo import Command, _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.crm_customer_facts.models.crm_sales_fact import FactScope

from ..tools import sentiment


class CrmFeedbackNps(models.Model):
    """An answer to "How likely are you to recommend us? (0-10)"."""

    _name = "crm.feedback.nps"
    _description = "NPS Answer"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="cascade")
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id", store=True, index=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    team_id = fields.Many2one("crm.feedback.team", check_company=True)
    product_categ_id = fields.Many2one("product.category", string="Product Category")
    partner_category_ids = fields.Many2many(
        "res.partner.category",
        string="Customer Tags",
        help="The customer's tags when they answered (survey answers); kept as they were.",
    )
    date = fields.Date(default=fields.Date.context_today, required=True, index=True)
    score = fields.Integer(required=True, aggregator="avg")
    comment = fields.Text()
    score_class = fields.Selection(
        [("promoter", "Promoter"), ("passive", "Passive"), ("detractor", "Detractor")],
        compute="_compute_score_class",
        store=True,
    )
    nps_value = fields.Float(
        compute="_compute_score_class",
        store=True,
        aggregator="avg",
        string="NPS",
        help="+100 for a promoter, 0 for a passive, -100 for a detractor: the average is the NPS.",
    )
    sentiment_score = fields.Float(compute="_compute_sentiment", store=True, aggregator="avg")
    sentiment = fields.Selection(
        sentiment.LABELS,
        compute="_compute_sentiment",
        store=True,
        help="Empty when not analysed: the analysis comes with the addon CRM Feedback Sentiment.",
    )

    @api.constrains("score")
    def _check_score(self):
        for answer in self:
            if not 0 <= answer.score <= 10:
                raise ValidationError(_("An NPS score goes from 0 to 10, not %(score)s.", score=answer.score))

    @api.depends("score")
    def _compute_score_class(self):
        for answer in self:
            if answer.score >= 9:
                answer.score_class, answer.nps_value = "promoter", 100.0
            elif answer.score >= 7:
                answer.score_class, answer.nps_value = "passive", 0.0
            else:
                answer.score_class, answer.nps_value = "detractor", -100.0

    @api.depends("comment")
    def _compute_sentiment(self):
        score = self.env["crm.feedback.ticket"]._sentiment_score  # the analysers of tickets, when installed
        for answer in self:
            value = score(answer.comment)
            answer.sentiment_score = value or 0.0
            answer.sentiment = sentiment.label(value)

    @api.model
    def _nps_answer_context_values(self, partner):
        """Values describing ``partner``'s customer when they answer a survey in the current company,
        stored with the answer so that NPS reads by them as they were then: the team serving the customer
        (the team of their latest ticket, else the company's default feedback team), the product category
        they were invoiced most for, and their tags (the customer's and the contact's).

        Addons that know more about the customer (segment, loyalty tier, lifecycle stage) extend this:
        ``values = super()._nps_answer_context_values(partner)``, then add their own fields' values."""
        customer = partner.commercial_partner_id
        company = self.env.company
        ticket = self.env["crm.feedback.ticket"].search(
            [("commercial_partner_id", "=", customer.id), ("company_id", "=", company.id), ("team_id", "!=", False)],
            order="date_open desc, id desc",
            limit=1,
        )
        # the customer's gross revenue by product category, from the sources of the customer figures
        Fact = self.env["crm.sales.fact"]
        self.env.flush_all()
        self.env.cr.execute(
            Fact._fact_source_rows_sql(
                FactScope(partner_ids=customer.ids, company_ids=company.ids), columns=["gross_revenue"]
            )
        )
        revenue_by_categ = defaultdict(float)
        for row in self.env.cr.dictfetchall():
            if row["categ_id"]:
                revenue_by_categ[self.env["product.category"].browse(row["categ_id"])] += row["gross_revenue"]
        categ = max(revenue_by_categ, key=revenue_by_categ.get) if revenue_by_categ else None
        return {
            "team_id": (ticket.team_id or company.feedback_team_id).id,
            "product_categ_id": categ.id if categ and revenue_by_categ[categ] > 0 else False,
            "partner_category_ids": [Command.set((customer.category_id | partner.category_id).ids)],
        }

    @api.model
    def _nps(self, domain):
        """NPS = % promoters - % detractors over the answers matching ``domain``."""
        groups = dict(self._read_group(domain, ["score_class"], ["__count"]))
        total = sum(groups.values())
        if not total:
            return 0.0
        return 100.0 * (groups.get("promoter", 0) - groups.get("detractor", 0)) / total
