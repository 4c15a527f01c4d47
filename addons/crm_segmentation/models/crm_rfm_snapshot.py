from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL


class CrmRfmSnapshot(models.Model):
    """A customer's RFM segment in a month, with last month's: the transition matrix is a pivot of it."""

    _name = "crm.rfm.snapshot"
    _description = "Monthly RFM Segment Snapshot"
    _order = "month desc, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade", readonly=True)
    month = fields.Date(required=True, index=True, readonly=True)
    segment_id = fields.Many2one("crm.rfm.segment", readonly=True)
    previous_segment_id = fields.Many2one("crm.rfm.segment", string="Previous Month's Segment", readonly=True)
    rfm_code = fields.Char(readonly=True)

    _sql_constraints = [
        (
            "partner_company_month_uniq",
            "UNIQUE(partner_id, company_id, month)",
            "One snapshot per customer, company and month.",
        )
    ]

    # the nightly RFM run writes the month's snapshot in its own statement, with the scores (one statement per
    # company for 100,000 customers, where create() would cost a query per 1,000 rows and the ORM's checks);
    # the snapshot's SQL is defined here, in the model that owns the table
    @api.model
    def _upsert_sql(self, rows, company, month, now):
        """Upsert the month's snapshot of ``rows`` (partner_id, segment_id, rfm_code), each with the segment
        it had the month before; rows that did not change are left as they are."""
        return SQL(
            """
            INSERT INTO crm_rfm_snapshot (partner_id, company_id, month, segment_id, rfm_code, previous_segment_id,
                                          create_uid, create_date, write_uid, write_date)
            SELECT s.partner_id, %(company)s, %(month)s, s.segment_id, s.rfm_code, prev.segment_id,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM (%(rows)s) s
              LEFT JOIN crm_rfm_snapshot prev
                ON prev.partner_id = s.partner_id AND prev.company_id = %(company)s AND prev.month = %(prev)s
            ON CONFLICT (partner_id, company_id, month) DO UPDATE SET
                segment_id = EXCLUDED.segment_id, rfm_code = EXCLUDED.rfm_code,
                previous_segment_id = EXCLUDED.previous_segment_id
             WHERE (crm_rfm_snapshot.segment_id, crm_rfm_snapshot.rfm_code, crm_rfm_snapshot.previous_segment_id)
                   IS DISTINCT FROM (EXCLUDED.segment_id, EXCLUDED.rfm_code, EXCLUDED.previous_segment_id)
            """,
            rows=rows,
            company=company.id,
            month=month,
            prev=month - relativedelta(months=1),
            uid=self.env.uid,
            now=now,
        )

    @api.model
    def _delete_sql(self, company, month, partners):
        """Delete the month's snapshot of the customers ``partners`` (SQL of partner ids)."""
        return SQL(
            "DELETE FROM crm_rfm_snapshot WHERE company_id = %s AND month = %s AND partner_id IN (%s)",
            company.id,
            month,
            partners,
        )
