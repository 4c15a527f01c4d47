from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.crm_customer_facts.tools.sql import pg_array


class CrmLoyaltyAllocation(models.Model):
    """How a debit (redeem, expire, negative reversal or adjustment) consumed earn lots, FIFO."""

    _name = "crm.loyalty.allocation"
    _description = "Loyalty Points Allocation"
    _order = "id"

    lot_id = fields.Many2one("crm.loyalty.entry", required=True, ondelete="cascade", index=True)
    entry_id = fields.Many2one("crm.loyalty.entry", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="entry_id.company_id", store=True)
    points = fields.Float(required=True)

    _sql_constraints = [("points_positive", "CHECK(points > 0)", "An allocation moves a positive number of points.")]

    def write(self, vals):  # immutable by design; pylint: disable=method-required-super
        raise UserError(_("Points allocations are part of the ledger and cannot be changed."))

    @api.model
    def _sql_insert(self, allocations):
        """Insert ``allocations``: ``[(lot id, debit id, points, company id of the debit)]`` (the matches of
        ``allocate_fifo`` and the stored related ``company_id``).

        Raw SQL for the nightly expiry, which matches thousands of lots per batch: see
        ``crm.loyalty.entry._sql_insert_expiries`` for the measure. The caller keeps the stored remainders
        right (``crm.loyalty.entry._sql_consume_lots``; the debits it inserts carry their ``unmatched``).
        Postings match through ``create``.
        """
        if not allocations:
            return
        lot_ids, debit_ids, points, company_ids = zip(*allocations, strict=True)
        now = fields.Datetime.now()
        self.env.execute_query(
            SQL(
                """
                INSERT INTO crm_loyalty_allocation (lot_id, entry_id, points, company_id,
                                                    create_uid, create_date, write_uid, write_date)
                SELECT x.*, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(lot_ids)s::int[], %(debit_ids)s::int[], %(points)s::float8[],
                              %(company_ids)s::int[]) AS x
                """,
                uid=self.env.uid,
                now=now,
                lot_ids=pg_array(lot_ids),
                debit_ids=pg_array(debit_ids),
                points=pg_array(points),
                company_ids=pg_array(company_ids),
            )
        )
        # new rows are in no cache; the entries' lists of allocations may be
        self.env["crm.loyalty.entry"].invalidate_model(["lot_allocation_ids", "debit_allocation_ids"])
