"""18.0.1.4.0: a prediction knows when it was made (``predicted_at``) and on which horizon and discount rate;
never-predicted scores read as unknown. The predictions already written were fitted on 12 months without
discount; scores without one stay unknown until the next recompute, which now refits in the same run.
Snapshots of the current month of customers no longer scored are removed from the transition matrix."""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE crm_rfm_score
           SET predicted_at = computed_at, clv_horizon_months = 12, clv_discount_rate = 0
         WHERE prob_alive IS NOT NULL AND predicted_at IS NULL
        """
    )
    cr.execute(
        """
        DELETE FROM crm_rfm_snapshot snap
         WHERE snap.month = date_trunc('month', now() AT TIME ZONE 'UTC')::date
           AND NOT EXISTS (SELECT FROM crm_rfm_score s
                            WHERE s.partner_id = snap.partner_id AND s.company_id = snap.company_id)
        """
    )
