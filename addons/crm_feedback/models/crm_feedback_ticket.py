from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

TICKET_TYPES = [
    ("complaint", "Complaint"),
    ("suggestion", "Suggestion"),
    ("praise", "Praise"),
    ("question", "Question"),
    ("return", "Return request"),
]
CHANNELS = [
    ("email", "Email"),
    ("phone", "Phone"),
    ("web", "Web form"),
    ("portal", "Portal"),
    ("social", "Social media"),
    ("store", "In store"),
]


class CrmFeedbackTicket(models.Model):
    _name = "crm.feedback.ticket"
    _description = "Feedback Ticket"
    _inherit = ["mail.thread", "mail.activity.mixin", "portal.mixin"]
    _order = "priority desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/", index="trigram")
    subject = fields.Char(required=True, tracking=True)
    ticket_type = fields.Selection(TICKET_TYPES, string="Type", required=True, default="complaint", tracking=True)
    channel = fields.Selection(CHANNELS, required=True, default="phone")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    partner_id = fields.Many2one("res.partner", string="Contact", tracking=True, index=True, check_company=True)
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, string="Customer", index=True
    )
    team_id = fields.Many2one("crm.feedback.team", tracking=True, index=True, check_company=True)
    user_id = fields.Many2one(
        "res.users", string="Assigned To", tracking=True, index=True, default=lambda self: self.env.user
    )
    priority = fields.Selection(
        [("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Urgent")], default="1", tracking=True
    )
    stage_id = fields.Many2one(
        "crm.feedback.stage", tracking=True, index=True, group_expand="_read_group_stage_ids",
        default=lambda self: self.env["crm.feedback.stage"].search([], limit=1),
    )
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True)
    description = fields.Html(required=True)
    sale_order_id = fields.Many2one("sale.order", check_company=True, index="btree_not_null",
                                    domain="[('partner_id', 'child_of', commercial_partner_id)]")
    invoice_id = fields.Many2one("account.move", check_company=True, index="btree_not_null",
                                 domain="[('move_type', '=', 'out_invoice'), ('commercial_partner_id', '=', commercial_partner_id)]")
    picking_id = fields.Many2one("stock.picking", string="Delivery", check_company=True, index="btree_not_null",
                                 domain="[('partner_id', 'child_of', commercial_partner_id)]")
    product_id = fields.Many2one("product.product", check_company=True)
    date_closed = fields.Datetime(readonly=True, copy=False)
    date_first_response = fields.Datetime(readonly=True, copy=False)

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([])

    @api.constrains("partner_id", "sale_order_id", "invoice_id", "picking_id")
    def _check_documents_customer(self):
        for ticket in self:
            customer = ticket.commercial_partner_id
            docs = [ticket.sale_order_id, ticket.invoice_id, ticket.picking_id]
            for doc in filter(None, docs):
                if doc.partner_id.commercial_partner_id != customer:
                    raise ValidationError(_(
                        "%(document)s belongs to another customer than %(customer)s.",
                        document=doc.display_name, customer=customer.display_name or _("(none)"),
                    ))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not (vals.get("description") or "").strip():
                raise ValidationError(_("Describe the feedback: the description cannot be empty."))
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("crm.feedback.ticket") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("stage_id"):
            closing = self.env["crm.feedback.stage"].browse(vals["stage_id"]).is_closed
            vals["date_closed"] = fields.Datetime.now() if closing else False
        return super().write(vals)

    def _compute_access_url(self):
        super()._compute_access_url()
        for ticket in self:
            ticket.access_url = "/my/feedback/%s" % ticket.id
