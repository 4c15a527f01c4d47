from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import float_is_zero

from ..tools.points import proportional_points


class AccountMove(models.Model):
    _inherit = "account.move"

    loyalty_entry_count = fields.Integer(
        compute="_compute_loyalty_entries",
        string="Loyalty Entries",
        groups="crm_loyalty.group_loyalty_user",
        help="Ledger entries this document created (a referrer's bonus included).",
    )
    loyalty_points = fields.Float(
        compute="_compute_loyalty_entries",
        groups="crm_loyalty.group_loyalty_user",
        help="Net points this document earned (positive) or took back (negative) for its customer: earned "
        "points and bonuses, less what a credit note or a reset to draft reversed.",
    )

    @api.depends("state")
    def _compute_loyalty_entries(self):
        groups = self.env["crm.loyalty.entry"]._read_group(
            [("move_id", "in", self._origin.ids)], ["move_id", "partner_id"], ["__count", "points:sum"]
        )
        counts, points = defaultdict(int), defaultdict(float)
        for move, partner, count, total in groups:
            counts[move.id] += count
            if partner == move.commercial_partner_id:
                points[move.id] += total
        for move in self:
            move.loyalty_entry_count = counts[move._origin.id]
            move.loyalty_points = points[move._origin.id]

    def action_view_loyalty_entries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_loyalty.crm_loyalty_entry_action")
        action["domain"] = [("move_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def _post(self, soft=True):
        posted = super()._post(soft)
        posted._crm_loyalty_earn()
        posted._crm_loyalty_reverse_refunds()
        return posted

    def button_draft(self):
        # reverse before the state changes: a draft invoice earns nothing
        self._crm_loyalty_reverse_all()
        return super().button_draft()

    # ------------------------------------------------------------------ earn
    def _crm_loyalty_base_amounts(self, program, rules):
        """(untaxed base, multiplier-weighted base) of this invoice in company currency."""
        self.ensure_one()
        base = weighted = 0.0
        sign = -1 if self.move_type == "out_invoice" else 1
        for line in self.invoice_line_ids.filtered(lambda l: l.display_type == "product"):
            amount = sign * line.balance
            base += amount
            weighted += amount * (program._product_multiplier(line.product_id, rules) if line.product_id else 1.0)
        return base, weighted

    def _crm_loyalty_customer_multipliers(self, memberships):
        """{(customer id, company id): factor} applied to the points ``memberships`` earn on these invoices, on
        top of the tier's multiplier; missing: 1. Override to treat customers differently (the value policy
        of crm_value_policy); read in one pass for all the invoices, never per invoice."""
        return {}

    def _crm_loyalty_earn(self):
        invoices = self.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        if not invoices:
            return
        # sudo: points are earned by whoever posts the invoice (an accountant needs no loyalty rights)
        env_su = self.env(su=True)
        Program, Membership, Entry = (
            env_su["crm.loyalty.program"],
            env_su["crm.loyalty.membership"],
            env_su["crm.loyalty.entry"],
        )
        programs = Program.search([("company_id", "in", invoices.company_id.ids)])
        if not programs:
            return
        partners = invoices.commercial_partner_id
        memberships = Membership.search([("program_id", "in", programs.ids), ("partner_id", "in", partners.ids)])
        # automatic enrolment on the first posted invoice
        enrolled = {(m.partner_id.id, m.program_id.id) for m in memberships}
        new_vals = []
        for invoice in invoices:
            for program in programs.filtered(lambda p, i=invoice: p.auto_enroll and p.company_id == i.company_id):
                key = (invoice.commercial_partner_id.id, program.id)
                if key not in enrolled:
                    enrolled.add(key)
                    new_vals.append(
                        {"partner_id": key[0], "program_id": program.id, "enroll_date": invoice.invoice_date}
                    )
        if new_vals:
            memberships |= Membership.create(new_vals)
        memberships = memberships.filtered(lambda m: m.state == "active")
        by_key = {(m.partner_id.id, m.company_id.id): [] for m in memberships}
        for m in memberships:
            by_key[(m.partner_id.id, m.company_id.id)].append(m)
        # idempotency: an invoice already holding points for a membership earns nothing more
        held = {
            (move.id, member.id): pts
            for move, member, pts in Entry._read_group(
                [("move_id", "in", invoices.ids), ("entry_type", "in", ("earn", "reverse"))],
                ["move_id", "membership_id"],
                ["points:sum"],
            )
        }
        earned_before = {
            m.id
            for [m] in Entry._read_group(
                [("membership_id", "in", memberships.ids), ("entry_type", "=", "earn")], ["membership_id"]
            )
        }
        rules = {p.id: p._multipliers() for p in programs}
        customer_multipliers = invoices._crm_loyalty_customer_multipliers(memberships)
        referrers = (
            Membership.search(
                [
                    ("program_id", "in", programs.ids),
                    ("state", "=", "active"),
                    ("partner_id", "in", partners.loyalty_referrer_id.commercial_partner_id.ids),
                ]
            )
            if partners.loyalty_referrer_id
            else Membership
        )
        vals_list = []
        for invoice in invoices.sorted(lambda i: (i.invoice_date, i.id)):
            for member in by_key.get((invoice.commercial_partner_id.id, invoice.company_id.id), []):
                if not float_is_zero(held.get((invoice.id, member.id), 0.0), precision_digits=6):
                    continue
                program = member.program_id
                base, weighted = invoice._crm_loyalty_base_amounts(program, rules[program.id])
                multiplier = member.tier_id.multiplier if member.tier_id else 1.0
                multiplier *= customer_multipliers.get((member.partner_id.id, member.company_id.id), 1.0)
                points = program._round(weighted * program.earn_rate * multiplier)
                if points <= 0:
                    continue
                expiry = program._expiry_date(invoice.invoice_date)
                vals_list.append(
                    {
                        "membership_id": member.id,
                        "entry_type": "earn",
                        "points": points,
                        "amount_base": base,
                        "date": invoice.invoice_date,
                        "expiry_date": expiry,
                        "move_id": invoice.id,
                    }
                )
                if member.id in earned_before:
                    continue
                earned_before.add(member.id)
                if program.first_purchase_bonus:
                    vals_list.append(
                        {
                            "membership_id": member.id,
                            "entry_type": "bonus",
                            "bonus_kind": "first_purchase",
                            "points": program.first_purchase_bonus,
                            "date": invoice.invoice_date,
                            "expiry_date": expiry,
                            "move_id": invoice.id,
                        }
                    )
                referrer = referrers.filtered(
                    lambda r, p=program, i=invoice: (
                        r.program_id == p
                        and r.partner_id == i.commercial_partner_id.loyalty_referrer_id.commercial_partner_id
                    )
                )
                if program.referral_bonus and referrer:
                    vals_list.append(
                        {
                            "membership_id": referrer.id,
                            "entry_type": "bonus",
                            "bonus_kind": "referral",
                            "points": program.referral_bonus,
                            "date": invoice.invoice_date,
                            "expiry_date": expiry,
                            "move_id": invoice.id,
                        }
                    )
        if vals_list:
            entries = Entry.create(vals_list)
            entries.membership_id._apply_tiers(allow_downgrade=False)

    # ------------------------------------------------------------------ reversal
    def _crm_loyalty_reverse_refunds(self):
        """A posted credit note takes back the points of the invoice it reverses, in proportion."""
        refunds = self.filtered(lambda m: m.move_type == "out_refund" and m.reversed_entry_id)
        if not refunds:
            return
        Entry = self.env["crm.loyalty.entry"].sudo()  # sudo: see _crm_loyalty_earn
        earns = Entry.search([("move_id", "in", refunds.reversed_entry_id.ids), ("entry_type", "=", "earn")])
        earns_by_move = defaultdict(lambda: Entry)
        for earn in earns:
            earns_by_move[earn.move_id.id] |= earn
        vals_list = []
        for refund in refunds:
            for earn in earns_by_move[refund.reversed_entry_id.id]:
                if refund in earn.reversal_ids.move_id:
                    continue  # already reversed by this credit note
                rules = earn.program_id._multipliers()
                base, _weighted = refund._crm_loyalty_base_amounts(earn.program_id, rules)
                net = earn.points + sum(earn.reversal_ids.mapped("points"))
                points = min(earn.program_id._round(proportional_points(earn.points, base, earn.amount_base)), net)
                if points <= 0:
                    continue
                vals_list.append(
                    Entry._prepare_reversal_vals(
                        earn,
                        -points,
                        amount_base=-min(abs(base), abs(earn.amount_base)),
                        move_id=refund.id,
                    )
                )
        if vals_list:
            Entry.create(vals_list)

    def _crm_loyalty_reverse_all(self):
        """Reset to draft / cancel: undo what these documents did to the ledger (bonuses stay)."""
        posted = self.filtered(lambda m: m.state == "posted" and m.move_type in ("out_invoice", "out_refund"))
        if not posted:
            return
        Entry = self.env["crm.loyalty.entry"].sudo()  # sudo: see _crm_loyalty_earn
        entries = Entry.search([("move_id", "in", posted.ids), ("entry_type", "in", ("earn", "reverse"))])
        for move in posted:
            entries.filtered(lambda e, m=move: e.move_id == m)._reverse_net(move_id=move.id)
