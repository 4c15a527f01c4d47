import re

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import html2plaintext, html_escape

from .res_users import ERASING

STATES = [
    ("received", "Received"),
    ("approved", "Approved"),
    ("done", "Done"),
    ("refused", "Refused"),
]
SCOPES = [
    ("full", "Everything"),
    ("crm", "Customer relations data only (books within retention)"),
]
# the text left where a person's words were (descriptions, comments, notes): counts and scores stay
ERASED_TEXT = "[erased]"
# the identity an invoice within the accounting retention needs (kept in a partial erasure)
BOOK_IDENTITY_FIELDS = ("name", "vat", "company_registry", "street", "street2", "zip", "city", "state_id")
# the rest of a contact's personal data, cleared in every erasure
CONTACT_FIELDS = ("email", "phone", "mobile", "website", "comment", "function", "ref", "birthday", "image_1920")
# fields only an officer's approval or execution writes
WORKFLOW_FIELDS = {
    "state",
    "approved_by_id",
    "date_approved",
    "executed_by_id",
    "date_done",
    "refusal_reason",
    "scope",
    "kept_until",
    "kept_note",
    "change_counts",
}
OFFICER = "crm_privacy.group_privacy_officer"
AUTHOR = "CRM-ERP Suite contributors"


class CrmPrivacyErasureRequest(models.Model):
    """A customer's request to erase their personal data: received from anyone in customer relations,
    approved then executed by a privacy officer, or refused (a legal hold: open invoices).

    Execution pseudonymises: the customer and their contacts become "Erased customer #<id>", what they wrote
    (ticket descriptions, NPS and CSAT comments, notes) becomes a marker, and the chatter of their records
    follows; amounts, dates, scores, the points ledger and its hash chain and the general ledger stay.
    While the accounting retention period of a posted entry of the customer runs, the identity the books need
    (name, tax id, address of the partners on those entries) is kept and the request says until when."""

    _name = "crm.privacy.erasure.request"
    _inherit = ["mail.thread"]
    _description = "Customer Relations: Personal Data Erasure Request"
    _order = "id desc"
    _rec_name = "pseudonym"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="restrict",
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    reason = fields.Text(help="The customer's request: how and when it came in.")
    requested_by_id = fields.Many2one("res.users", required=True, readonly=True, default=lambda self: self.env.user)
    state = fields.Selection(STATES, required=True, default="received", readonly=True, tracking=True)
    pseudonym = fields.Char(
        compute="_compute_pseudonym",
        store=True,
        help="What replaces the customer's name, e-mail and phone numbers once the request is executed.",
    )
    approved_by_id = fields.Many2one("res.users", readonly=True)
    date_approved = fields.Datetime(readonly=True)
    executed_by_id = fields.Many2one("res.users", readonly=True)
    date_done = fields.Datetime(string="Executed On", readonly=True)
    refusal_reason = fields.Text(readonly=True)
    scope = fields.Selection(SCOPES, readonly=True, help="What the execution erased.")
    kept_until = fields.Date(
        readonly=True,
        help="The identity kept for the books (name, tax id, address on invoices) may be erased after this date "
        "(end of the accounting retention of the customer's last posted entry): file a new request then.",
    )
    kept_note = fields.Text(string="Kept", readonly=True)
    change_counts = fields.Json(readonly=True, help="Records changed per model.")
    change_summary = fields.Text(string="Changes", compute="_compute_change_summary")

    @api.depends("partner_id")
    def _compute_pseudonym(self):
        for request in self:
            request.pseudonym = request.partner_id and _(
                "Erased customer #%(number)s", number=request.partner_id.commercial_partner_id.id
            )

    @api.depends("change_counts")
    def _compute_change_summary(self):
        for request in self:
            counts = request.change_counts or {}
            request.change_summary = "\n".join(f"{model}: {count}" for model, count in sorted(counts.items()))

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        is_officer = self._is_privacy_officer()
        for vals in vals_list:
            if not is_officer and (WORKFLOW_FIELDS - {"state"}) & set(vals):
                raise AccessError(_("Only privacy officers may approve, execute or refuse an erasure request."))
            if not is_officer and vals.get("state", "received") != "received":
                raise AccessError(_("Only privacy officers may approve, execute or refuse an erasure request."))
            if not is_officer:
                # the requester is whoever files the request
                vals["requested_by_id"] = self.env.uid
            if vals.get("partner_id"):
                vals["partner_id"] = self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id.id
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("partner_id"):
            vals = dict(vals, partner_id=self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id.id)
        if self.env.su or self._is_privacy_officer():
            return super().write(vals)
        if WORKFLOW_FIELDS & set(vals) or "requested_by_id" in vals:
            raise AccessError(_("Only privacy officers may approve, execute or refuse an erasure request."))
        if any(request.state != "received" for request in self):
            raise AccessError(_("Only a received erasure request may be changed."))
        return super().write(vals)

    # ------------------------------------------------------------------ actions
    @api.model
    def _is_privacy_officer(self):
        return self.env.su or self.env.user.has_group(OFFICER)

    def _check_privacy_officer(self):
        if not self._is_privacy_officer():
            raise AccessError(_("Only privacy officers may approve, execute or refuse an erasure request."))

    def action_approve(self):
        self._check_privacy_officer()
        for request in self:
            if request.state != "received":
                raise UserError(_("Only a received request can be approved."))
            if request._refuse_on_hold():
                continue
            request.write({"state": "approved", "approved_by_id": self.env.uid, "date_approved": fields.Datetime.now()})
        return True

    def action_refuse(self):
        self._check_privacy_officer()
        if any(request.state in ("done", "refused") for request in self):
            raise UserError(_("An executed or refused request cannot be refused."))
        self.write({"state": "refused", "refusal_reason": _("Refused by the privacy officer.")})
        return True

    def action_execute(self):
        self._check_privacy_officer()
        for request in self:
            if request.state != "approved":
                raise UserError(_("Only an approved request can be executed."))
            if request._refuse_on_hold():
                continue
            request._execute()
        return True

    # ------------------------------------------------------------------ legal hold
    def _open_invoices(self):
        """Posted invoices and credit notes of the customer not yet settled, in every company (the partner record
        the erasure changes is shared by the companies)."""
        self.ensure_one()
        # sudo: the officer checks the customer's receivables without an accounting right, in every company;
        # read only, bound to the customer of the request
        moves_sudo = self.env["account.move"].sudo()
        return moves_sudo.search(
            [
                ("commercial_partner_id", "=", self.partner_id.id),
                ("state", "=", "posted"),
                ("move_type", "in", ("out_invoice", "out_refund", "out_receipt")),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )

    def _refuse_on_hold(self):
        """Refuse the request while the customer has open invoices (the claim needs their identity);
        returns True when refused."""
        self.ensure_one()
        open_invoices = self._open_invoices()
        if not open_invoices:
            return False
        reason = _(
            "Legal hold: the customer has open invoices (%(invoices)s). Their identity is needed to collect or "
            "settle them; file a new request once they are paid or cancelled.",
            invoices=", ".join(open_invoices.mapped("name")),
        )
        self.write({"state": "refused", "refusal_reason": reason})
        self.message_post(body=reason)
        return True

    def _retained_moves(self):
        """{posted entry of the customer: end of its retention} for the entries still within the accounting
        retention of their company (every company: the partner record is shared)."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        # sudo: read only, bound to the customer of the request, in every company
        moves_sudo = self.env["account.move"].sudo()
        moves = moves_sudo.search(
            [("commercial_partner_id", "=", self.partner_id.id), ("state", "=", "posted")], order="date desc, id"
        )
        ends = {}
        for move in moves:
            end = move.date + relativedelta(years=move.company_id.privacy_accounting_retention_years)
            if end > today:
                ends[move] = end
        return ends

    # ------------------------------------------------------------------ execution
    def _execute(self):
        """Pseudonymise the customer in one transaction (see the class docstring); as superuser after the officer
        check: the officer erases data of models whose rights they lack (tickets of other teams, the ledger's
        notes), bound to the customer and their contacts."""
        self.ensure_one()
        self._check_privacy_officer()
        self_sudo = self.sudo()
        env_sudo = self_sudo.env(context=dict(self_sudo.env.context, active_test=False, tracking_disable=True))
        customer = env_sudo["res.partner"].browse(self.partner_id.id)
        partners = env_sudo["res.partner"].search([("id", "child_of", customer.id)])
        retention_ends = self._retained_moves()
        retained_moves = env_sudo["account.move"].union(*retention_ends)
        kept_partners = retained_moves.mapped("partner_id") | retained_moves.mapped("commercial_partner_id")
        kept_partners &= partners
        pseudonym = self.pseudonym
        replacements = self._replacements(partners, pseudonym, self._written_texts(env_sudo, partners))
        counts = {}
        records = self._erase_our_records(env_sudo, partners, counts)
        self._erase_partners(partners, kept_partners, pseudonym, counts)
        threads = [("res.partner", partners.ids), ("crm.privacy.erasure.request", self.ids)]
        threads += [(model, recs.ids) for model, recs in records.items() if recs and "message_ids" in recs._fields]
        if not kept_partners:
            moves = env_sudo["account.move"].search([("commercial_partner_id", "=", customer.id)])
            threads.append(("account.move", moves.ids))
            if "sale.order" in env_sudo:
                orders = env_sudo["sale.order"].search([("partner_id", "in", partners.ids)])
                threads.append(("sale.order", orders.ids))
        self._erase_chatter(env_sudo, threads, partners, replacements, counts)
        self._erase_logs(env_sudo, customer, replacements, counts)
        self._erase_mentions(env_sudo, partners, replacements, counts)
        self._erase_transients(env_sudo, partners, records, counts)
        kept_until = False
        kept_note = False
        if kept_partners:
            last = max(retained_moves.mapped("date"))
            kept_until = max(retention_ends.values())
            kept_note = _(
                "Within the accounting retention of their company, %(count)s posted entries, the last of %(date)s: "
                "the name, tax id and address of %(partners)s stay on the partner records and the invoices until "
                "%(until)s. Everything else was erased.",
                count=len(retained_moves),
                date=fields.Date.to_string(last),
                partners=", ".join(f"#{partner.id}" for partner in kept_partners),
                until=fields.Date.to_string(kept_until),
            )
        self.write(
            {
                "state": "done",
                "executed_by_id": self.env.uid,
                "date_done": fields.Datetime.now(),
                "scope": "crm" if kept_partners else "full",
                "kept_until": kept_until,
                "kept_note": kept_note,
                "change_counts": counts,
            }
        )
        # after the summary: the state change is tracked with the requester's words pseudonymised too
        self._erase_chatter(env_sudo, [("crm.privacy.erasure.request", self.ids)], partners, replacements, {})

    @api.model
    def _replacements(self, partners, pseudonym, texts):
        """[(old text, new text)], longest first: the personal values that text elsewhere may quote (names, also
        those kept on the partner records for the books, e-mails, phone numbers) and the texts they wrote."""
        pairs = dict.fromkeys(texts, ERASED_TEXT)
        customer = partners[:1].commercial_partner_id
        earlier = self._earlier_values(partners)
        words = []
        for partner in partners:
            name = pseudonym if partner == customer else f"{pseudonym} ({partner.id})"
            for value in (partner.name, partner.complete_name, partner.email, partner.email_normalized):
                if value:
                    pairs[value] = name
            for value in (partner.phone, partner.mobile):
                if value:
                    pairs[value] = name
                    pairs[value.replace(" ", "")] = name
            for value in earlier.get(partner.id, ()):
                pairs[value] = name
            if not partner.is_company:
                names = [value for value, field in earlier.get(partner.id, {}).items() if field == "name"]
                pattern = self._name_words_pattern([partner.name, *names])
                if pattern:
                    words.append((pattern, name))
        strings = sorted(
            ((old, new) for old, new in pairs.items() if len(old.strip()) >= 3),
            key=lambda pair: -len(pair[0]),
        )
        # after the full values: what is left of a person's name, a given or family name alone
        return strings + words

    @api.model
    def _earlier_values(self, partners):
        """{partner id: {text: field name}} the values the partners' tracked texts held before (an earlier name,
        e-mail or phone), as the tracking of their records kept them."""
        trackings = partners.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", "res.partner"),
                ("mail_message_id.res_id", "in", partners.ids),
                ("field_id.ttype", "in", ("char", "text")),
            ]
        )
        earlier = {}
        for tracking in trackings:
            values = earlier.setdefault(tracking.mail_message_id.res_id, {})
            for value in (tracking.old_value_char, tracking.new_value_char):
                if value:
                    values[value] = tracking.field_id.name
        return earlier

    @api.model
    def _name_words_pattern(self, names):
        """A pattern of the runs of the words of a person's names (3 letters or more, as written, with their
        capital), HTML tags left alone: "We will replace it, Alinta." loses the given name, "Called Alinta
        Zorvath" the whole run; None when no word is long enough."""
        words = {word for name in names if name for word in re.findall(r"[^\W\d_]{3,}", name)}
        if not words:
            return None
        word = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
        return re.compile(rf"(<[^>]*>)|\b(?:{word})(?:[ .]+(?:{word}))*\b")

    @api.model
    def _written_texts(self, env_sudo, partners):
        """What the partners wrote or staff noted about them in our models (quoted elsewhere verbatim)."""
        texts = set()
        tickets = env_sudo["crm.feedback.ticket"].search(
            ["|", ("partner_id", "in", partners.ids), ("commercial_partner_id", "in", partners.ids)]
        )
        for ticket in tickets:
            texts.add(ticket.subject)
            texts.update(line.strip() for line in html2plaintext(ticket.description or "").splitlines())
        texts.update(env_sudo["crm.feedback.nps"].search([("partner_id", "in", partners.ids)]).mapped("comment"))
        ratings = env_sudo["rating.rating"].search(
            [
                "|",
                ("partner_id", "in", partners.ids),
                "&",
                ("res_model", "=", "crm.feedback.ticket"),
                ("res_id", "in", tickets.ids),
            ]
        )
        texts.update(ratings.mapped("feedback"))
        texts.update(env_sudo["crm.lifecycle.history"].search([("partner_id", "in", partners.ids)]).mapped("reason"))
        texts.update(env_sudo["crm.loyalty.entry"].search([("partner_id", "in", partners.ids)]).mapped("reason"))
        # a text shorter than a few words is too common to be replaced everywhere ("OK", "Thanks")
        return {text for text in texts if text and len(text) >= 12}

    @api.model
    def _replace(self, text, replacements):
        """``text`` with each (old, new) of ``replacements`` replaced, ``old`` a text (also found HTML-escaped)
        or a pattern of name words (see ``_name_words_pattern``)."""
        if not text:
            return text
        for old, new in replacements:
            if isinstance(old, re.Pattern):
                text = old.sub(lambda match, new=new: match.group(1) or new, text)
                continue
            if old in text:
                text = text.replace(old, new)
            escaped = html_escape(old)
            if escaped != old and escaped in text:
                text = text.replace(escaped, html_escape(new))
        return text

    def _erase_our_records(self, env_sudo, partners, counts):
        """The records our addons hold about these partners, with the personal text replaced by a marker;
        returns {model: records} (their chatter follows)."""
        records = {}
        Ticket = env_sudo["crm.feedback.ticket"]
        tickets = Ticket.search(
            ["|", ("partner_id", "in", partners.ids), ("commercial_partner_id", "in", partners.ids)]
        )
        records["crm.feedback.ticket"] = tickets
        tickets._privacy_erase_texts()
        if tickets:
            counts["crm.feedback.ticket"] = len(tickets)
        answers = env_sudo["crm.feedback.nps"].search([("partner_id", "in", partners.ids)])
        records["crm.feedback.nps"] = answers
        commented = answers.filtered("comment")
        for answer in commented:
            # the comment and, in the same write, its sentiment as analysed (protected from recomputation)
            answer.write(
                {"comment": ERASED_TEXT, "sentiment_score": answer.sentiment_score, "sentiment": answer.sentiment}
            )
        if answers:
            counts["crm.feedback.nps"] = len(answers)
        ratings = env_sudo["rating.rating"].search(
            [
                "|",
                ("partner_id", "in", partners.ids),
                "&",
                ("res_model", "=", "crm.feedback.ticket"),
                ("res_id", "in", tickets.ids),
            ]
        )
        rated = ratings.filtered("feedback")
        rated.write({"feedback": ERASED_TEXT})
        if rated:
            counts["rating.rating"] = len(rated)
        moves = env_sudo["crm.lifecycle.history"].search([("partner_id", "in", partners.ids), ("reason", "!=", False)])
        moves.write({"reason": ERASED_TEXT})
        if moves:
            counts["crm.lifecycle.history"] = len(moves)
        memberships = env_sudo["crm.loyalty.membership"].search([("partner_id", "in", partners.ids)])
        records["crm.loyalty.membership"] = memberships
        noted = env_sudo["crm.loyalty.entry"].search(
            [("membership_id", "in", memberships.ids), ("reason", "!=", False)]
        )
        if noted:
            noted._privacy_erase_reason(ERASED_TEXT)
            counts["crm.loyalty.entry"] = len(noted)
        return records

    @api.model
    def _erase_partners(self, partners, kept_partners, pseudonym, counts):
        customer = partners[:1].commercial_partner_id
        for partner in partners:
            vals = dict.fromkeys(CONTACT_FIELDS, False)
            if partner not in kept_partners:
                vals.update(dict.fromkeys(BOOK_IDENTITY_FIELDS, False))
                vals["name"] = pseudonym if partner == customer else f"{pseudonym} ({partner.id})"
            partner.write(vals)
        # their logins (a portal user signs in with their e-mail address): archived, renamed
        users = partners.user_ids.filtered(lambda user: not user._is_internal())
        for user in users:
            user.with_context(**{ERASING: True}).write(
                {"login": f"erased-{user.id}", "signature": False, "active": False}
            )
        counts["res.partner"] = len(partners)
        if users:
            counts["res.users"] = len(users)

    @api.model
    def _erase_chatter(self, env_sudo, threads, partners, replacements, counts):
        """The messages on these records and those the partners wrote anywhere, their tracked values and
        queued e-mails: personal values replaced by the pseudonym."""
        Message = env_sudo["mail.message"]
        domain = [("author_id", "in", partners.ids)]
        for model, ids in threads:
            if ids:
                domain = ["|", *domain, "&", ("model", "=", model), ("res_id", "in", ids)]
        messages = Message.search(domain)
        changed = 0
        for message in messages:
            vals = {}
            for name in ("body", "subject", "record_name", "email_from", "reply_to"):
                value = message[name]
                new = self._replace(value, replacements)
                if message.author_id in partners and name == "email_from" and value:
                    new = False
                if new != value:
                    vals[name] = new
            if message.author_id in partners and message.message_type in ("email", "comment") and message.body:
                # their own words: none of it stays, whatever it quotes
                vals["body"] = Markup("<p>%s</p>") % ERASED_TEXT
            if vals:
                message.write(vals)
                changed += 1
        trackings = env_sudo["mail.tracking.value"].search([("mail_message_id", "in", messages.ids)])
        for tracking in trackings:
            vals = {}
            for name in ("old_value_char", "new_value_char"):
                new = self._replace(tracking[name], replacements)
                if new != tracking[name]:
                    vals[name] = new
            if vals:
                tracking.write(vals)
        mails = env_sudo["mail.mail"].search([("mail_message_id", "in", messages.ids)])
        for mail in mails:
            vals = {
                name: self._replace(mail[name], replacements)
                for name in ("body_html", "email_to", "email_cc")
                if mail[name] and self._replace(mail[name], replacements) != mail[name]
            }
            if vals:
                mail.write(vals)
        if changed:
            counts["mail.message"] = counts.get("mail.message", 0) + changed
        # the composers that sent them (transient wizards, vacuumed within hours) go now
        composers = env_sudo["mail.compose.message"].search([("model", "in", [model for model, _ids in threads])])
        composers.filtered(
            lambda composer: (
                self._replace(composer.body, replacements) != composer.body
                or self._replace(composer.subject, replacements) != composer.subject
            )
        ).unlink()

    @api.model
    def _erase_mentions(self, env_sudo, partners, replacements, counts):
        """Safety net: the stored texts of every model our addons define, on the records linked to these partners
        (any many2one to a contact), that still quote one of their personal values (a note typed by staff, a
        field added after this method was written): the values replaced by the pseudonym."""
        # sudo: the names of the suite's modules, configuration read only
        ours = set(env_sudo["ir.module.module"].search([("author", "=", AUTHOR)]).mapped("name"))
        for model_name in sorted(env_sudo.registry):
            Model = env_sudo[model_name]
            if Model._abstract or Model._transient or not Model._auto or Model._original_module not in ours:
                continue
            links = [
                name
                for name, field in Model._fields.items()
                if field.type == "many2one" and field.comodel_name == "res.partner" and field.store
            ]
            texts = [
                name
                for name, field in Model._fields.items()
                if field.type in ("char", "text", "html") and field.store and not field.compute and not field.related
            ]
            if not links or not texts:
                continue
            domain = expression.OR([[(name, "in", partners.ids)] for name in links])
            changed = 0
            for record in Model.with_context(active_test=False).search(domain):
                vals = {}
                for name in texts:
                    new = self._replace(record[name], replacements)
                    if new != record[name]:
                        vals[name] = new
                if vals:
                    record.write(vals)
                    changed += 1
            if changed:
                counts[model_name] = counts.get(model_name, 0) + changed

    @api.model
    def _erase_transients(self, env_sudo, partners, records, counts):
        """The wizards of the suite left open about these partners or their records (a points adjustment with
        its reason, a personal data export): deleted now rather than by the vacuum, hours later."""
        # sudo: the names of the suite's modules, configuration read only
        ours = set(env_sudo["ir.module.module"].search([("author", "=", AUTHOR)]).mapped("name"))
        targets = {"res.partner": partners, **records}
        for model_name in sorted(env_sudo.registry):
            Model = env_sudo[model_name]
            if not Model._transient or Model._original_module not in ours:
                continue
            domain = expression.OR(
                [
                    [(name, "in", targets[field.comodel_name].ids)]
                    for name, field in Model._fields.items()
                    if field.type == "many2one" and field.store and field.comodel_name in targets
                ]
            )
            wizards = Model.search(domain) if domain != expression.FALSE_DOMAIN else Model
            if wizards:
                counts[model_name] = counts.get(model_name, 0) + len(wizards)
                wizards.unlink()

    @api.model
    def _erase_logs(self, env_sudo, customer, replacements, counts):
        """The reasons typed in the access log and the erasure requests about this customer."""
        logs = env_sudo["crm.privacy.access.log"].search([("partner_ids", "in", customer.ids), ("reason", "!=", False)])
        for log in logs:
            new = self._replace(log.reason, replacements)
            if new != log.reason:
                log.write({"reason": new})  # superuser: the only writer of the log
        requests = env_sudo[self._name].search([("partner_id", "=", customer.id)])
        for request in requests:
            vals = {
                name: self._replace(request[name], replacements)
                for name in ("reason", "refusal_reason")
                if request[name] and self._replace(request[name], replacements) != request[name]
            }
            if vals:
                request.write(vals)
