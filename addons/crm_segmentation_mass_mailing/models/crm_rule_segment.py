from odoo import _, api, fields, models


class CrmRuleSegment(models.Model):
    _inherit = "crm.rule.segment"

    mailing_list_id = fields.Many2one(
        "mailing.list",
        ondelete="set null",
        tracking=True,
        help="Kept in sync with the members at every refresh: the members who consent to e-mail marketing (and "
        "are not on the blacklist) are subscribed, the others removed; a contact who unsubscribed from the list "
        "stays unsubscribed.",
    )
    mailing_synced_at = fields.Datetime(string="Mailing List Synced On", readonly=True)
    mailing_contact_count = fields.Integer(related="mailing_list_id.contact_count", string="Mailing Contacts")

    def action_refresh(self):
        res = super().action_refresh()
        self.filtered("mailing_list_id")._sync_mailing_list()
        return res

    def action_create_mailing_list(self):
        """A new mailing list named after the segment, linked and filled at once (the members refreshed)."""
        for segment in self.filtered(lambda s: not s.mailing_list_id):
            segment.mailing_list_id = self.env["mailing.list"].create({"name": segment.name})
        return self.action_refresh()

    def action_view_mailing_contacts(self):
        """The contacts of the segment's list: the members who consent to e-mail marketing."""
        self.ensure_one()
        return self.mailing_list_id.action_view_contacts()

    def action_new_mailing(self):
        """A new mailing to the segment's list: the list's own action, opened on the form."""
        self.ensure_one()
        action = self.mailing_list_id.action_send_mailing()
        action["views"] = [view for view in action["views"] if view[1] == "form"] or [(False, "form")]
        action["view_mode"] = "form"
        return action

    def _sync_mailing_list(self):
        """Subscribe the consenting members to the segment's list and remove the others, set-based: one read
        of the list's subscriptions, one search of the existing mailing contacts by e-mail, one create of the
        missing contacts and subscriptions, one unlink of the subscriptions of former members. Opt-outs are
        the contact's choice on that list: never subscribed again, never removed."""
        Contact, Subscription = self.env["mailing.contact"], self.env["mailing.subscription"]
        for segment in self:
            mailing_list = segment.mailing_list_id
            consenting = segment.partner_ids._crm_filter_consenting("email")
            wanted = {}
            for partner in consenting:
                wanted.setdefault(partner.email_normalized, partner)
            subscriptions = Subscription.search([("list_id", "=", mailing_list.id)])
            current = {sub.contact_id.email_normalized: sub for sub in subscriptions}
            subscriptions.filtered(
                lambda s, keep=wanted: not s.opt_out and s.contact_id.email_normalized not in keep
            ).unlink()
            missing = {email: partner for email, partner in wanted.items() if email not in current}
            contacts = {
                contact.email_normalized: contact
                for contact in Contact.search([("email_normalized", "in", list(missing))], order="id")
            }
            new_contacts = Contact.create(
                [
                    {
                        "name": partner.name,
                        "email": partner.email,
                        "company_name": partner.commercial_company_name or False,
                    }
                    for email, partner in missing.items()
                    if email not in contacts
                ]
            )
            contacts.update({contact.email_normalized: contact for contact in new_contacts})
            Subscription.create([{"contact_id": contacts[email].id, "list_id": mailing_list.id} for email in missing])
            segment.mailing_synced_at = fields.Datetime.now()
            segment.message_post(
                body=_(
                    "Mailing list %(list)s synced: %(count)s members consent to e-mail marketing.",
                    list=mailing_list.name,
                    count=len(wanted),
                ),
                subtype_xmlid="mail.mt_note",
            )

    @api.model
    def _remove_from_mailing_lists(self, partners):
        """Take these contacts' addresses off every list a segment feeds (their e-mail consent was withdrawn):
        at once, not at the next refresh."""
        emails = [email for email in partners.mapped("email_normalized") if email]
        lists = self.search([("mailing_list_id", "!=", False)]).mailing_list_id
        if emails and lists:
            self.env["mailing.subscription"].sudo().search(
                [("list_id", "in", lists.ids), ("contact_id.email_normalized", "in", emails)]
            ).unlink()
