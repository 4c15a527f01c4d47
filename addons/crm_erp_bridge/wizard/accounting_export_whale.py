from dateutil.relativedelta import relativedelta

from odoo import _, models
from odoo.tools import SQL


class CrmAccountingExport(models.TransientModel):
    """The workbook's Whale Curve sheet: the period's customers ranked by net profit, cumulative share of the
    profit, largest cost component (crm.whale.curve's rows, the same figures as the screen)."""

    _inherit = "crm.accounting.export"

    def _whale_sheet(self, book, fmt):
        """The sheet, and under its table the curve's reading (the sentence of the screen)."""
        sheet = self._sheet(book, fmt, _("Whale Curve"), self._whale_columns(), self._whale_rows())
        summary = self.env["crm.whale.curve"]._whale_summary(
            self.company_id, date_from=self.date_from - relativedelta(days=1), date_to=self.date_to
        )
        sheet.write_string(sheet.dim_rowmax + 2, 0, summary["reading"])
        return sheet

    def _whale_columns(self):
        return [
            (_("Rank"), "integer", 8, False),
            (_("Customer"), "text", 30, False),
            (_("Contribution"), "money", 14, True),
            (_("Service Cost"), "money", 14, True),
            (_("Net Profit"), "money", 14, True),
            (_("Cumulative Profit"), "percent", 12, False),
            (_("Largest Cost"), "text", 20, False),
        ]

    def _whale_rows(self):
        """One row per customer of the company over the period, best first (streamed: 100,000 rows stay flat)."""
        curve = self.env["crm.whale.curve"]._whale_rows_sql(
            companies=self.company_id, date_from=self.date_from - relativedelta(days=1), date_to=self.date_to
        )
        labels = self.env["crm.sales.fact"]._cost_component_labels()
        rows = self._stream(
            SQL(
                """SELECT w.rank, p.name, w.contribution, w.service_cost, w.net_profit, w.profit_share / 100,
                          w.main_cost
                     FROM (%s) w JOIN res_partner p ON p.id = w.partner_id
                 ORDER BY w.rank""",
                curve,
            )
        )
        for *values, main_cost in rows:
            # the largest cost only where it matters: on the customers who destroy profit
            yield (*values, labels.get(main_cost) if values[4] < 0 else None)
