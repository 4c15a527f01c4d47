from odoo import _, api, fields, models
from odoo.tools import SQL, float_is_zero, format_amount


class CrmLoyaltyLiabilityReport(models.Model):
    """Reconciliation of the loyalty liability, per program and day with movements: the points of the
    ledger at the end of the day times the point value, against the balance of the liability account
    (the program's accrual entries, by accounting date). Under deferred revenue, the contract liability
    computed from the ledger and the estimates (crm.loyalty.program._contract_liability) against the balance
    of the contract liability account.

    The GL balance is the account's: the program's accrual entries and the journal items posted to the account
    outside any accrual (by hand), as the accounting workbook shows them ("Other journal items").

    A difference is explained by its parts: points not accrued yet (the next run books them), movements of
    the day booked on a later date (a locked period), journal items posted by hand, and the rest (a point
    value changed after the accruals, a journal entry reset or cancelled by hand, rounding)."""

    _name = "crm.loyalty.liability.report"
    _description = "Loyalty Liability Reconciliation"
    _auto = False
    _order = "date desc, program_id"
    _rec_name = "program_id"
    _depends = {
        "crm.loyalty.entry": ["program_id", "date", "points"],
        "crm.loyalty.accrual": ["program_id", "date", "move_id", "entry_ids", "kind", "value_before", "value_after"],
        "crm.loyalty.program": [
            "company_id",
            "point_value",
            "liability_accounting",
            "liability_method",
            "loyalty_liability_account_id",
            "loyalty_contract_liability_account_id",
        ],
        "account.move.line": ["move_id", "account_id", "company_id", "date", "debit", "credit", "parent_state"],
    }

    program_id = fields.Many2one("crm.loyalty.program", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Date(readonly=True)
    liability_method = fields.Selection(
        [("provision", "Provision"), ("deferred", "Deferred revenue (IFRS 15 / CAS 14)")], readonly=True
    )
    account_id = fields.Many2one(
        "account.account",
        string="Liability Account",
        readonly=True,
        help="The account of the method: the liability account (provision), the contract liability account "
        "(deferred revenue).",
    )
    points_day = fields.Float(string="Points Moved", readonly=True, help="Net points of the day's ledger entries.")
    ledger_points = fields.Float(
        readonly=True, aggregator=None, help="Points of the ledger at the end of the day: earned minus spent."
    )
    point_value = fields.Float(readonly=True, aggregator=None, digits=(16, 4))
    ledger_value = fields.Monetary(
        readonly=True, aggregator=None, help="Ledger points x point value (provision method)."
    )
    liability = fields.Monetary(
        compute="_compute_liability",
        help="What the ledger and the estimates say the liability is: the ledger value (provision), the "
        "contract liability computed from the ledger, the expected redemption rates and the point values "
        "(deferred revenue).",
    )
    liability_difference = fields.Monetary(
        string="Liability - GL", compute="_compute_liability", help="Liability - GL balance, for both methods."
    )
    gl_day = fields.Monetary(
        string="GL Movement", readonly=True, help="Net credit of the day on the liability account."
    )
    gl_balance = fields.Monetary(
        string="GL Balance",
        readonly=True,
        aggregator=None,
        help="Credit balance of the liability account at the end of the day (posted, by accounting date): this "
        "program's accrual entries and the journal items posted to the account outside any accrual.",
    )
    other_gl_balance = fields.Monetary(
        string="Other Journal Items",
        readonly=True,
        aggregator=None,
        help="Part of the GL balance posted to the liability account outside any accrual (by hand), at the end "
        'of the day: the workbook\'s "Other journal items" rows.',
    )
    difference = fields.Monetary(readonly=True, aggregator=None, help="Ledger value - GL balance.")
    unaccrued_points = fields.Float(
        string="Points Not Accrued",
        readonly=True,
        aggregator=None,
        help="Points of ledger entries up to this day that no accrual has booked yet.",
    )
    booked_later = fields.Monetary(
        string="Booked on a Later Date",
        readonly=True,
        aggregator=None,
        help="Accrued movements of this day or before whose journal entry is dated after it (a locked period).",
    )
    explanation = fields.Char(compute="_compute_explanation")

    @property
    def _table_query(self):
        return SQL(
            """
            WITH programs AS (
                SELECT p.id, p.company_id, c.currency_id, p.point_value, p.liability_method,
                       CASE WHEN p.liability_method = 'deferred' THEN p.loyalty_contract_liability_account_id
                            ELSE p.loyalty_liability_account_id END AS account_id,
                       cur.decimal_places
                  FROM crm_loyalty_program p
                  JOIN res_company c ON c.id = p.company_id
                  JOIN res_currency cur ON cur.id = c.currency_id
                 WHERE p.liability_accounting
                    OR EXISTS (SELECT 1 FROM crm_loyalty_accrual a WHERE a.program_id = p.id)
            ), changes AS (
                -- the recorded changes of the point value (and of the expected redemption rate): a few rows
                SELECT a.id, a.program_id, a.date, a.value_before, a.value_after
                  FROM crm_loyalty_accrual a
                  JOIN programs p ON p.id = a.program_id
                 WHERE a.kind IN ('estimate', 'revaluation')
            ), ledger AS (
                SELECT e.program_id, e.date, SUM(e.points) AS points,
                       SUM(e.points) FILTER (WHERE NOT EXISTS (
                           SELECT 1 FROM crm_loyalty_accrual_entry_rel r WHERE r.entry_id = e.id)) AS unaccrued
                  FROM crm_loyalty_entry e
                  JOIN programs p ON p.id = e.program_id
              GROUP BY 1, 2
            ), booked AS (
                -- the liability lines of the accruals: the day covered and the accounting date
                SELECT a.program_id, a.date AS day, aml.date, aml.credit - aml.debit AS amount
                  FROM crm_loyalty_accrual a
                  JOIN programs p ON p.id = a.program_id
                  JOIN account_move_line aml ON aml.move_id = a.move_id
                       AND aml.account_id = p.account_id AND aml.parent_state = 'posted'
            ), gl AS (
                SELECT program_id, date, SUM(amount) AS amount FROM booked GROUP BY 1, 2
            ), other AS (
                -- the items of the account posted outside any accrual (by hand): in the account's balance
                SELECT p.id AS program_id, aml.date, SUM(aml.credit - aml.debit) AS amount
                  FROM programs p
                  JOIN account_move_line aml ON aml.account_id = p.account_id AND aml.company_id = p.company_id
                       AND aml.parent_state = 'posted'
                 WHERE NOT EXISTS (SELECT 1 FROM crm_loyalty_accrual a WHERE a.move_id = aml.move_id)
              GROUP BY 1, 2
            ), later AS (
                -- pending from the day covered until the accounting date
                SELECT program_id, d.date, SUM(d.amount) AS amount
                  FROM booked b
            CROSS JOIN LATERAL (VALUES (b.day, b.amount), (b.date, -b.amount)) AS d(date, amount)
                 WHERE b.date <> b.day
              GROUP BY 1, 2
            ), days AS (
                SELECT program_id, date FROM ledger
                 UNION SELECT program_id, date FROM gl
                 UNION SELECT program_id, date FROM later
                 UNION SELECT program_id, date FROM other
            ), daily AS (
                SELECT d.program_id, d.date, COALESCE(l.points, 0) AS points,
                       COALESCE(l.unaccrued, 0) AS unaccrued,
                       COALESCE(g.amount, 0) + COALESCE(o.amount, 0) AS gl, COALESCE(o.amount, 0) AS other,
                       COALESCE(lt.amount, 0) AS later
                  FROM days d
             LEFT JOIN ledger l ON l.program_id = d.program_id AND l.date = d.date
             LEFT JOIN gl g ON g.program_id = d.program_id AND g.date = d.date
             LEFT JOIN other o ON o.program_id = d.program_id AND o.date = d.date
             LEFT JOIN later lt ON lt.program_id = d.program_id AND lt.date = d.date
            ), running AS (
                SELECT daily.program_id, daily.date, daily.points, daily.gl,
                       SUM(daily.points) OVER w AS ledger_points, SUM(daily.gl) OVER w AS gl_balance,
                       SUM(daily.other) OVER w AS other_gl_balance,
                       SUM(daily.unaccrued) OVER w AS unaccrued_points, SUM(daily.later) OVER w AS booked_later
                  FROM daily
                WINDOW w AS (PARTITION BY daily.program_id ORDER BY daily.date)
            )
            -- a key of the row (program, day): the same row keeps its id from one read to the next
            SELECT r.program_id::bigint * 1000000 + (r.date - DATE '1970-01-01') AS id,
                   r.program_id, p.company_id, p.currency_id, r.date, p.liability_method, p.account_id,
                   r.points AS points_day, r.ledger_points, v.point_value,
                   ROUND((r.ledger_points * v.point_value)::numeric, p.decimal_places) AS ledger_value,
                   r.gl AS gl_day, r.gl_balance, r.other_gl_balance,
                   -- deferred revenue: the contract liability is computed from the ledger (_compute_liability)
                   CASE WHEN p.liability_method = 'deferred' THEN NULL
                        ELSE ROUND((r.ledger_points * v.point_value)::numeric - r.gl_balance, p.decimal_places)
                   END AS difference,
                   r.unaccrued_points, r.booked_later
              FROM running r
              JOIN programs p ON p.id = r.program_id
                   -- the point value in force at the end of the day, from the recorded changes
                   -- (crm.loyalty.program._point_value_at): after the last change up to the day, else before
                   -- the first later one, else the program's
            CROSS JOIN LATERAL (
                SELECT COALESCE(
                           (SELECT c.value_after FROM changes c
                             WHERE c.program_id = r.program_id AND c.date <= r.date
                          ORDER BY c.date DESC, c.id DESC LIMIT 1),
                           (SELECT c.value_before FROM changes c
                             WHERE c.program_id = r.program_id
                          ORDER BY c.date, c.id LIMIT 1),
                           p.point_value) AS point_value
            ) v
            """
        )

    @api.depends("ledger_value", "gl_balance", "liability_method", "date")
    def _compute_liability(self):
        Accrual = self.env["crm.loyalty.accrual"]
        for program, rows in self.grouped("program_id").items():
            pool = Accrual._deferred_entries(program) if program.liability_method == "deferred" else None
            for row in rows:
                if pool is None:
                    row.liability = row.ledger_value
                else:
                    row.liability = Accrual._deferred_pool(
                        program, pool, until=row.date, pending_until=row.date
                    ).liability
                row.liability_difference = row.currency_id.round(row.liability - row.gl_balance)

    @api.depends("difference", "unaccrued_points", "booked_later", "liability_difference", "other_gl_balance")
    def _compute_explanation(self):
        for row in self:
            currency = row.currency_id
            # the items posted by hand lower the GL balance by what they credit: their part of the difference
            manual = -row.other_gl_balance
            manual_part = (
                _(
                    "%(amount)s of journal items on the account not from the accruals (posted by hand)",
                    amount=format_amount(self.env, manual, currency),
                )
                if not currency.is_zero(manual)
                else False
            )
            if row.liability_method == "deferred":
                row.explanation = False
                if not currency.is_zero(row.liability_difference - manual):
                    row.explanation = _(
                        "%(amount)s between the contract liability computed from the ledger and the estimates and "
                        "the GL: points not accrued yet (the next run books them), movements booked on a later "
                        "date (locked period), or a journal entry reset or cancelled",
                        amount=format_amount(self.env, row.liability_difference - manual, currency),
                    )
                if manual_part:
                    row.explanation = "; ".join(filter(None, [manual_part, row.explanation]))
                continue
            if float_is_zero(row.difference, precision_rounding=currency.rounding or 0.01):
                row.explanation = False
                continue
            parts = []
            rest = row.difference
            if manual_part:
                rest -= manual
                parts.append(manual_part)
            if row.unaccrued_points:
                amount = currency.round(row.unaccrued_points * row.point_value)
                rest -= amount
                parts.append(
                    _(
                        "%(points)s points not accrued yet (%(amount)s): the next run books them",
                        points=row._format_points(row.unaccrued_points),
                        amount=format_amount(self.env, amount, currency),
                    )
                )
            if not float_is_zero(row.booked_later, precision_rounding=currency.rounding):
                rest -= row.booked_later
                parts.append(
                    _(
                        "%(amount)s of movements up to this day booked on a later date (locked period)",
                        amount=format_amount(self.env, row.booked_later, currency),
                    )
                )
            if not float_is_zero(rest, precision_rounding=currency.rounding):
                parts.append(
                    _(
                        "%(amount)s not explained by the accruals: the point value changed after them, a journal "
                        "entry was reset or cancelled, or rounding",
                        amount=format_amount(self.env, rest, currency),
                    )
                )
            row.explanation = "; ".join(parts)

    def _format_points(self, points):
        """Points as the program formats them everywhere (crm.loyalty.program._format_points)."""
        return self.program_id._format_points(points)

    def _drill_down(self, model, domain, name):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": model,
            "name": name,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": domain,
            "context": {"create": False},
        }

    def action_open_entries(self):
        """The ledger entries behind the ledger points: the program's entries up to this day."""
        return self._drill_down(
            "crm.loyalty.entry",
            [("program_id", "=", self.program_id.id), ("date", "<=", self.date)],
            _("Ledger Entries of %(program)s up to %(date)s", program=self.program_id.name, date=self.date),
        )

    def action_open_move_lines(self):
        """The journal items behind the GL balance: liability lines of the program's accruals and the items of
        the account posted outside any accrual, up to this day."""
        program = self.program_id
        accrual_moves = self.env["crm.loyalty.accrual"].search([("company_id", "=", self.company_id.id)]).move_id
        return self._drill_down(
            "account.move.line",
            [
                "|",
                ("move_id", "in", program.accrual_ids.move_id.ids),
                ("move_id", "not in", accrual_moves.ids),
                ("account_id", "=", self.account_id.id),
                ("company_id", "=", self.company_id.id),
                ("parent_state", "=", "posted"),
                ("date", "<=", self.date),
            ],
            _("Liability Journal Items of %(program)s up to %(date)s", program=program.name, date=self.date),
        )

    def action_open_unaccrued(self):
        """The entries that explain a difference: not accrued yet."""
        return self._drill_down(
            "crm.loyalty.entry",
            [("program_id", "=", self.program_id.id), ("date", "<=", self.date), ("accrual_ids", "=", False)],
            _("Entries Not Accrued of %(program)s", program=self.program_id.name),
        )

    def action_accrue_now(self):
        """Accrue the programs of the selected rows now (accountants)."""
        return self.program_id.action_accrue_now()
