from odoo import api, fields, models
from odoo.tools import SQL


class CrmFiguresQueue(models.Model):
    """Customers whose derived figures must be refreshed, filled by business events.

    Posting an invoice, registering a payment, validating a delivery or a return only inserts a row
    here (insert-only: no lock on the partner row, nothing heavy in the user's transaction); a cron
    processes the queue in batches within minutes and stamps the partners it refreshed.
    """

    _name = "crm.figures.queue"
    _description = "Customer Figures Refresh Queue"
    _log_access = False

    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="cascade")
    event = fields.Selection(
        [
            ("invoice", "Invoice posted"),
            ("payment", "Payment registered"),
            ("delivery", "Delivery validated"),
            ("return", "Return validated"),
        ],
        required=True,
    )
    queued_at = fields.Datetime(required=True, default=fields.Datetime.now)

    @api.model
    def _enqueue(self, partners, event):
        customers = partners.commercial_partner_id
        if customers:
            # sudo: the queue is technical; any user whose action triggers an event may fill it
            self.sudo().create([{"partner_id": p.id, "event": event} for p in customers])

    @api.model
    def _process(self, batch_size=1000):
        """Refresh one batch of queued customers; returns (done, remaining)."""
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """SELECT partner_id, MAX(id) FROM crm_figures_queue
                GROUP BY partner_id ORDER BY MIN(id) LIMIT %s""",
                batch_size,
            )
        )
        if not rows:
            return 0, 0
        partner_ids = [partner_id for partner_id, _max_id in rows]
        partners = self.env["res.partner"].browse(partner_ids)
        partners._crm_refresh_figures()
        self.env.execute_query(
            SQL(
                """DELETE FROM crm_figures_queue q USING (SELECT unnest(%s::int[]) AS partner_id,
                                                           unnest(%s::int[]) AS max_id) done
                WHERE q.partner_id = done.partner_id AND q.id <= done.max_id""",
                partner_ids,
                [max_id for _partner_id, max_id in rows],
            )
        )
        remaining = self.env.execute_query(SQL("SELECT COUNT(DISTINCT partner_id) FROM crm_figures_queue"))[0][0]
        return len(partner_ids), remaining

    @api.model
    def _cron_process(self, batch_size=1000):
        """One batch per call under the cron runner, which commits it and calls again while customers
        remain (Odoo 18's progress API: a crash loses nothing committed); the whole queue otherwise."""
        Cron = self.env["ir.cron"]
        if self.env.context.get("ir_cron_progress_id"):
            done, remaining = self._process(batch_size)
            Cron._notify_progress(done=done, remaining=remaining)
            return
        while self._process(batch_size)[1]:
            pass
