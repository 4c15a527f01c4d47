from datetime import timedelta

from werkzeug.exceptions import BadRequest

from odoo import _, fields, http
from odoo.http import content_disposition, request

from odoo.addons.crm_customer_facts.models.crm_marketing_consent import CHANNELS
from odoo.addons.portal.controllers.portal import CustomerPortal

EXPORT_INTERVAL = timedelta(minutes=1)  # one download of one's own data per minute and user


class PrivacyPortal(CustomerPortal):
    """/my/privacy: the customer's own privacy choices (marketing consent per channel, profiling), the
    explanation of their scores, predictions and stage, and the download of their own data. Everything is
    about the portal user's own contact (consent) and commercial partner (profiling, explanation, export):
    no record id comes from the request."""

    def _privacy_values(self, **kw):
        user = request.env.user
        customer = user.partner_id.commercial_partner_id
        # sudo: a portal user cannot read the contact fields, scores and stages of their own commercial partner;
        # the records are the user's own contact and commercial partner, taken from the session, never from the
        # request
        contact_sudo = user.partner_id.sudo()
        customer_sudo = customer.sudo()
        Consent = request.env["crm.marketing.consent"]
        channel_labels = dict(Consent._fields["channel"]._description_selection(request.env))
        return {
            "page_name": "privacy",
            "contact": contact_sudo,
            "customer": customer_sudo,
            "channels": [
                {
                    "code": code,
                    "label": channel_labels[code],
                    "granted": contact_sudo[f"crm_consent_{code}"],
                    "date": contact_sudo[f"crm_consent_{code}_date"],
                }
                for code, _label in CHANNELS
            ],
            "items": customer_sudo._crm_explain_profiling(),
            "message": kw.get("message"),
        }

    @http.route("/my/privacy", type="http", auth="user", website=True, methods=["GET"])
    def portal_my_privacy(self, message=None, **kw):
        messages = {
            "saved": _("Your choice has been saved."),
            "wait": _("You downloaded your data less than a minute ago: please wait a moment before the next."),
        }
        return request.render("crm_privacy.portal_my_privacy", self._privacy_values(message=messages.get(message)))

    @http.route("/my/privacy/consent", type="http", auth="user", website=True, methods=["POST"])
    def portal_my_privacy_consent(self, channel=None, granted=None, **kw):
        if channel not in dict(CHANNELS) or granted not in ("0", "1"):
            raise BadRequest()
        # sudo: a portal user cannot write contacts; they change the consent of their own contact (from the
        # session), recorded in the history with the source "portal" and the user
        contact_sudo = request.env.user.partner_id.sudo().with_context(crm_consent_source="portal")
        contact_sudo.write({f"crm_consent_{channel}": granted == "1"})
        return request.redirect("/my/privacy?message=saved")

    @http.route("/my/privacy/profiling", type="http", auth="user", website=True, methods=["POST"])
    def portal_my_privacy_profiling(self, opt_out=None, **kw):
        if opt_out not in ("0", "1"):
            raise BadRequest()
        # sudo: the profiling choice belongs to the user's own commercial partner (from the session), dated and
        # recorded with the source "portal"
        customer_sudo = request.env.user.partner_id.commercial_partner_id.sudo()
        customer_sudo.with_context(crm_consent_source="portal").write({"crm_profiling_opt_out": opt_out == "1"})
        return request.redirect("/my/privacy?message=saved")

    @http.route("/my/privacy/export", type="http", auth="user", website=True, methods=["POST"])
    def portal_my_privacy_export(self, **kw):
        user = request.env.user
        customer = user.partner_id.commercial_partner_id
        # sudo: portal users cannot read the access log; the look-up is of their own recent downloads
        logs_sudo = request.env["crm.privacy.access.log"].sudo()
        recent = logs_sudo.search_count(
            [
                ("user_id", "=", user.id),
                ("action", "=", "export_personal_data"),
                ("reason", "=", "portal"),
                ("date", ">", fields.Datetime.now() - EXPORT_INTERVAL),
            ],
            limit=1,
        )
        if recent:
            return request.redirect("/my/privacy?message=wait")
        # sudo: the export reads our models about the user's own commercial partner (from the session), which
        # a portal user has no rights on; the reads keep to that customer and their contacts (the wizard's
        # sections), in the user's companies
        export_sudo = request.env["crm.privacy.export"].sudo()
        content = export_sudo._build_zip(customer)
        request.env["crm.privacy.access.log"]._log("export_personal_data", customer, reason="portal")
        filename = f"personal-data-{customer.id}-{fields.Date.context_today(user)}.zip"
        return request.make_response(
            content,
            headers=[("Content-Type", "application/zip"), ("Content-Disposition", content_disposition(filename))],
        )
