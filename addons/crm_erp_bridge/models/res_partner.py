from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models

PANEL_FIELDS = [
    "crm360_currency_id",
    "crm360_revenue_total",
    "crm360_revenue_12m",
    "crm360_margin_12m",
    "crm360_service_cost_12m",
    "crm360_net_profit_12m",
    "crm360_open_orders",
    "crm360_receivable",
    "crm360_overdue",
    "crm360_oldest_overdue",
    "crm360_last_delivery",
    "crm360_open_backorders",
    "crm360_returns_12m",
    "crm360_loyalty_expiring",
    "crm360_last_csat",
    "crm360_last_nps",
    "crm360_refreshed_at",
]  # read together by the panel and by the constant-query test


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _lifecycle_on_activity(self):
        if self.env.context.get("crm_lifecycle_sync"):
            return super()._lifecycle_on_activity()
        # deferred to the queue: the user's transaction only records that the customer changed
        self.env["crm.figures.queue"]._enqueue(self, "invoice")
        return None

    def _crm_refresh_figures(self):
        # the queue's batch: the service costs of the customers (tickets, deliveries, returns, late payments)
        # are recomputed before the figures that read the facts
        self.env["crm.sales.fact"]._refresh_service_costs(partners=self)
        return super()._crm_refresh_figures()

    crm360_currency_id = fields.Many2one("res.currency", compute="_compute_crm360")
    crm360_revenue_total = fields.Monetary(
        compute="_compute_crm360",
        currency_field="crm360_currency_id",
        string="Lifetime Net Revenue",
        help="Net Revenue of Customer Profitability over the customer's whole history: untaxed invoices minus "
        "every credit note (tickets' included) and the points paid with (Gross Revenue - Cost to Serve).",
    )
    crm360_revenue_12m = fields.Monetary(
        compute="_compute_crm360",
        currency_field="crm360_currency_id",
        string="Net Revenue (12 months)",
        help="Net Revenue of Customer Profitability invoiced over the last 12 months: after every credit note "
        "and points discount.",
    )
    crm360_margin_12m = fields.Monetary(
        compute="_compute_crm360",
        currency_field="crm360_currency_id",
        string="Gross Margin (12 months)",
        help="Gross Margin of Customer Profitability over the last 12 months: Gross Revenue (before points and "
        "ticket credit notes) - Cost of Goods Sold.",
    )
    crm360_service_cost_12m = fields.Monetary(
        compute="_compute_crm360",
        currency_field="crm360_currency_id",
        string="Service Cost (12 months)",
        help="Service Cost of Customer Profitability over the last 12 months: ticket handling + freight + returns "
        "handling + payment delay.",
    )
    crm360_net_profit_12m = fields.Monetary(
        compute="_compute_crm360",
        currency_field="crm360_currency_id",
        string="Net Profit (12 months)",
        help="Net Profit of Customer Profitability over the last 12 months: Contribution - Service Cost.",
    )
    crm360_open_orders = fields.Integer(compute="_compute_crm360", string="Open Quotations and Orders")
    crm360_receivable = fields.Monetary(
        compute="_compute_crm360", currency_field="crm360_currency_id", string="Receivable"
    )
    crm360_overdue = fields.Monetary(compute="_compute_crm360", currency_field="crm360_currency_id", string="Overdue")
    crm360_oldest_overdue = fields.Date(compute="_compute_crm360", string="Oldest Overdue Since")
    crm360_last_delivery = fields.Datetime(compute="_compute_crm360", string="Last Delivery")
    crm360_open_backorders = fields.Integer(compute="_compute_crm360", string="Open Backorders")
    crm360_returns_12m = fields.Integer(compute="_compute_crm360", string="Returns (12 months)")
    crm360_loyalty_expiring = fields.Float(compute="_compute_crm360", string="Points Expiring Soon")
    crm360_last_csat = fields.Float(compute="_compute_crm360", string="Last CSAT")
    crm360_last_nps = fields.Integer(compute="_compute_crm360", string="Last NPS Score")
    crm360_refreshed_at = fields.Datetime(compute="_compute_crm360", string="Figures as of")
    credit_overdue = fields.Boolean(compute="_compute_credit_overdue", string="Overdue Beyond Tolerance")
    # the customer's lifetime value on contribution against the cost to serve them over its horizon
    # (crm.clv.contribution's figures of the current company)
    crm_clv_service_cost = fields.Monetary(
        compute="_compute_crm_clv_contribution",
        currency_field="crm360_currency_id",
        string="Cost to Serve over the CLV Horizon",
        help="The service cost of the last 12 months scaled to a year, spread over the months of the CLV horizon "
        "and discounted at the CLV rate like the predicted purchases.",
    )
    crm_clv_ratio = fields.Float(
        compute="_compute_crm_clv_contribution",
        string="CLV : Cost to Serve",
        digits=(16, 2),
        help="Predicted CLV on contribution / cost to serve over the same horizon. Empty without a prediction or "
        "without service cost.",
    )

    @api.depends_context("company")
    def _compute_credit_overdue(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        customers = self.commercial_partner_id
        days = customers._crm_credit_overdue_days(company)
        limits = {customer.id: today - timedelta(days=days[customer.id]) for customer in customers}
        # sudo: credit control is the company's rule on the customer's whole receivable, not on the
        # invoices the user may read (a salesperson limited to their own documents included); the query
        # keeps to these customers and the current company and returns the overdue amount per customer and
        # due date, compared with each customer's own tolerance
        overdue = defaultdict(float)
        for customer, due, amount in (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", customers.ids),
                    ("parent_state", "=", "posted"),
                    ("company_id", "=", company.id),
                    ("account_type", "=", "asset_receivable"),
                    ("reconciled", "=", False),
                    ("date_maturity", "<", max(limits.values(), default=today)),
                ],
                ["partner_id", "date_maturity:day"],
                ["amount_residual:sum"],
            )
        ):
            if due < limits[customer.id]:
                overdue[customer.id] += amount
        for partner in self:
            partner.credit_overdue = overdue[partner.commercial_partner_id.id] > 0

    def _crm_credit_overdue_days(self, company):
        """{customer id: days} an invoice of these commercial partners may be overdue in ``company`` before
        the customer counts as overdue (no redemption, a warning on orders): the company's setting. Override
        to treat customers differently (the value policy of crm_value_policy)."""
        return dict.fromkeys(self.ids, company.credit_overdue_days)

    @api.depends_context("company")
    def _compute_crm360(self):
        """Every figure of the panel, in company currency, with a fixed number of grouped queries
        whatever the size of the customers' history and the depth of their contact tree (one query per
        figure family, never per record; contacts through their commercial partner, not ``child_of``,
        which costs a query per level)."""
        company = self.env.company
        customers = self.commercial_partner_id
        # sudo: the panel gives the customer's whole figures in the current company to whoever may open
        # the customer (a salesperson limited to their own documents included); every query below keeps
        # to this company and these customers, and each figure's drill-down opens with the user's rights.
        env = self.sudo().env
        today = fields.Date.context_today(self)
        since = today - relativedelta(months=12)
        # net revenue and gross margin as the customer figures define them (crm_customer_facts), read through
        # their API: the same numbers as Customer Profitability, the workbook and the loyalty tiers
        Fact = env["crm.sales.fact"]
        lifetime = Fact._customer_totals(customers, company, measures=["net_revenue"])
        recent = Fact._customer_totals(
            customers, company, date_from=since, measures=["net_revenue", "gross_margin", "service_cost", "net_profit"]
        )
        sales = {}
        for customer in customers:
            key = (customer.id, company.id)
            last_12m = recent.get(key, {})
            sales[self.browse(customer.id)] = (
                lifetime.get(key, {}).get("net_revenue", 0.0),
                last_12m.get("net_revenue", 0.0),
                last_12m.get("gross_margin", 0.0),
                last_12m.get("service_cost", 0.0),
                last_12m.get("net_profit", 0.0),
            )
        # the receivable accounts by id, not as a subquery: with the ids the planner reads the customer's open
        # receivable lines from account's partial index (account_id, partner_id) of unreconciled posted lines
        # instead of every journal item of the customer (measured on the heaviest of 100,000 generated
        # customers, 25,675 items of which 4,378 receivable: 100 ms -> 8 ms per query)
        receivable_accounts = env["account.account"].search([("account_type", "=", "asset_receivable")])
        recv_domain = [
            ("partner_id", "in", customers.ids),
            ("parent_state", "=", "posted"),
            ("company_id", "=", company.id),
            ("account_id", "in", receivable_accounts.ids),
            ("reconciled", "=", False),
        ]
        Line = env["account.move.line"]
        receivable = dict(Line._read_group(recv_domain, ["partner_id"], ["amount_residual:sum"]))
        overdue = {
            p: (amount, oldest)
            for p, amount, oldest in Line._read_group(
                recv_domain + [("date_maturity", "<", today)],
                ["partner_id"],
                ["amount_residual:sum", "date_maturity:min"],
            )
        }
        orders = env["sale.order"]._read_group(
            [
                ("partner_id.commercial_partner_id", "in", customers.ids),
                ("company_id", "=", company.id),
                ("state", "in", ("draft", "sent", "sale")),
                ("invoice_status", "!=", "invoiced"),
            ],
            ["partner_id"],
            ["__count"],
        )
        Picking = env["stock.picking"]
        pick_base = [("partner_id.commercial_partner_id", "in", customers.ids), ("company_id", "=", company.id)]
        deliveries = Picking._read_group(
            pick_base + [("picking_type_code", "=", "outgoing"), ("state", "=", "done")],
            ["partner_id"],
            ["date_done:max"],
        )
        backorders = Picking._read_group(
            pick_base + [("backorder_id", "!=", False), ("state", "not in", ("done", "cancel"))],
            ["partner_id"],
            ["__count"],
        )
        returns = Picking._read_group(
            pick_base + [("return_id", "!=", False), ("date", ">", since)], ["partner_id"], ["__count"]
        )
        expiring = dict(
            env["crm.loyalty.entry"]._read_group(
                [
                    ("partner_id", "in", customers.ids),
                    ("company_id", "=", company.id),
                    ("remaining", ">", 0),
                    ("expiry_date", "!=", False),
                    ("expiry_date", "<=", today + timedelta(days=30)),
                ],
                ["partner_id"],
                ["remaining:sum"],
            )
        )
        csat = {}
        for rating in env["rating.rating"].search_read(
            [
                ("res_model", "=", "crm.feedback.ticket"),
                ("partner_id.commercial_partner_id", "in", customers.ids),
                (
                    "res_id",
                    "in",
                    env["crm.feedback.ticket"]._search(
                        [("commercial_partner_id", "in", customers.ids), ("company_id", "=", company.id)]
                    ),
                ),
                ("consumed", "=", True),
            ],
            ["partner_id", "rating"],
            order="write_date desc, id desc",
        ):
            csat.setdefault(rating["partner_id"][0], rating["rating"])
        nps = {}
        for answer in env["crm.feedback.nps"].search_read(
            [("commercial_partner_id", "in", customers.ids), ("company_id", "=", company.id)],
            ["commercial_partner_id", "score"],
            order="date desc, id desc",
        ):
            nps.setdefault(answer["commercial_partner_id"][0], answer["score"])

        def per_customer(groups, combine=sum):
            result = {}
            for partner, value in groups:
                key = partner.commercial_partner_id
                result[key] = combine([result[key], value]) if key in result else value
            return result

        orders_c, backorders_c, returns_c = (per_customer(g) for g in (orders, backorders, returns))
        deliveries_c = per_customer(deliveries, combine=lambda values: max(v for v in values if v))
        now = fields.Datetime.now()
        for partner in self:
            customer = partner.commercial_partner_id
            partner.crm360_currency_id = company.currency_id
            total, recent, margin, service_cost, net_profit = sales.get(customer, (0.0,) * 5)
            partner.crm360_revenue_total = total or 0.0
            partner.crm360_revenue_12m = recent or 0.0
            partner.crm360_margin_12m = margin or 0.0
            partner.crm360_service_cost_12m = service_cost or 0.0
            partner.crm360_net_profit_12m = net_profit or 0.0
            partner.crm360_receivable = receivable.get(customer, 0.0)
            partner.crm360_overdue, partner.crm360_oldest_overdue = overdue.get(customer, (0.0, False))
            partner.crm360_open_orders = orders_c.get(customer, 0)
            partner.crm360_last_delivery = deliveries_c.get(customer, False)
            partner.crm360_open_backorders = backorders_c.get(customer, 0)
            partner.crm360_returns_12m = returns_c.get(customer, 0)
            partner.crm360_loyalty_expiring = expiring.get(customer, 0.0)
            contact_ids = {customer.id} | set((partner | customer).child_ids.ids)
            partner.crm360_last_csat = next((csat[c] for c in csat if c in contact_ids), 0.0)
            partner.crm360_last_nps = nps.get(customer.id, -1)
            partner.crm360_refreshed_at = now

    @api.depends_context("company")
    def _compute_crm_clv_contribution(self):
        """CLV on contribution against the cost to serve: one query for all the partners shown (contacts read
        their commercial partner's figures)."""
        # sudo: like the rest of the 360° panel, the customer's figures in the current company for whoever may
        # open the customer; the query keeps to this company and these customers
        report_sudo = self.env["crm.clv.contribution"].sudo()
        figures = report_sudo._clv_contribution(self.commercial_partner_id._origin, self.env.company)
        for partner in self:
            row = figures.get(partner.commercial_partner_id.id) or {}
            partner.crm_clv_service_cost = row.get("service_cost_horizon") or 0.0
            # no service cost: no ratio (the field is hidden); a CLV of 0 against a cost reads 0.00
            partner.crm_clv_ratio = row.get("clv_ratio") or 0.0

    def _crm360_action(self, model, domain, name):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": model,
            "name": name,
            "view_mode": "list,form",
            "domain": domain,
        }

    def action_crm360_invoices(self):
        return self._crm360_action(
            "account.move",
            [
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
            ],
            _("Invoices"),
        )

    def action_crm360_orders(self):
        return self._crm360_action(
            "sale.order",
            [
                ("partner_id", "child_of", self.commercial_partner_id.id),
                ("state", "in", ("draft", "sent", "sale")),
                ("invoice_status", "!=", "invoiced"),
            ],
            _("Open Orders"),
        )

    def action_crm360_overdue(self):
        return self._crm360_action(
            "account.move.line",
            [
                ("partner_id", "=", self.commercial_partner_id.id),
                ("account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
                ("parent_state", "=", "posted"),
                ("date_maturity", "<", fields.Date.context_today(self)),
            ],
            _("Overdue Items"),
        )

    def action_crm360_deliveries(self):
        return self._crm360_action(
            "stock.picking", [("partner_id", "child_of", self.commercial_partner_id.id)], _("Transfers")
        )

    def action_crm360_profitability(self):
        action = self._crm360_action(
            "crm.customer.profitability", [("partner_id", "=", self.commercial_partner_id.id)], _("Profitability")
        )
        action["view_mode"] = "pivot,graph,list"
        return action

    def action_crm360_dashboard(self):
        """The read-only 360-degree dashboard of this customer."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.commercial_partner_id.id,
            "view_mode": "form",
            "views": [(self.env.ref("crm_erp_bridge.res_partner_view_form_crm360_dashboard").id, "form")],
            "name": _("Customer 360°"),
            "target": "current",
        }
