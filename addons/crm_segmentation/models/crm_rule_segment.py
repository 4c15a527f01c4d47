from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from .crm_rfm_score import VALUE_CLASSES


class CrmRuleSegment(models.Model):
    """A named group of contacts: an Odoo domain plus optional RFM / lifecycle / value conditions."""

    _name = "crm.rule.segment"
    _description = "Customer Rule Segment"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    domain = fields.Char(string="Contact Filter", default="[]", required=True, tracking=True)
    rfm_segment_ids = fields.Many2many("crm.rfm.segment", string="RFM Segments")
    lifecycle_stage_ids = fields.Many2many("crm.lifecycle.stage", string="Lifecycle Stages")
    value_class = fields.Selection(VALUE_CLASSES)
    partner_ids = fields.Many2many(
        "res.partner", "crm_rule_segment_partner_rel", "segment_id", "partner_id", string="Members", readonly=True
    )
    member_count = fields.Integer(compute="_compute_member_count", store=True)
    refreshed_at = fields.Datetime(readonly=True)

    @api.depends("partner_ids")
    def _compute_member_count(self):
        # counted in the database: a segment may hold every customer
        self.flush_model(["partner_ids"])
        counts = {}
        if self.ids:
            counts = dict(
                self.env.execute_query(
                    SQL(
                        "SELECT segment_id, COUNT(*) FROM crm_rule_segment_partner_rel"
                        " WHERE segment_id = ANY(%s) GROUP BY segment_id",
                        self.ids,
                    )
                )
            )
        for segment in self:
            segment.member_count = counts.get(segment.id, 0)

    @api.constrains("domain")
    def _check_domain(self):
        for segment in self:
            try:
                domain = safe_eval(segment.domain or "[]", {"uid": self.env.uid})
                expression.expression(domain, self.env["res.partner"])
            except Exception as exc:
                raise ValidationError(
                    _(
                        "The filter of %(segment)s is not a valid contact domain: %(error)s",
                        segment=segment.name,
                        error=exc,
                    )
                ) from exc

    def _member_domain(self):
        self.ensure_one()
        domain = safe_eval(self.domain or "[]", {"uid": self.env.uid})
        company = self.company_id or self.env.company
        score_domain = [("company_id", "=", company.id)]
        if self.rfm_segment_ids:
            score_domain.append(("segment_id", "in", self.rfm_segment_ids.ids))
        if self.value_class:
            score_domain.append(("value_class", "=", self.value_class))
        if self.rfm_segment_ids or self.value_class:
            domain = expression.AND([domain, [("rfm_score_ids", "any", score_domain)]])
        if self.lifecycle_stage_ids:
            domain = expression.AND([domain, [("lifecycle_stage_id", "in", self.lifecycle_stage_ids.ids)]])
        # a segment is a profile: customers who objected to profiling are in none
        return expression.AND([domain, [("commercial_partner_id.crm_profiling_opt_out", "!=", True)]])

    def action_refresh(self):
        """Replace the members by the contacts the filter selects now, in the database: the domain becomes
        a subquery (with the user's record rules, as a search would apply them) and the member table is
        rewritten with two statements, whatever the number of members (no list of ids in memory)."""
        Partner = self.env["res.partner"]
        self.env.flush_all()
        for segment in self:
            query = Partner._search(segment._member_domain())
            query.order = None
            self.env.execute_query(SQL("DELETE FROM crm_rule_segment_partner_rel WHERE segment_id = %s", segment.id))
            if not query.is_empty():
                self.env.execute_query(
                    SQL(
                        "INSERT INTO crm_rule_segment_partner_rel (segment_id, partner_id) SELECT %s, id FROM (%s) q",
                        segment.id,
                        query.select(SQL.identifier(query.table, "id")),
                    )
                )
        self.invalidate_recordset(["partner_ids"])
        self.modified(["partner_ids"])
        self.write({"refreshed_at": fields.Datetime.now()})
        return True

    @api.model
    def _cron_refresh(self):
        self.search([]).action_refresh()

    def action_view_members(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": "res.partner",
            "view_mode": "list,kanban,form",
            "domain": [("id", "in", self.partner_ids.ids)],
        }

    @api.model
    def _remove_members(self, partners):
        """Take ``partners`` out of every segment at once (they objected to profiling)."""
        self.flush_model(["partner_ids"])
        segment_ids = [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    "DELETE FROM crm_rule_segment_partner_rel WHERE partner_id = ANY(%s) RETURNING segment_id",
                    partners.ids,
                )
            )
        ]
        segments = self.browse(set(segment_ids))
        segments.invalidate_recordset(["partner_ids"])
        segments.modified(["partner_ids"])

    def action_schedule_activity(self):
        """One To-Do for the salesperson of every member (the current user where none is set)."""
        self.ensure_one()
        return self.partner_ids._crm_schedule_followups(_("Follow up: %(segment)s", segment=self.name))
