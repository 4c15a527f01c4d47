from odoo import api, fields, models


class CrmFeedbackNps(models.Model):
    _inherit = "crm.feedback.nps"

    rfm_segment_id = fields.Many2one(
        "crm.rfm.segment",
        string="RFM Segment",
        readonly=True,
        index="btree_not_null",
        help="The customer's RFM segment when they answered (survey answers); kept as it was.",
    )
    loyalty_tier_id = fields.Many2one(
        "crm.loyalty.tier",
        readonly=True,
        index="btree_not_null",
        help="The customer's tier in the company's loyalty program when they answered (survey answers); kept "
        "as it was.",
    )
    lifecycle_stage_id = fields.Many2one(
        "crm.lifecycle.stage",
        readonly=True,
        index="btree_not_null",
        help="The customer's lifecycle stage when they answered (survey answers); kept as it was.",
    )

    @api.model
    def _nps_answer_context_values(self, partner):
        values = super()._nps_answer_context_values(partner)
        # sudo: the answer records three labels of this one customer as they are now, whoever records it (the
        # public survey page, a feedback agent without sales or loyalty rights); nothing else is read, and
        # the segment and tier are those of the current company (the answer's, see _answer)
        customer_sudo = partner.commercial_partner_id.sudo().with_company(self.env.company)
        values.update(
            {
                "rfm_segment_id": customer_sudo.rfm_segment_id.id,
                "loyalty_tier_id": customer_sudo.loyalty_tier_id.id,
                "lifecycle_stage_id": customer_sudo.lifecycle_stage_id.id,
            }
        )
        return values

    @api.model_create_multi
    def create(self, vals_list):
        answers = super().create(vals_list)
        detractors = answers.filtered(lambda a: a.score_class == "detractor")
        self.env["crm.loyalty.goodwill"]._propose(
            [
                {"partner": a.commercial_partner_id, "company": a.company_id, "trigger": "nps_detractor", "nps": a}
                for a in detractors
            ]
        )
        return answers
