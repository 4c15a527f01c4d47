from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

HISTORY_STEP = 20


class LoyaltyPortal(CustomerPortal):
    """The customer's own loyalty page: their commercial partner's memberships, never anybody else's."""

    def _loyalty_memberships_sudo(self):
        """The memberships of the signed-in user's commercial partner (a company's contacts share its
        memberships), in active programs, closed ones left out.

        sudo: portal users have no access to the loyalty models; the domain itself limits the read to the
        user's own commercial partner, and every page reads through these records only.
        """
        partner = request.env.user.partner_id.commercial_partner_id
        return (
            request.env["crm.loyalty.membership"]
            .sudo()
            .search(
                [("partner_id", "=", partner.id), ("state", "!=", "closed"), ("program_id.active", "=", True)],
                order="id",
            )
        )

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "loyalty_balance" in counters:
            memberships_sudo = self._loyalty_memberships_sudo()
            # a balance means something within its program only: one figure per program, never a sum
            values["loyalty_balance"] = (
                " · ".join(m.program_id._format_points(m.balance) for m in memberships_sudo) if memberships_sudo else 0
            )
        return values

    @http.route(["/my/loyalty"], type="http", auth="user", website=True)
    def portal_my_loyalty(self, **kw):
        memberships_sudo = self._loyalty_memberships_sudo()
        values = self._prepare_portal_layout_values()
        values.update(
            memberships=memberships_sudo,
            progress=memberships_sudo._tier_progress(),
            partner=request.env.user.partner_id.commercial_partner_id.sudo(),
            page_name="loyalty",
        )
        return request.render("crm_loyalty.portal_my_loyalty", values)

    @http.route(
        ["/my/loyalty/<int:membership_id>", "/my/loyalty/<int:membership_id>/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_loyalty_membership(self, membership_id, page=1, **kw):
        membership_sudo = self._loyalty_memberships_sudo().filtered(lambda m: m.id == membership_id)
        if not membership_sudo:
            # somebody else's membership, a closed one or no membership at all: the same answer
            raise NotFound()
        # sudo: the ledger of the membership checked above (the user's own), read by the portal user
        entries_sudo = request.env["crm.loyalty.entry"].sudo()
        domain = [("membership_id", "=", membership_sudo.id)]
        pager = portal_pager(
            url=f"/my/loyalty/{membership_sudo.id}",
            total=entries_sudo.search_count(domain),
            page=page,
            step=HISTORY_STEP,
        )
        values = self._prepare_portal_layout_values()
        values.update(
            membership=membership_sudo,
            program=membership_sudo.program_id,
            progress=membership_sudo._tier_progress()[membership_sudo.id],
            lots=membership_sudo._open_lots(),
            entries=entries_sudo.search(domain, limit=HISTORY_STEP, offset=pager["offset"]),
            history_pager=pager,
            page_name="loyalty_membership",
        )
        return request.render("crm_loyalty.portal_my_loyalty_membership", values)

    @http.route(["/my/loyalty/statement"], type="http", auth="user", methods=["POST"], website=True)
    def portal_my_loyalty_statement(self, optin=None, **kw):
        """The customer asks for (``optin=1``) or stops (``optin=0``) the monthly statement (CSRF-checked)."""
        if optin not in ("0", "1"):
            raise NotFound()
        if self._loyalty_memberships_sudo():
            partner = request.env.user.partner_id.commercial_partner_id
            # sudo: portal users may not write contacts; this is the consent of the user's own commercial
            # partner (the member), tracked in its chatter
            partner_sudo = partner.sudo()
            partner_sudo.loyalty_statement_optin = optin == "1"
        return request.redirect("/my/loyalty")
