"""18.0.1.3.1: the breakage history starts with the rate a program was created with (kind "initial"). The
programs created before have no such row: it is added, dated at the program's creation, by its creator, with
the rate before its first recorded change (the current rate when it never changed)."""

from odoo.tools import SQL


def migrate(cr, version):
    # the history refuses rows that are not the program's own rate change (its create): written here in SQL
    cr.execute(
        SQL(
            """
            INSERT INTO crm_loyalty_breakage_estimate
                   (program_id, company_id, date, user_id, kind, old_rate, new_rate, proposed_rate,
                    enough_history, cohort_count, cohort_points, create_uid, create_date, write_uid, write_date)
            SELECT p.id, p.company_id, p.create_date, COALESCE(p.create_uid, 1), 'initial', 0,
                   COALESCE(first.old_rate, p.expected_redemption_rate), 0, FALSE, 0, 0,
                   p.create_uid, p.create_date, p.create_uid, p.create_date
              FROM crm_loyalty_program p
         LEFT JOIN LATERAL (
                    SELECT e.old_rate FROM crm_loyalty_breakage_estimate e
                     WHERE e.program_id = p.id ORDER BY e.date, e.id LIMIT 1
                   ) first ON TRUE
             WHERE NOT EXISTS (
                    SELECT 1 FROM crm_loyalty_breakage_estimate e WHERE e.program_id = p.id AND e.kind = 'initial'
                   )
            """
        )
    )
