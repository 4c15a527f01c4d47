import base64
import io
import uuid
from datetime import datetime, time, timedelta

import xlsxwriter
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

MONEY = "#,##0.00"
POINTS = "#,##0"
PERCENT = "0.00%"


class CrmAccountingExport(models.TransientModel):
    """XLSX workbooks for accountants: loyalty liability roll-forward, customer profitability,
    receivables aging by segment and stage, feedback resolution cost, and the auditor pack of the loyalty
    liability (tie-out of both methods, redemption cohorts, breakage estimates, adjustments and goodwill,
    ledger integrity).

    Written with xlsxwriter in constant-memory mode: rows stream to disk as they are produced.
    """

    _name = "crm.accounting.export"
    _description = "Customer Relations: Accounting Export"

    date_from = fields.Date(required=True, default=lambda self: fields.Date.context_today(self).replace(month=1, day=1))
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    program_ids = fields.Many2many("crm.loyalty.program", string="Programs", help="Empty: all programs.")
    segment_ids = fields.Many2many("crm.rfm.segment", string="RFM Segments", help="Empty: all customers.")
    file_data = fields.Binary(readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise UserError(_("The start date must come before the end date."))

    def action_export(self):
        self.ensure_one()
        if not self.env.user.has_group("account.group_account_invoice"):
            raise UserError(_("Only invoicing and accounting users may export these reports."))
        content = self._build_workbook()
        self.write(
            {
                "file_data": base64.b64encode(content),
                "file_name": f"customer-relations-{self.date_from}-{self.date_to}.xlsx",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": f"/web/content/?model={self._name}&id={self.id}&field=file_data"
            "&filename_field=file_name&download=true",
        }

    @api.model
    def _cron_export(self):
        """Monthly export of last month per company, archived for the accountants (a re-run replaces it)."""
        today = fields.Date.context_today(self)
        first = today.replace(day=1) - relativedelta(months=1)
        last = today.replace(day=1) - relativedelta(days=1)
        Archive = self.env["crm.accounting.export.archive"]
        archives = Archive
        for company in self.env["res.company"].search([]):
            wizard = self.with_company(company).create({"company_id": company.id, "date_from": first, "date_to": last})
            archives |= Archive._store(company, first, last, base64.b64encode(wizard._build_workbook()))
        return archives

    # ------------------------------------------------------------------ workbook
    def _build_workbook(self):
        self.ensure_one()
        self.env.flush_all()
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(
            buffer, {"constant_memory": True, "in_memory": False, "default_date_format": "yyyy-mm-dd"}
        )
        fmt = {
            "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
            "money": book.add_format({"num_format": MONEY}),
            "points": book.add_format({"num_format": POINTS}),
            "date": book.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
            "percent": book.add_format({"num_format": PERCENT}),
            "text": None,
            "total_label": book.add_format({"bold": True, "top": 1}),
            "total_money": book.add_format({"bold": True, "top": 1, "num_format": MONEY}),
            "total_points": book.add_format({"bold": True, "top": 1, "num_format": POINTS}),
        }
        self._sheet(book, fmt, _("Loyalty Liability"), self._liability_columns(), self._liability_rows())
        self._sheet(
            book,
            fmt,
            _("Profitability by Customer"),
            self._profit_columns(_("Customer")),
            self._profit_rows("customer"),
        )
        self._sheet(
            book,
            fmt,
            _("Profitability by Segment"),
            self._profit_columns(_("RFM Segment")),
            self._profit_rows("segment"),
        )
        self._whale_sheet(book, fmt)
        self._sheet(book, fmt, _("CLV by Cohort"), self._clv_contribution_columns(), self._clv_contribution_rows())
        self._sheet(book, fmt, _("Receivables Aging"), self._aging_columns(), self._aging_rows())
        self._sheet(book, fmt, _("Feedback Resolution Cost"), self._feedback_columns(), self._feedback_rows())
        # the auditor pack of the loyalty liability
        self._sheet(book, fmt, _("Liability Tie-out"), self._tie_out_columns(), self._tie_out_rows())
        self._sheet(book, fmt, _("Redemption Cohorts"), self._cohort_columns(), self._cohort_rows())
        self._sheet(book, fmt, _("Breakage Estimates"), self._estimate_columns(), self._estimate_rows())
        self._sheet(book, fmt, _("Adjustments and Goodwill"), self._adjustment_columns(), self._adjustment_rows())
        self._sheet(book, fmt, _("Ledger Integrity"), self._integrity_columns(), self._integrity_rows())
        book.close()
        return buffer.getvalue()

    @api.model
    def _sheet(self, book, fmt, title, columns, rows):
        """columns: [(label, kind, width, total)]; kind in text/integer/date/datetime/money/points/percent; rows:
        iterable of tuples.

        total: False (none), True (the sum of the rows: flows), "first" or "last" (a balance: the sum of the
        rows of the first or last date of the sheet's date column, e.g. the period's opening and closing over
        every program). The total row carries formulas with their values, for readers that do not compute; a
        sheet without any total column has no total row."""
        sheet = book.add_worksheet(title[:31])
        for col, (_label, _kind, width, _total) in enumerate(columns):
            sheet.set_column(col, col, width)
        sheet.freeze_panes(1, 0)
        for col, (label, _kind, _width, _total) in enumerate(columns):
            sheet.write_string(0, col, label, fmt["header"])
        date_col = next((col for col, column in enumerate(columns) if column[1] == "date"), None)
        sums = dict.fromkeys(range(len(columns)), 0.0)
        balances = {"first": {}, "last": {}}  # {kind: {col: (date, sum of the rows of that date)}}
        row = 0
        for row, values in enumerate(rows, start=1):
            for col, ((_label, kind, _width, total), value) in enumerate(zip(columns, values, strict=False)):
                self._write_cell(sheet, fmt, row, col, kind, value)
                if total is True and value:
                    sums[col] += float(value)
                elif total in balances and date_col is not None:
                    day, amount = values[date_col], float(value or 0.0)
                    current = balances[total].get(col)
                    if current is None or (day < current[0] if total == "first" else day > current[0]):
                        balances[total][col] = (day, amount)
                    elif day == current[0]:
                        balances[total][col] = (day, current[1] + amount)
        last = row
        sheet.autofilter(0, 0, max(last, 1), len(columns) - 1)
        if not any(column[3] for column in columns):
            return sheet
        total_row = last + 1
        sheet.write_string(total_row, 0, _("Total"), fmt["total_label"])
        for col, (_label, kind, _width, total) in enumerate(columns):
            if not total or not col:
                continue
            letter = xlsxwriter.utility.xl_col_to_name(col)
            cells = f"{letter}2:{letter}{max(last, 1) + 1}"
            value = sums[col]
            formula = f"=SUBTOTAL(9,{cells})" if last else "=0"
            if total in balances:
                day, value = balances[total].get(col, (None, 0.0))
                if day is None:
                    formula = "=0"
                else:
                    date_letter = xlsxwriter.utility.xl_col_to_name(date_col)
                    dates = f"{date_letter}2:{date_letter}{last + 1}"
                    formula = f"=SUMIFS({cells},{dates},DATE({day.year},{day.month},{day.day}))"
            sheet.write_formula(total_row, col, formula, fmt[f"total_{kind}"], value)
        return sheet

    @api.model
    def _write_cell(self, sheet, fmt, row, col, kind, value):
        if value is None or value is False:
            sheet.write_blank(row, col, None)
        elif kind in ("date", "datetime"):
            sheet.write_datetime(row, col, fields.Datetime.to_datetime(value), fmt[kind])
        elif kind in ("money", "points", "percent"):
            sheet.write_number(row, col, float(value), fmt[kind])
        elif kind == "integer":
            sheet.write_number(row, col, int(value))
        else:
            sheet.write_string(row, col, str(value))

    # ------------------------------------------------------------------ 1. loyalty liability roll-forward
    def _liability_columns(self):
        return [
            (_("Program"), "text", 24, False),
            (_("Month"), "date", 12, False),
            # balances: the period's opening is its first month's, its closing its last month's
            (_("Opening (points)"), "points", 14, "first"),
            (_("Earned"), "points", 12, True),
            (_("Redeemed"), "points", 12, True),
            (_("Expired"), "points", 12, True),
            (_("Reversed and Adjusted"), "points", 14, True),
            (_("Closing (points)"), "points", 14, "last"),
            (_("Point Value"), "money", 10, False),
            (_("Opening (money)"), "money", 14, "first"),
            (_("Closing (money)"), "money", 14, "last"),
        ]

    def _export_programs(self):
        """The programs of the export: those chosen (none chosen: all of them, archived too) of its company."""
        if self.program_ids:
            return self.program_ids.filtered(lambda program: program.company_id == self.company_id)
        return (
            self.env["crm.loyalty.program"]
            .with_context(active_test=False)
            .search([("company_id", "=", self.company_id.id)], order="name, id")
        )

    def _liability_rows(self):
        programs = self._export_programs()
        if not programs:
            return
        start = self.date_from.replace(day=1)
        self.env.cr.execute(
            SQL(
                """
            WITH months AS (
                SELECT generate_series(%(start)s::date, %(end)s::date, interval '1 month')::date AS month
            ), moves AS (
                SELECT e.program_id, date_trunc('month', e.date)::date AS month,
                       SUM(e.points) FILTER (WHERE e.entry_type IN ('earn', 'bonus')
                                              OR (e.entry_type = 'adjust' AND e.points > 0)) AS earned,
                       SUM(e.points) FILTER (WHERE e.entry_type = 'redeem') AS redeemed,
                       SUM(e.points) FILTER (WHERE e.entry_type = 'expire') AS expired,
                       SUM(e.points) FILTER (WHERE e.entry_type = 'reverse'
                                              OR (e.entry_type = 'adjust' AND e.points < 0)) AS reversed
                  FROM crm_loyalty_entry e
                 WHERE e.program_id = ANY(%(programs)s) AND e.date <= %(date_to)s
              GROUP BY 1, 2
            ), opening AS (
                SELECT e.program_id, SUM(e.points) AS points
                  FROM crm_loyalty_entry e
                 WHERE e.program_id = ANY(%(programs)s) AND e.date < %(start)s
              GROUP BY 1
            )
            SELECT p.id, m.month,
                   COALESCE(o.points, 0) + COALESCE(SUM(COALESCE(mv2.earned, 0) + COALESCE(mv2.redeemed, 0)
                       + COALESCE(mv2.expired, 0) + COALESCE(mv2.reversed, 0))
                       FILTER (WHERE mv2.month >= %(start)s AND mv2.month < m.month), 0) AS opening,
                   COALESCE(mv.earned, 0), COALESCE(mv.redeemed, 0), COALESCE(mv.expired, 0), COALESCE(mv.reversed, 0)
              FROM crm_loyalty_program p
        CROSS JOIN months m
         LEFT JOIN opening o ON o.program_id = p.id
         LEFT JOIN moves mv ON mv.program_id = p.id AND mv.month = m.month
         LEFT JOIN moves mv2 ON mv2.program_id = p.id
             WHERE p.id = ANY(%(programs)s)
          GROUP BY p.id, m.month, o.points, mv.earned, mv.redeemed, mv.expired, mv.reversed
          ORDER BY p.id, m.month
            """,
                start=start,
                end=self.date_to,
                date_to=self.date_to,
                programs=programs.ids,
            )
        )
        by_id = {p.id: p for p in programs}
        Accrual = self.env["crm.loyalty.accrual"]
        changes = {}
        for program_id, month, opening, earned, redeemed, expired, reversed_ in self.env.cr.fetchall():
            program = by_id[program_id]
            closing = opening + earned + redeemed + expired + reversed_
            if program_id not in changes:
                changes[program_id] = Accrual._recorded_changes(program)
            # each balance at the point value in force on its day (a revaluation in the month between them)
            value_opening = program._point_value_at(month - timedelta(days=1), changes[program_id])
            value = program._point_value_at(min(month + relativedelta(day=31), self.date_to), changes[program_id])
            yield (
                program.name,
                month,
                opening,
                earned,
                redeemed,
                expired,
                reversed_,
                closing,
                value,
                program.currency_id.round(opening * value_opening),
                program.currency_id.round(closing * value),
            )

    # ------------------------------------------------------------------ 2. profitability
    def _profit_columns(self, first):
        return [
            (first, "text", 30, False),
            (_("Gross Revenue"), "money", 14, True),
            (_("Cost of Goods"), "money", 14, True),
            (_("Gross Margin"), "money", 14, True),
            (_("Ticket Credit Notes"), "money", 14, True),
            (_("Loyalty Rewards"), "money", 14, True),
            (_("Net Revenue"), "money", 14, True),
            (_("Contribution"), "money", 14, True),
        ]

    def _profit_rows(self, by):
        """Per customer (or RFM segment) over the period, from the customer figures' API: the measures of
        Customer Profitability and the 360 view, by the same names."""
        measures = [
            "gross_revenue",
            "cost_of_goods",
            "gross_margin",
            "ticket_credit",
            "loyalty_rewards",
            "net_revenue",
            "contribution",
        ]
        totals = self.env["crm.sales.fact"]._customer_totals_sql(
            measures, companies=self.company_id, date_from=self.date_from - relativedelta(days=1), date_to=self.date_to
        )
        segment_filter = SQL("")
        if self.segment_ids:
            segment_filter = SQL("WHERE s.segment_id = ANY(%s)", self.segment_ids.ids)
        key = (
            SQL("COALESCE(seg.name->>%s, seg.name->>'en_US', %s)", self.env.lang or "en_US", _("(no segment)"))
            if by == "segment"
            else SQL("p.name")
        )
        yield from self._stream(
            SQL(
                """
            SELECT %(key)s, %(sums)s
              FROM (%(totals)s) t
              JOIN res_partner p ON p.id = t.partner_id
         LEFT JOIN crm_rfm_score s ON s.partner_id = t.partner_id AND s.company_id = t.company_id
         LEFT JOIN crm_rfm_segment seg ON seg.id = s.segment_id
              %(segment_filter)s
          GROUP BY 1 ORDER BY 8 DESC NULLS LAST
            """,
                key=key,
                sums=SQL(", ").join(SQL("SUM(t.%s)", SQL.identifier(m)) for m in measures),
                totals=totals,
                segment_filter=segment_filter,
            )
        )

    def _stream(self, query, batch=2000):
        """Rows of ``query`` fetched ``batch`` at a time through a server-side cursor on the transaction's
        connection, so a 100,000-row sheet never holds its rows in memory (with xlsxwriter's constant
        memory mode, the export stays flat in rows). Odoo 18 has no public API for named cursors."""
        self.env.flush_all()
        connection = self.env.cr._cnx
        with connection.cursor(name=f"crm_export_{uuid.uuid4().hex}") as cursor:
            cursor.itersize = batch
            cursor.execute(query.code, query.params)
            yield from cursor

    # ------------------------------------------------------------------ 2b. CLV on contribution by cohort
    # customer lifetime value on contribution against the cost to serve over the CLV horizon, by acquisition year
    # and RFM segment (crm.clv.contribution's figures as of the end of the period: the service cost of the 12
    # months up to it, the latest prediction)
    def _clv_contribution_columns(self):
        return [
            (_("Acquisition Year"), "text", 12, False),
            (_("RFM Segment"), "text", 24, False),
            (_("Customers"), "points", 10, True),
            (_("CLV on Contribution"), "money", 16, True),
            (_("Mean CLV"), "money", 14, False),
            (_("Mean Cost to Serve"), "money", 14, False),
            (_("CLV : Cost to Serve"), "money", 12, False),
        ]

    def _clv_contribution_rows(self):
        """One row per acquisition year and segment, the company's customers with a prediction."""
        figures = self.env["crm.clv.contribution"]._clv_contribution_sql(companies=self.company_id, today=self.date_to)
        return self.env.execute_query(
            SQL(
                """SELECT EXTRACT(YEAR FROM v.cohort_date)::int::text,
                          COALESCE(seg.name->>%(lang)s, seg.name->>'en_US', %(none)s), COUNT(*), SUM(v.clv),
                          AVG(v.clv), AVG(v.service_cost_horizon),
                          CASE WHEN SUM(v.service_cost_horizon) > 0
                               THEN SUM(v.clv) / SUM(v.service_cost_horizon) END
                     FROM (%(figures)s) v LEFT JOIN crm_rfm_segment seg ON seg.id = v.segment_id
                 GROUP BY 1, 2 ORDER BY 1, 2""",
                lang=self.env.lang or "en_US",
                none=_("(no segment)"),
                figures=figures,
            )
        )

    # ------------------------------------------------------------------ 3. receivables aging
    def _aging_columns(self):
        return [
            (_("RFM Segment"), "text", 22, False),
            (_("Lifecycle Stage"), "text", 18, False),
            (_("Current"), "money", 14, True),
            (_("1-30"), "money", 12, True),
            (_("31-60"), "money", 12, True),
            (_("61-90"), "money", 12, True),
            (_("90+"), "money", 12, True),
            (_("Total"), "money", 14, True),
        ]

    def _aging_rows(self):
        lang = self.env.lang or "en_US"
        self.env.cr.execute(
            SQL(
                """
            WITH items AS (
                SELECT aml.partner_id, aml.amount_residual AS amount,
                       %(at)s::date - COALESCE(aml.date_maturity, aml.date) AS late
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                 WHERE aml.company_id = %(company)s AND aml.parent_state = 'posted'
                   AND acc.account_type = 'asset_receivable' AND NOT aml.reconciled AND aml.date <= %(at)s
            )
            SELECT COALESCE(seg.name->>%(lang)s, seg.name->>'en_US', %(none)s),
                   COALESCE(st.name->>%(lang)s, st.name->>'en_US', %(none)s),
                   SUM(amount) FILTER (WHERE late <= 0), SUM(amount) FILTER (WHERE late BETWEEN 1 AND 30),
                   SUM(amount) FILTER (WHERE late BETWEEN 31 AND 60), SUM(amount) FILTER (WHERE late BETWEEN 61 AND 90),
                   SUM(amount) FILTER (WHERE late > 90), SUM(amount)
              FROM items i
              JOIN res_partner p ON p.id = i.partner_id
         LEFT JOIN crm_rfm_score s ON s.partner_id = p.commercial_partner_id AND s.company_id = %(company)s
         LEFT JOIN crm_rfm_segment seg ON seg.id = s.segment_id
         LEFT JOIN crm_lifecycle_stage st ON st.id = p.lifecycle_stage_id
          GROUP BY 1, 2 ORDER BY 8 DESC
            """,
                at=self.date_to,
                company=self.company_id.id,
                lang=lang,
                none=_("(none)"),
            )
        )
        for row in self.env.cr.fetchall():
            yield tuple(v or 0.0 if i > 1 else v for i, v in enumerate(row))

    # ------------------------------------------------------------------ 4. feedback resolution cost
    def _feedback_columns(self):
        return [
            (_("Ticket"), "text", 14, False),
            (_("Customer"), "text", 28, False),
            (_("Type"), "text", 14, False),
            (_("Opened"), "date", 12, False),
            (_("Credit Notes"), "money", 14, True),
            (_("Returned Quantity"), "points", 12, True),
        ]

    def _feedback_rows(self):
        rows = self._stream(
            SQL(
                """
            SELECT t.name, p.name, t.ticket_type, t.date_open::date,
                   -- the ticket's own figure: its posted credit notes (crm_feedback owns it)
                   COALESCE(t.resolution_cost, 0),
                   COALESCE((SELECT SUM(sm.quantity) FROM stock_picking sp JOIN stock_move sm ON sm.picking_id = sp.id
                              WHERE sp.feedback_ticket_id = t.id AND sm.state = 'done'), 0)
              FROM crm_feedback_ticket t
         LEFT JOIN res_partner p ON p.id = t.commercial_partner_id
             WHERE t.company_id = %(company)s AND t.date_open::date BETWEEN %(start)s AND %(end)s
               AND (COALESCE(t.resolution_cost, 0) <> 0
                    OR EXISTS (SELECT 1 FROM stock_picking sp WHERE sp.feedback_ticket_id = t.id))
          ORDER BY t.id
            """,
                company=self.company_id.id,
                start=self.date_from,
                end=self.date_to,
            )
        )
        labels = dict(self.env["crm.feedback.ticket"]._fields["ticket_type"]._description_selection(self.env))
        for name, customer, ttype, opened, credit, qty in rows:
            yield name, customer or "", labels.get(ttype, ttype), opened, credit, qty

    # ------------------------------------------------------------------ 5. auditor pack: liability tie-out
    def _tie_out_columns(self):
        return [
            (_("Program"), "text", 24, False),
            (_("Method"), "text", 18, False),
            (_("Month End"), "date", 12, False),
            (_("Ledger Points"), "points", 14, "last"),
            (_("Point Value"), "money", 10, False),
            (_("Ledger Value"), "money", 14, "last"),
            (_("Computed Liability"), "money", 14, "last"),
            (_("Account"), "text", 24, False),
            (_("GL Balance"), "money", 14, "last"),
            (_("Difference"), "money", 14, "last"),
        ]

    def _month_ends(self):
        """The days of the tie-out: every month end of the period, and its last day when it ends no month
        (as crm.loyalty.program._liability_tie_out)."""
        days, day = [], self.date_from + relativedelta(day=31)
        while day <= self.date_to:
            days.append(day)
            day = day + timedelta(days=1) + relativedelta(day=31)
        if not days or days[-1] != self.date_to:
            days.append(self.date_to)
        return days

    def _tie_out_programs(self):
        """The programs whose liability is in the ledger (or was): those of the reconciliation screen."""
        programs = self._export_programs()
        if not programs:
            return programs
        self.env["crm.loyalty.accrual"].flush_model(["program_id"])
        accrued = {
            program_id
            for (program_id,) in self.env.execute_query(
                SQL("SELECT DISTINCT program_id FROM crm_loyalty_accrual WHERE program_id = ANY(%s)", programs.ids)
            )
        }
        return programs.filtered(lambda p: p.liability_accounting or p.id in accrued)

    def _tie_out_rows(self):
        """Per program and month end, the figures of ``program._liability_tie_out`` (those of the
        reconciliation screen), under both methods; then, per liability account of these programs, the
        journal items posted to it outside the programs' accruals (by hand): they are in no program's GL
        balance, so their rows show them as a difference."""
        programs = self._tie_out_programs()
        if not programs:
            return
        methods = dict(programs._fields["liability_method"]._description_selection(self.env))
        accounts = self.env["account.account"]
        for program in programs:
            for row in program._liability_tie_out(self.date_from, self.date_to):
                accounts |= row["account"]
                yield (
                    program.name,
                    methods.get(program.liability_method, ""),
                    row["date"],
                    row["ledger_points"],
                    row["point_value"],
                    row["ledger_value"],
                    row["liability"],
                    row["account"].display_name or "",
                    row["gl_balance"],
                    row["difference"],
                )
        if not accounts:
            return
        days = self._month_ends()
        currency = self.company_id.currency_id
        other = {}
        for day, account_id, balance in self.env.execute_query(
            SQL(
                """SELECT d.day, aml.account_id, SUM(aml.credit - aml.debit)
                     FROM unnest(%(days)s::date[]) AS d(day)
                     JOIN account_move_line aml
                          ON aml.account_id = ANY(%(accounts)s) AND aml.company_id = %(company)s
                         AND aml.parent_state = 'posted' AND aml.date <= d.day
                    WHERE NOT EXISTS (SELECT 1 FROM crm_loyalty_accrual a WHERE a.move_id = aml.move_id)
                 GROUP BY 1, 2""",
                days=days,
                accounts=accounts.ids,
                company=self.company_id.id,
            )
        ):
            other[(account_id, day)] = currency.round(balance)
        label = _("Other journal items (not from the accruals)")
        for account in accounts.sorted("code"):
            balances = [other.get((account.id, day), 0.0) for day in days]
            if all(currency.is_zero(balance) for balance in balances):
                continue
            for day, balance in zip(days, balances, strict=True):
                yield (label, "", day, None, None, None, 0.0, account.display_name, balance, -balance)

    # ------------------------------------------------------------------ 6. auditor pack: redemption cohorts
    def _cohort_columns(self):
        return [
            (_("Program"), "text", 24, False),
            (_("Month of Earning"), "date", 12, False),
            (_("Earned"), "points", 12, True),
            (_("Redeemed"), "points", 12, True),
            (_("Expired"), "points", 12, True),
            (_("Open"), "points", 12, True),
            (_("Open Past Expiry"), "points", 12, True),
            (_("Redemption Rate"), "percent", 12, False),
            (_("Closed"), "text", 8, False),
        ]

    def _cohort_rows(self):
        """The cohort table of the breakage estimate (``program._redemption_cohorts``) for the months of
        earning up to the end of the period, points past their expiry counted as of that day."""
        programs = self._export_programs()
        names = {program.id: program.name for program in programs}
        yes, no = _("Yes"), _("No")
        for row in programs._redemption_cohorts(today=self.date_to):
            if row["month"] > self.date_to:
                continue
            yield (
                names[row["program_id"]],
                row["month"],
                row["earned"],
                row["redeemed"],
                row["expired"],
                row["open"],
                row["lapsed"],
                row["redemption_rate"],
                yes if row["closed"] else no,
            )

    # ------------------------------------------------------------------ 7. auditor pack: breakage estimates
    def _estimate_columns(self):
        return [
            (_("Program"), "text", 24, False),
            (_("Date"), "datetime", 16, False),
            (_("Change"), "text", 18, False),
            (_("Previous Rate"), "percent", 12, False),
            (_("Expected Redemption Rate"), "percent", 12, False),
            (_("Estimated from Closed Cohorts"), "percent", 12, False),
            (_("Closed Cohorts"), "points", 10, False),
            (_("Points Behind"), "points", 12, False),
            (_("Set By"), "text", 20, False),
            (_("Reason"), "text", 40, False),
        ]

    def _estimate_rows(self):
        """Per program, the expected redemption rate in force at the end of the period, then its history up
        to that day (crm.loyalty.breakage.estimate: who, when, why, the cohorts behind it), oldest first;
        times in the user's time zone."""
        programs = self._export_programs()
        end = datetime.combine(self.date_to + timedelta(days=1), time.min)
        Estimate = self.env["crm.loyalty.breakage.estimate"]
        estimates = Estimate.search([("program_id", "in", programs.ids)], order="date, id")
        kinds = dict(Estimate._fields["kind"]._description_selection(self.env))
        in_force_label = _("In force at the end of the period")
        by_program = estimates.grouped("program_id")
        for program in programs:
            history = by_program.get(program, Estimate)
            before = history.filtered(lambda e: e.date < end)
            after = history - before
            if before:
                rate = before[-1].new_rate
            elif after:
                rate = after[0].old_rate
            else:
                rate = program.expected_redemption_rate
            yield (program.name, None, in_force_label, None, rate, None, None, None, None, None)
            for estimate in before:
                yield (
                    program.name,
                    fields.Datetime.context_timestamp(self, estimate.date).replace(tzinfo=None),
                    kinds.get(estimate.kind, estimate.kind),
                    estimate.old_rate,
                    estimate.new_rate,
                    estimate.proposed_rate if estimate.enough_history else None,
                    estimate.cohort_count,
                    estimate.cohort_points,
                    estimate.user_id.name,
                    estimate.reason or "",
                )

    # ------------------------------------------------------------------ 8. auditor pack: adjustments, goodwill
    def _adjustment_columns(self):
        return [
            (_("Date"), "date", 12, False),
            (_("Program"), "text", 24, False),
            (_("Customer"), "text", 28, False),
            (_("Type"), "text", 14, False),
            (_("Reason"), "text", 40, False),
            (_("Points"), "points", 12, True),
            (_("Value"), "money", 14, True),
            (_("Approved By"), "text", 20, False),
        ]

    def _adjustment_rows(self):
        """The manual adjustments and the goodwill points granted in the period, with who approved them; the
        value at the program's point value."""
        programs = self._export_programs()
        entries = self.env["crm.loyalty.entry"].search(
            [
                ("program_id", "in", programs.ids),
                ("date", ">=", self.date_from),
                ("date", "<=", self.date_to),
                "|",
                ("entry_type", "=", "adjust"),
                "&",
                ("entry_type", "=", "bonus"),
                ("bonus_kind", "=", "goodwill"),
            ],
            order="date, id",
        )
        types = {"adjust": _("Adjustment"), "bonus": _("Goodwill")}
        currency = self.company_id.currency_id
        for entry in entries:
            yield (
                entry.date,
                entry.program_id.name,
                entry.partner_id.display_name or "",
                types[entry.entry_type],
                entry.reason_display or "",
                entry.points,
                currency.round(entry.points * entry.program_id.point_value),
                entry.approved_by_id.name or "",
            )

    # ------------------------------------------------------------------ 9. auditor pack: ledger integrity
    def _integrity_columns(self):
        return [
            (_("Company"), "text", 24, False),
            (_("Status"), "text", 16, False),
            (_("Entries Checked"), "points", 12, False),
            (_("Not Yet Secured"), "points", 12, False),
            (_("First Broken Entry ID"), "points", 12, False),
            (_("Position"), "points", 10, False),
            (_("Result"), "text", 60, False),
            (_("Last Hash"), "text", 66, False),
        ]

    def _integrity_rows(self):
        """The hash chain of the loyalty ledger of the export's company, checked now
        (crm.loyalty.entry._check_chain_integrity)."""
        result = self.env["crm.loyalty.entry"]._check_chain_integrity(self.company_id)
        Line = self.env["crm.loyalty.ledger.check.line"]
        statuses = dict(Line._fields["status"]._description_selection(self.env))
        yield (
            result["company_name"],
            statuses.get(result["status"], result["status"]),
            result["checked"],
            result["unsecured"],
            result["first_broken_entry_id"] or None,
            result["first_broken_sequence"] or None,
            result["message"],
            result["last_hash"] or "",
        )
