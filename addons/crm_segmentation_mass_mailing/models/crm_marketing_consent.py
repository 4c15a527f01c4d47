from odoo import models


class CrmMarketingConsent(models.Model):
    _inherit = "crm.marketing.consent"

    def _sync_partners(self):
        res = super()._sync_partners()
        withdrawn = self.filtered(lambda c: c.channel == "email" and not c.granted).partner_id
        # a withdrawal leaves the lists the segments feed at once (sudo inside: the customer withdrawing on the
        # portal cannot read the mailing lists; only their own addresses are removed)
        withdrawn = withdrawn.filtered(lambda p: not p.crm_consent_email)
        if withdrawn:
            self.env["crm.rule.segment"].sudo()._remove_from_mailing_lists(withdrawn)
        return res
