import logging

import numpy as np

from odoo import _, api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_customer_facts.tools.sql import pg_array

from ..tools import clv

_logger = logging.getLogger(__name__)

MONTH_WEEKS = 52.0 / 12


class CrmRfmScore(models.Model):
    _inherit = "crm.rfm.score"

    @api.model
    def _predict_clv(self, company, rows, today):
        """Fit the models on ``rows``; when the history is too thin, keep the predictions there are and record
        why on the company (shown on every score without prediction)."""
        try:
            self._fit_clv(company, today, rows)
        except clv.NotEnoughData as exc:
            self._write_one_time_buyers(company, rows)
            _logger.info("crm_segmentation_clv: no churn and CLV prediction for %s: %s", company.name, exc)
            company.clv_prediction_note = _(
                "Not enough purchase history to predict churn and lifetime value: %(why)s", why=self._clv_why(exc)
            )

    @api.model
    def _clv_why(self, exc):
        """Why the fit could not run, in the reader's language (the math kernel speaks English only)."""
        if exc.kind == "customers":
            return _("at least %(needed)s customers are needed, %(found)s found", needed=exc.needed, found=exc.found)
        if exc.kind == "repeaters":
            return _(
                "at least %(needed)s customers who bought more than once are needed, %(found)s found",
                needed=exc.needed,
                found=exc.found,
            )
        return str(exc)

    @api.model
    def _fit_clv(self, company, today=None, rows=None):
        """Fit BG/NBD and Gamma-Gamma on the company's customers (``rows`` of ``_clv_inputs``, read and the
        company's typical gap set when not given) and write the predictions and the one-time buyers in one
        statement. Raises ``clv.NotEnoughData`` when the history is too thin (nothing written)."""
        today = today or fields.Date.context_today(self)
        if rows is None:
            rows = self._clv_inputs(company, today)
            self._set_typical_gap(company, rows)
        if not rows:
            raise clv.NotEnoughData(_("no posted invoice"))
        partner_ids = [r[0] for r in rows]
        x, t_x, T, m, margin = (np.array([float(r[i]) for r in rows]) for i in (1, 2, 3, 4, 5))
        repeaters = x > 0
        if len(rows) < clv.MIN_CUSTOMERS or repeaters.sum() < clv.MIN_REPEATERS:
            raise clv.NotEnoughData(
                _(
                    "%(customers)s customers with posted invoices (at least %(min_customers)s needed), "
                    "%(repeaters)s who bought again (at least %(min_repeaters)s needed)",
                    customers=len(rows),
                    min_customers=clv.MIN_CUSTOMERS,
                    repeaters=int(repeaters.sum()),
                    min_repeaters=clv.MIN_REPEATERS,
                )
            )
        # the search starts from the last fit's parameters: the nightly refit ends in a few steps
        previous = company.clv_parameters or {}
        bg = clv.fit_bgnbd(x, t_x, T, start=previous.get("bgnbd"))
        gg = clv.fit_gamma_gamma(x, m, start=previous.get("gamma_gamma"))
        alive = clv.prob_alive(bg, x, t_x, T)
        # lifetime value on contribution: Gamma-Gamma predicts the net revenue of a purchase (positive amounts
        # only, fitted on the repeat buyers' mean net revenue), the customer's own contribution margin turns it
        # into contribution; a margin of zero or below (sold at cost or at a loss) gives a CLV of zero or below
        spend = clv.contribution_per_purchase(gg, x, m, margin)
        horizon, rate = company.clv_horizon_months, company.clv_discount_rate
        purchases, value = clv.lifetime_value(bg, spend, x, t_x, T, horizon * MONTH_WEEKS, rate / 100.0)
        now = fields.Datetime.now()
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
            UPDATE crm_rfm_score s
               SET prob_alive = v.alive, expected_purchases_12m = v.purchases, clv_12m = v.clv,
                   one_time_buyer = COALESCE(v.repeats = 0, FALSE),
                   clv_horizon_months = CASE WHEN v.partner_id IS NOT NULL THEN %(horizon)s END,
                   clv_discount_rate = CASE WHEN v.partner_id IS NOT NULL THEN %(rate)s END,
                   predicted_at = CASE WHEN v.partner_id IS NOT NULL THEN %(now)s::timestamp END
              FROM crm_rfm_score s2
              LEFT JOIN unnest(%(partners)s::int[], %(repeats)s::int[], %(alive)s::float8[], %(purchases)s::float8[],
                               %(clv)s::float8[])
                   AS v(partner_id, repeats, alive, purchases, clv) ON v.partner_id = s2.partner_id
             WHERE s.id = s2.id AND s2.company_id = %(company)s
               -- scores without posted invoice (confirmed orders only) lose a prediction of earlier facts
               AND (v.partner_id IS NOT NULL OR s.predicted_at IS NOT NULL OR s.one_time_buyer)
            """,
                horizon=horizon,
                rate=rate,
                now=now,
                partners=pg_array(partner_ids),
                repeats=pg_array(r[1] for r in rows),
                alive=pg_array(alive.tolist()),
                purchases=pg_array(purchases.tolist()),
                clv=pg_array(value.tolist()),
                company=company.id,
            )
        )
        company.write(
            {
                "clv_prediction_note": False,
                "clv_predicted_at": now,
                "clv_parameters": {
                    "bgnbd": {key: float(value) for key, value in bg.items()},
                    "gamma_gamma": {key: float(value) for key, value in gg.items()},
                },
            }
        )
        self.invalidate_model()
        _logger.info("crm_segmentation_clv: CLV fitted for %s on %d customers: %s %s", company.name, len(rows), bg, gg)
        return bg, gg
