import re

from werkzeug.exceptions import NotFound

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request
from odoo.tools import email_normalize, plaintext2html

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.addons.rating.controllers.main import Rating

from ..tools import throttle, uploads

MAX_SUBJECT = 200
MAX_NAME = 200
MAX_DESCRIPTION = 5000
MAX_EMAIL = 254
# failed link-token look-ups per client IP (and database) in 10 minutes, then 429 for any token, valid or not
TOKEN_GUESSES = throttle.FailureThrottle(limit=60, window=600)
HONEYPOT = "website"  # hidden on the form: people leave it empty, form-filling robots do not
TYPES = ("complaint", "suggestion", "praise", "question", "return")
# every field of the two forms: PostgreSQL refuses a NUL character in text, so it is a form error
FORM_FIELDS = ("name", "email", "subject", "ticket_type", "description", "sale_order_id", "invoice_id", "picking_id")
LIMITS = {
    "subject": MAX_SUBJECT,
    "name": MAX_NAME,
    "description": MAX_DESCRIPTION,
    "email": MAX_EMAIL,
    "files": uploads.MAX_FILES,
    "file_mb": uploads.MAX_FILE_BYTES // (1024 * 1024),
    "accept": uploads.ACCEPT,
}


def _guess_key():
    return (request.db, request.httprequest.remote_addr)


def _too_many_guesses():
    """The answer to a client that failed too many link tokens lately: the same for every token (no oracle)."""
    return request.make_response(
        _("Too many invalid links from your network: please try again in a few minutes."),
        headers=[("Content-Type", "text/plain; charset=utf-8"), ("Retry-After", "600")],
        status=429,
    )


def _one_line(value):
    """A one-line field (subject, name) with its white space collapsed; never cut."""
    return " ".join(str(value or "").split())


def _nul_errors(post, field_names):
    return {
        name: _("This field holds a character that is not allowed (NUL).")
        for name in field_names
        if "\x00" in str(post.get(name) or "")
    }


class FeedbackPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "feedback_count" in counters:
            Ticket = request.env["crm.feedback.ticket"]
            values["feedback_count"] = Ticket.search_count([]) if Ticket.has_access("read") else 0
        return values

    def _feedback_documents(self):
        """The customer's own orders, invoices and deliveries, offered on the new-ticket form: those the
        portal user may read (core portal rules) that belong to their commercial partner; a document the
        user merely follows belongs to someone else and is not offered."""
        partner = request.env.user.partner_id.commercial_partner_id
        env = request.env
        return {
            "orders": env["sale.order"].search(
                [("partner_id", "child_of", partner.id), ("state", "=", "sale")], limit=50
            ),
            "invoices": env["account.move"].search(
                [("partner_id", "child_of", partner.id), ("move_type", "=", "out_invoice"), ("state", "=", "posted")],
                limit=50,
            ),
            "pickings": env["stock.picking"].search(
                [
                    ("partner_id", "child_of", partner.id),
                    ("picking_type_code", "=", "outgoing"),
                    ("state", "not in", ("draft", "cancel")),
                ],
                order="id desc",
                limit=50,
            ),
        }

    @http.route(["/my/feedback", "/my/feedback/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_feedback(self, page=1, **kw):
        Ticket = request.env["crm.feedback.ticket"]
        # the portal record rule restricts this to the user's own commercial partner
        domain = []
        pager = portal_pager(url="/my/feedback", total=Ticket.search_count(domain), page=page, step=20)
        tickets = Ticket.search(domain, limit=20, offset=pager["offset"], order="id desc")
        values = self._prepare_portal_layout_values()
        values.update(tickets=tickets, pager=pager, page_name="feedback", default_url="/my/feedback")
        return request.render("crm_feedback.portal_my_feedback", values)

    @http.route(["/my/feedback/<int:ticket_id>"], type="http", auth="public", website=True)
    def portal_feedback_page(self, ticket_id, access_token=None, **kw):
        try:
            ticket_sudo = self._document_check_access("crm.feedback.ticket", ticket_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        # sudo: the files customers sent with this ticket, for whoever may read the ticket (checked above),
        # with download tokens as core's portal chatter hands them out; staff's own files are not listed
        files_sudo = (
            request.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", ticket_sudo._name), ("res_id", "=", ticket_sudo.id)], order="id")
            .filtered(lambda a: a.create_uid.share)
        )
        files_sudo.generate_access_token()
        values = self._get_page_view_values(
            ticket_sudo,
            access_token,
            {
                "files": files_sudo,
                "ticket": ticket_sudo,
                "page_name": "feedback_ticket",
                "token": access_token,
            },
            "my_feedback_history",
            False,
        )
        return request.render("crm_feedback.portal_feedback_page", values)

    @http.route(["/my/feedback/new"], type="http", auth="user", methods=["GET", "POST"], website=True)
    def portal_feedback_new(self, **post):
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="feedback_new", error={}, post=post, types=TYPES, limits=LIMITS, **self._feedback_documents()
        )
        if request.httprequest.method == "POST":
            vals, error = self._validate_feedback_form(post, portal=True)
            files = self._validate_files(error)
            if error:
                values["error"] = error
            else:
                # sudo: portal users cannot create tickets through the ORM; the values were checked above
                ticket_sudo = request.env["crm.feedback.ticket"].sudo().create(vals)
                self._attach_files(ticket_sudo, files)
                return request.redirect(f"/my/feedback/{ticket_sudo.id}")
        return request.render("crm_feedback.portal_feedback_new", values)

    @http.route(["/feedback"], type="http", auth="public", methods=["GET", "POST"], website=True, sitemap=False)
    def public_feedback(self, **post):
        values = {"error": {}, "post": post, "types": TYPES, "limits": LIMITS, "done": False}
        if request.httprequest.method == "POST" and post.get(HONEYPOT):
            # a robot: it gets the same answer as a person and nothing is written
            values.update(done=True, post={}, email=str(post.get("email") or "")[:MAX_EMAIL])
        elif request.httprequest.method == "POST":
            vals, error = self._validate_feedback_form(post, portal=False)
            files = self._validate_files(error)
            if error:
                values["error"] = error
            else:
                # sudo: anonymous visitors have no rights; the input was validated and limited above
                ticket_sudo = request.env["crm.feedback.ticket"].sudo().create(vals)
                self._attach_files(ticket_sudo, files)
                ticket_sudo._send_confirmation_request()
                values.update(done=True, post={}, email=vals["email_from"])
        return request.render("crm_feedback.public_feedback_form", values)

    def _validate_feedback_form(self, post, portal):
        error = _nul_errors(post, FORM_FIELDS)
        if error:
            return {}, error
        subject = _one_line(post.get("subject"))
        description = str(post.get("description") or "").strip()
        ticket_type = post.get("ticket_type") or "complaint"
        if not subject:
            error["subject"] = _("Give your feedback a title.")
        elif len(subject) > MAX_SUBJECT:
            error["subject"] = _("The subject is too long: at most %(max)s characters.", max=MAX_SUBJECT)
        if not description:
            error["description"] = _("Describe your feedback.")
        elif len(description) > MAX_DESCRIPTION:
            error["description"] = _("The description is too long: at most %(max)s characters.", max=MAX_DESCRIPTION)
        if ticket_type not in TYPES:
            error["ticket_type"] = _("Choose a type from the list.")
        vals = {
            "subject": subject,
            "description": plaintext2html(description),
            "ticket_type": ticket_type if ticket_type in TYPES else "complaint",
            "user_id": False,
        }
        if portal:
            self._validate_feedback_documents(post, vals, error)
        else:
            self._validate_feedback_sender(post, vals, error)
        if error:
            return {}, error
        try:
            request.env["crm.feedback.ticket"].sudo().new(vals)._check_documents_customer()
        except ValidationError as exc:
            error["document"] = str(exc)
        return vals, error

    def _validate_files(self, error):
        """The files sent with the form: at most MAX_FILES, each at most MAX_FILE_BYTES and, by its content,
        a JPEG, PNG or WebP image or a PDF document. Returns ``[(name, mimetype, data)]``; refusals in ``error``."""
        files = [f for f in request.httprequest.files.getlist("attachments") if f and f.filename]
        if len(files) > uploads.MAX_FILES:
            error["attachments"] = _("Attach at most %(max)s files.", max=uploads.MAX_FILES)
            return []
        accepted = []
        for upload in files:
            data = upload.read(uploads.MAX_FILE_BYTES + 1)
            kind = uploads.sniff(data)
            shown = uploads.shown_name(upload.filename)
            if len(data) > uploads.MAX_FILE_BYTES:
                error["attachments"] = _(
                    "%(name)s is too large: at most %(max)s MB per file.", name=shown, max=LIMITS["file_mb"]
                )
            elif not kind:
                error["attachments"] = _("%(name)s is not a JPEG, PNG or WebP image nor a PDF document.", name=shown)
            else:
                accepted.append((uploads.safe_name(upload.filename, kind[1]), kind[0], data))
        return [] if error.get("attachments") else accepted

    def _attach_files(self, ticket_sudo, files):
        """Store the checked files as attachments of the ticket: reading them needs the right to read the
        ticket (its customer, once verified, and staff). A portal customer's files come in a message of theirs."""
        if not files:
            return
        portal = ticket_sudo.channel == "portal"
        # sudo: visitors and portal users may not attach files to a ticket; the files were checked above and
        # the ticket was just created for this very request. A portal customer's files are created pending
        # (as core's composer does) so that message_post links them to the ticket and to their message.
        attachments_sudo = (
            request.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": name,
                        "raw": data,
                        "mimetype": mimetype,
                        "res_model": "mail.compose.message" if portal else ticket_sudo._name,
                        "res_id": 0 if portal else ticket_sudo.id,
                    }
                    for name, mimetype, data in files
                ]
            )
        )
        if portal:
            ticket_sudo.message_post(
                body=_("Files sent with the feedback."),
                attachment_ids=attachments_sudo.ids,
                author_id=ticket_sudo.partner_id.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def _validate_feedback_documents(self, post, vals, error):
        """Portal form: the ticket is the user's; the documents it is about must be their own."""
        env = request.env
        partner = env.user.partner_id
        company = partner.company_id or env.company
        vals.update(
            partner_id=partner.id,
            channel="portal",
            company_id=company.id,
            submitted_ip=request.httprequest.remote_addr,
        )
        # a signed-in customer is limited per contact only: not per IP (offices share one), not by the
        # company's public-form cap (an anonymous flood must not lock customers out)
        if env["crm.feedback.ticket"]._flood_reached(company, partner=partner):
            error["form"] = _("You sent many messages in the last hour: please try again later.")
        docs = self._feedback_documents()
        for field, key, model in (
            ("sale_order_id", "orders", "sale.order"),
            ("invoice_id", "invoices", "account.move"),
            ("picking_id", "pickings", "stock.picking"),
        ):
            raw = post.get(field)
            if raw:
                try:
                    record = env[model].browse(int(raw))
                except ValueError:
                    record = env[model]
                if not record or record not in docs[key]:
                    error[field] = _("Choose one of your own documents.")
                else:
                    vals[field] = record.id

    def _validate_feedback_sender(self, post, vals, error):
        """Public form: the visitor's name and address, rate-limited; the contact they are filed under."""
        env = request.env
        name = _one_line(post.get("name"))
        if len(name) > MAX_NAME:
            error["name"] = _("The name is too long: at most %(max)s characters.", max=MAX_NAME)
        email = email_normalize(post.get("email") or "")
        if not email or len(post.get("email") or "") > MAX_EMAIL:
            error["email"] = _("Enter a valid email address.")
        else:
            reached = env["crm.feedback.ticket"]._flood_reached(
                env.company, ip=request.httprequest.remote_addr, email=email
            )
            if reached == "address":
                error["email"] = _("Too many messages from this address: please try again later.")
            elif reached:
                error["form"] = _("We are receiving too many messages right now: please try again in an hour.")
        if error:
            return
        # unverified until the sender confirms from the e-mailed link: no contact is matched nor made, the
        # typed address is kept (and the typed name, for the contact made at confirmation)
        vals.update(
            email_from=email,
            contact_name=name or False,
            verified=False,
            channel="web",
            company_id=env.company.id,
            submitted_ip=request.httprequest.remote_addr,
        )

    @http.route(
        ["/feedback/confirm/<string:token>"],
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
    )
    def public_feedback_confirm(self, token, **post):
        """The link e-mailed to the typed address: GET shows a button (mail scanners follow links), the POST
        confirms. An unknown, expired or used token is the same 404."""
        if TOKEN_GUESSES.blocked(_guess_key()):
            return _too_many_guesses()
        ticket_sudo = request.env["crm.feedback.ticket"]._from_confirmation_token(token)
        if not ticket_sudo:
            TOKEN_GUESSES.fail(_guess_key())
            return request.not_found()
        values = {"ticket": ticket_sudo, "token": token, "done": False}
        if request.httprequest.method == "POST":
            ticket_sudo._verify_sender(_("The sender confirmed the address from the e-mailed link."), by_sender=True)
            values["done"] = True
        return request.render("crm_feedback.public_feedback_confirm", values)


MAX_NPS_COMMENT = 2000


class NpsSurvey(http.Controller):
    @http.route(
        ["/feedback/nps/<string:token>"],
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
    )
    def nps_survey(self, token, **post):
        if TOKEN_GUESSES.blocked(_guess_key()):
            return _too_many_guesses()
        survey = request.env["crm.feedback.nps.request"]._from_token(token)
        if not survey:
            TOKEN_GUESSES.fail(_guess_key())
            return request.not_found()
        values = {"survey": survey, "error": {}, "post": post, "done": False, "scores": range(11)}
        if request.httprequest.method == "POST":
            score, comment, error = self._validate_nps(post)
            if error:
                values["error"] = error
            else:
                survey._answer(score, comment)
                values.update(done=True, post={})
        return request.render("crm_feedback.nps_survey_page", values)

    def _validate_nps(self, post):
        error = {}
        raw = str(post.get("score") or "").strip()
        score = int(raw) if re.fullmatch(r"[0-9]{1,2}", raw) else None  # ASCII digits only (not "²")
        if score is None or not 0 <= score <= 10:
            error["score"] = _("Choose a score from 0 to 10.")
        comment = str(post.get("comment") or "").strip()
        if "\x00" in comment:
            error["comment"] = _("This field holds a character that is not allowed (NUL).")
        elif len(comment) > MAX_NPS_COMMENT:
            error["comment"] = _("Keep the comment under %(max)s characters.", max=MAX_NPS_COMMENT)
        return score, comment, error


class FeedbackRating(Rating):
    """Core's CSAT pages, for a ticket's rating link: 404 once used or expired, like an unknown token, and a
    rate outside 1, 3, 5 is a 404 too (core raises a server error)."""

    @http.route()
    def action_open_rating(self, token, rate, **kwargs):
        if TOKEN_GUESSES.blocked(_guess_key()):
            return _too_many_guesses()
        if rate not in (1, 3, 5):
            raise NotFound()
        return super().action_open_rating(token, rate, **kwargs)

    @http.route()
    def action_submit_rating(self, token, rate=0, **kwargs):
        if TOKEN_GUESSES.blocked(_guess_key()):
            return _too_many_guesses()
        if request.httprequest.method == "POST" and str(rate) not in ("1", "3", "5"):
            raise NotFound()
        return super().action_submit_rating(token, rate=rate, **kwargs)

    def _get_rating_and_record(self, token):
        try:
            if not token or len(token) > 64 or "\x00" in token:
                raise NotFound()
            rating_sudo, record_sudo = super()._get_rating_and_record(token)
            if record_sudo._name == "crm.feedback.ticket" and not record_sudo._csat_link_open(rating_sudo):
                raise NotFound()
        except NotFound:
            TOKEN_GUESSES.fail(_guess_key())
            raise
        return rating_sudo, record_sudo
