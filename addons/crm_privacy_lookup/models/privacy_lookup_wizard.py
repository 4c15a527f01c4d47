from odoo import _, models

AUTHOR = "CRM-ERP Suite contributors"


class PrivacyLookupWizardLine(models.TransientModel):
    _inherit = "privacy.lookup.wizard.line"

    def _crm_privacy_customer(self):
        """The commercial partner whose erasure request replaces the deletion of this line's record: for a
        record of our addons, its customer; for a contact, its commercial partner when our addons or the books
        hold data about it. Empty otherwise (the line is deleted as before)."""
        self.ensure_one()
        Partner = self.env["res.partner"]
        if self.is_unlinked or not self.res_model or self.res_model not in self.env:
            return Partner
        # sudo: the lookup (administrators) lists records of any model; only the line's own record is read, to
        # find its customer
        record_sudo = self.env[self.res_model].sudo().with_context(active_test=False).browse(self.res_id).exists()
        if not record_sudo:
            return Partner
        if self.res_model == "res.partner":
            customer = record_sudo.commercial_partner_id
            return customer if self._crm_privacy_has_data(customer) else Partner
        if self.res_model not in self._crm_privacy_models():
            return Partner
        for name in ("commercial_partner_id", "partner_id"):
            field = record_sudo._fields.get(name)
            if field and field.type == "many2one" and field.comodel_name == "res.partner" and record_sudo[name]:
                return record_sudo[name].commercial_partner_id
        return Partner

    def _crm_privacy_models(self):
        """The models our addons define (not those they only extend)."""
        # sudo: the list of models and of the modules of our suite, configuration read only
        ours = set(self.env["ir.module.module"].sudo().search([("author", "=", AUTHOR)]).mapped("name"))
        models_sudo = self.env["ir.model"].sudo().search([("model", "in", list(self.env.registry))])
        return {model.model for model in models_sudo if set(model.modules.split(", ")) <= ours}

    def _crm_privacy_has_data(self, customer):
        # sudo: counts only, about the customer of the line, whatever the administrator's own groups
        env_sudo = self.sudo().env
        partners = [("partner_id", "child_of", customer.id)]
        return bool(
            env_sudo["crm.loyalty.membership"].search_count(partners, limit=1)
            or env_sudo["crm.feedback.ticket"].search_count(partners, limit=1)
            or env_sudo["crm.feedback.nps"].search_count(partners, limit=1)
            or env_sudo["crm.rfm.score"].search_count(partners, limit=1)
            or env_sudo["account.move"].search_count(
                [("commercial_partner_id", "=", customer.id), ("state", "=", "posted")], limit=1
            )
        )

    def action_unlink(self):
        self.ensure_one()
        customer = self._crm_privacy_customer()
        if not customer:
            return super().action_unlink()
        request = self.env["crm.privacy.erasure.request"]._crm_privacy_lookup_request(customer)
        self.execution_details = _(
            "Not deleted: erasure request %(request)s filed for %(model)s #%(id)s (a privacy officer executes it)",
            request=request.pseudonym,
            model=self.res_model_id.name,
            id=self.res_id,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": request._name,
            "res_id": request.id,
            "view_mode": "form",
        }


class CrmPrivacyErasureRequest(models.Model):
    _inherit = "crm.privacy.erasure.request"

    def _crm_privacy_lookup_request(self, customer):
        """The open erasure request of ``customer`` in the current company, or a new one (received)."""
        # sudo: the administrator running the lookup may lack the customer relations groups; a request is only
        # filed (received), approving and executing it stays with the privacy officers
        requests_sudo = self.sudo()
        request = requests_sudo.search(
            [
                ("partner_id", "=", customer.id),
                ("company_id", "=", self.env.company.id),
                ("state", "in", ("received", "approved")),
            ],
            limit=1,
        )
        return request or requests_sudo.create(
            {
                "partner_id": customer.id,
                "company_id": self.env.company.id,
                "requested_by_id": self.env.uid,
                "reason": _("Filed from the Privacy Lookup by %(user)s.", user=self.env.user.name),
            }
        )
