from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date, format_datetime

from odoo.addons.crm_customer_facts.tools.sql import pg_array

from ..tools.lifecycle import LifecycleFacts, LifecycleParams, decide_stage_rule, decide_stage_sql

# a related field takes its context dependencies from its target field, not from the score of the current
# company it goes through: without this, a second company read in the same transaction gets the first one's
COMPANY = ("company",)


class ResPartner(models.Model):
    _inherit = "res.partner"

    lifecycle_stage_id = fields.Many2one(
        "crm.lifecycle.stage",
        index="btree_not_null",
        tracking=True,
        group_expand="_read_group_lifecycle_stage_ids",
        copy=False,
    )
    lifecycle_stage_date = fields.Datetime(string="In Stage Since", copy=False)
    lifecycle_manual_until = fields.Date(
        string="Manual Stage Until",
        copy=False,
        help="The automatic rule does not move this customer before this date.",
    )
    lifecycle_days_in_stage = fields.Integer(compute="_compute_lifecycle_days_in_stage", string="Days in Stage")
    lifecycle_history_ids = fields.One2many("crm.lifecycle.history", "partner_id", string="Stage History")
    rfm_score_ids = fields.One2many("crm.rfm.score", "partner_id", string="RFM Scores")
    rfm_score_id = fields.Many2one(
        "crm.rfm.score", compute="_compute_rfm_score_id", search="_search_rfm_score_id", string="RFM Score"
    )
    rfm_segment_id = fields.Many2one(related="rfm_score_id.segment_id", string="RFM Segment", depends_context=COMPANY)
    rfm_code = fields.Char(related="rfm_score_id.rfm_code", string="RFM", depends_context=COMPANY)
    customer_value_class = fields.Selection(
        related="rfm_score_id.value_class", string="Value Class", depends_context=COMPANY
    )
    churn_probability = fields.Float(related="rfm_score_id.churn_probability", depends_context=COMPANY)
    clv_12m = fields.Monetary(related="rfm_score_id.clv_12m", currency_field="rfm_currency_id", depends_context=COMPANY)
    rfm_prediction_note = fields.Char(
        related="rfm_score_id.prediction_note", string="Churn and CLV Prediction", depends_context=COMPANY
    )
    rfm_currency_id = fields.Many2one(
        related="rfm_score_id.currency_id", string="RFM Currency", depends_context=COMPANY
    )
    crm_profiling_explanation = fields.Html(
        string="How the Figures Were Derived",
        compute="_compute_crm_profiling_explanation",
        sanitize=False,
        groups="sales_team.group_sale_salesman",
        help="Each score, prediction and stage of the customer in the current company: its inputs, the rule "
        "and when it was computed (the explanation the customer reads on the portal).",
    )

    @api.model
    def _crm_schedule_followups(self, summary):
        """One To-Do per customer for its salesperson (the current user where none is set), in one batch.
        Returns the notification action shown to the user.

        A follow-up is a marketing contact chosen from a profile (a segment, a score): customers who
        objected to profiling, and those who consent to be contacted neither by phone nor by e-mail, are
        skipped (and counted in the notification)."""
        targets = self.filtered(lambda partner: not partner.commercial_partner_id.crm_profiling_opt_out)
        targets = targets._crm_filter_consenting("phone") | targets._crm_filter_consenting("email")
        skipped = len(self) - len(targets)
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("res.partner")
        activities = self.env["mail.activity"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": partner.id,
                    "activity_type_id": todo.id,
                    "summary": summary,
                    "user_id": (partner.user_id or self.env.user).id,
                }
                for partner in targets
            ]
        )
        message = _("%(count)s follow-up activities scheduled.", count=len(activities))
        if skipped:
            message = _(
                "%(count)s follow-up activities scheduled; %(skipped)s customers skipped (no marketing consent "
                "by phone or e-mail, or no profiling).",
                count=len(activities),
                skipped=skipped,
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if not skipped else "warning",
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.depends_context("company", "lang")
    def _compute_crm_profiling_explanation(self):
        for partner in self:
            partner.crm_profiling_explanation = self.env["ir.qweb"]._render(
                "crm_segmentation.profiling_explanation", {"items": partner._crm_explain_profiling()}
            )

    def _read_group_lifecycle_stage_ids(self, stages, domain):
        return stages.search([])

    def _compute_lifecycle_days_in_stage(self):
        now = fields.Datetime.now()
        for partner in self:
            since = partner.lifecycle_stage_date
            partner.lifecycle_days_in_stage = (now - since).days if since else 0

    @api.depends_context("company")
    def _compute_rfm_score_id(self):
        scores = self.env["crm.rfm.score"].search(
            [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)]
        )
        by_partner = {s.partner_id.id: s for s in scores}
        for partner in self:
            partner.rfm_score_id = by_partner.get(partner.commercial_partner_id.id, False)

    def _lifecycle_on_activity(self):
        """New sales activity of these commercial partners: re-evaluate their lifecycle stage.

        Light and bounded (one query for these customers only); crm_erp_bridge defers it to a queue
        unless the context holds ``crm_lifecycle_sync``.
        """
        self.env["res.partner"].sudo()._evaluate_lifecycle(partner_ids=self.ids)  # sudo: stage is derived data

    def _crm_refresh_figures(self):
        # the refresh queue of crm_customer_facts: the lifecycle stage after a sale, payment, delivery or return
        # sudo: stages are derived data, refreshed for every company's customers
        self.env["res.partner"].sudo()._evaluate_lifecycle(partner_ids=self.ids)
        return super()._crm_refresh_figures()

    def _search_rfm_score_id(self, operator, value):
        # the score lives on the commercial partner; the company filter is applied by the score's record rule
        return [("commercial_partner_id.rfm_score_ids", operator, value)]

    def write(self, vals):
        if "lifecycle_stage_id" in vals and not self.env.context.get("crm_lifecycle_auto"):
            reason = self.env.context.get("lifecycle_reason")
            self._log_manual_lifecycle_moves(vals["lifecycle_stage_id"], reason)
            lock = self.env.company.lifecycle_manual_lock_days
            vals = dict(
                vals,
                lifecycle_stage_date=fields.Datetime.now(),
                lifecycle_manual_until=fields.Date.context_today(self) + timedelta(days=lock),
            )
        return super().write(vals)

    def _log_manual_lifecycle_moves(self, stage_id, reason=None):
        """Audit rows of a move by hand (automatic moves write theirs in bulk, in ``_evaluate_lifecycle``)."""
        stage = self.env["crm.lifecycle.stage"].browse(stage_id)
        if stage and not self.env.user.has_group("sales_team.group_sale_salesman"):
            raise UserError(_("Only sales users can move customers between lifecycle stages."))
        self.env["crm.lifecycle.history"].sudo().create(
            [
                {
                    # sudo: the history is an audit trail written for every allowed move, not editable by users
                    "partner_id": partner.id,
                    "company_id": self.env.company.id,
                    "from_stage_id": partner.lifecycle_stage_id.id,
                    "to_stage_id": stage.id,
                    "mode": "manual",
                    "reason": reason or False,
                }
                for partner in self
                if partner.lifecycle_stage_id != stage and stage
            ]
        )

    # ------------------------------------------------------------------ automatic lifecycle
    @api.model
    def _cron_evaluate_lifecycle(self):
        return self._evaluate_lifecycle()

    @api.model
    def _lifecycle_facts_sql(self, partner_ids=None, today=None):
        """All the ERP facts the rules need, for every customer (or the given ones), as one SQL query:
        one row per customer with its ``id``, ``stage_id``, ``manual_until`` and the fields of
        ``tools.lifecycle.LifecycleFacts``, under their names.

        Selected: commercial entities with posted invoices, quotations, leads or opportunities, a stage,
        or marked as customers (``customer_rank``: created as a customer). The rhythm (window count,
        typical gap) is read on the purchases since the customer's last move to Lost.
        """
        today = today or fields.Date.context_today(self)
        company = self.env.company
        window_start = today - relativedelta(months=company.rfm_window_months)
        for model in ("sale.order", "crm.lead", "crm.lifecycle.history"):
            self.env[model].flush_model()
        self.flush_model(
            [
                "commercial_partner_id",
                "active",
                "customer_rank",
                "lifecycle_stage_id",
                "lifecycle_manual_until",
                "lifecycle_stage_date",
                "crm_profiling_opt_out",
            ]
        )
        partner_filter = contact_filter = history_filter = SQL()
        if partner_ids is not None:
            # filtered in the aggregates too: re-evaluating one customer reads only its own documents
            partner_filter = SQL("AND p.id = ANY(%s)", list(partner_ids))
            contact_filter = SQL("AND rp.commercial_partner_id = ANY(%s)", list(partner_ids))
            history_filter = SQL("AND h.partner_id = ANY(%s)", list(partner_ids))
        companies = self.env.companies.ids
        if len(companies) == 1:
            # one company (the nightly cron): the facts' API filters it by an equality, which lets their
            # covering index return the rows in customer order without visiting the table, and one row per
            # customer, company and day makes the rows the purchase days (0.25 s less on 100,000 customers
            # and 1,000,000 facts)
            purchase_days = SQL("COUNT(*)")
        else:
            purchase_days = SQL("COUNT(DISTINCT f.date)")
        return SQL(
            """
            WITH lost AS MATERIALIZED (
                -- the day of each customer's last move to Lost: their rhythm restarts there
                SELECT h.partner_id, MAX(h.date)::date AS day
                  FROM crm_lifecycle_history h JOIN crm_lifecycle_stage st ON st.id = h.to_stage_id
                 WHERE st.code = 'lost' %(history_filter)s
              GROUP BY h.partner_id
            ), inv AS MATERIALIZED (
                -- the daily sales facts: one row per customer, company and day with posted invoices
                -- (materialized: aggregated on its own, not merged in customer order with every contact)
                SELECT f.partner_id, SUM(f.invoice_count) AS n, MAX(f.date) AS last_date,
                       %(purchase_days)s FILTER (WHERE f.date >= r.restart) AS days,
                       COALESCE(SUM(f.invoice_count) FILTER (WHERE f.date > %(window_start)s
                                                               AND f.date >= r.restart), 0) AS n_window,
                       MIN(f.date) FILTER (WHERE f.date >= r.restart) AS first_date
                  FROM (%(facts)s) f
                  LEFT JOIN lost ON lost.partner_id = f.partner_id
                 CROSS JOIN LATERAL (SELECT COALESCE(lost.day, '-infinity'::date) AS restart) r
                 WHERE f.invoice_count > 0
              GROUP BY f.partner_id
            ), quote AS (
                -- quotations, sale orders and opportunities: exploration
                SELECT DISTINCT rp.commercial_partner_id AS partner_id
                  FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
                 WHERE so.state != 'cancel' AND so.company_id = ANY(%(companies)s) %(contact_filter)s
                 UNION
                SELECT DISTINCT rp.commercial_partner_id
                  FROM crm_lead l JOIN res_partner rp ON rp.id = l.partner_id
                 WHERE l.active AND l.type = 'opportunity'
                   AND (l.company_id IS NULL OR l.company_id = ANY(%(companies)s)) %(contact_filter)s
            ), lead AS (
                -- leads not qualified yet: prospects
                SELECT DISTINCT rp.commercial_partner_id AS partner_id
                  FROM crm_lead l JOIN res_partner rp ON rp.id = l.partner_id
                 WHERE l.active AND l.type = 'lead'
                   AND (l.company_id IS NULL OR l.company_id = ANY(%(companies)s)) %(contact_filter)s
            )
            SELECT p.id, p.lifecycle_stage_id AS stage_id, p.lifecycle_manual_until AS manual_until,
                   q.partner_id IS NOT NULL AS has_quote_or_lead,
                   COALESCE(i.n, 0) AS invoice_count,
                   COALESCE(i.n_window, 0) AS window_count,
                   %(today)s::date - i.last_date AS days_since_last,
                   CASE WHEN i.days > 1 THEN (i.last_date - i.first_date)::float / (i.days - 1) END AS typical_gap,
                   st.code AS current_code,
                   p.customer_rank > 0 OR ld.partner_id IS NOT NULL AS is_customer,
                   %(today)s::date - lost.day AS days_since_lost,
                   %(today)s::date - p.lifecycle_stage_date::date AS days_in_stage
              FROM res_partner p
              LEFT JOIN inv i ON i.partner_id = p.id
              LEFT JOIN quote q ON q.partner_id = p.id
              LEFT JOIN lead ld ON ld.partner_id = p.id
              LEFT JOIN lost ON lost.partner_id = p.id
              LEFT JOIN crm_lifecycle_stage st ON st.id = p.lifecycle_stage_id
             WHERE p.id = p.commercial_partner_id AND p.active
               -- customers who objected to profiling keep their stage: no automatic move
               AND p.crm_profiling_opt_out IS NOT TRUE
               AND (i.partner_id IS NOT NULL OR q.partner_id IS NOT NULL OR ld.partner_id IS NOT NULL
                    OR p.customer_rank > 0 OR p.lifecycle_stage_id IS NOT NULL)
               %(partner_filter)s
            """,
            window_start=window_start,
            today=today,
            companies=companies,
            purchase_days=purchase_days,
            partner_filter=partner_filter,
            # the customers' daily rows up to today, read through the facts' API
            facts=self.env["crm.sales.fact"]._daily_rows_sql(
                self.env.companies, self.browse(partner_ids) if partner_ids is not None else None, date_to=today
            ),
            contact_filter=contact_filter,
            history_filter=history_filter,
        )

    @api.model
    def _lifecycle_params(self):
        company = self.env.company
        return LifecycleParams(
            stable_min_purchases=company.lifecycle_stable_min_purchases,
            decline_factor=company.lifecycle_decline_factor,
            lost_days=company.lifecycle_lost_days,
            won_back_days=company.lifecycle_won_back_days,
        )

    @api.model
    def _lifecycle_moves(self, partner_ids=None, today=None):
        """The customers the rules move, in one statement: ``[(partner_id, stage_id, new_stage_id)]``.

        The rules run in SQL (``tools.lifecycle.decide_stage_sql``, the set-based twin of
        ``decide_stage``) over the facts of ``_lifecycle_facts_sql``: only the customers who move come
        back to Python. A customer held by a move by hand, or whose target stage is archived, stays."""
        today = today or fields.Date.context_today(self)
        self.env["crm.lifecycle.stage"].flush_model(["code", "active"])
        rules = decide_stage_sql(self._lifecycle_params(), today)
        return self.env.execute_query(
            SQL(
                """
            SELECT m.id, m.stage_id, st.id
              FROM (SELECT f.id, f.stage_id, f.current_code, %(rules)s AS target FROM (%(facts)s) f) m
              JOIN crm_lifecycle_stage st ON st.code = m.target AND st.active
             WHERE m.target IS DISTINCT FROM m.current_code
          ORDER BY m.id
                """,
                facts=self._lifecycle_facts_sql(partner_ids, today),
                rules=rules,
            )
        )

    @api.model
    def _evaluate_lifecycle(self, partner_ids=None, today=None):
        """Move customers to the stage their facts call for; set-based: one statement decides, one writes.

        Given ``today`` (an evaluation as of another day), the moves are dated that day: the rules read the
        date of the move to Lost and the time spent in a stage."""
        now = fields.Datetime.now()
        if today and today != fields.Date.context_today(self):
            now = datetime.combine(today, time.min)
        moves = self._lifecycle_moves(partner_ids, today)
        return self._lifecycle_write_moves({pid: stage_id for pid, _old, stage_id in moves}, now)

    @api.model
    def _lifecycle_write_moves(self, moves, now):
        """Write automatic stage moves ``{partner_id: new_stage_id}`` dated ``now``, with their audit rows
        and their chatter tracking; returns the partners moved.

        The one raw write of ``res_partner``'s lifecycle columns, for speed: 5,000 customers moving
        (measured on 100,000 generated customers, 2 cores) take 11.9 s through ``write()`` (which syncs
        commercial fields and tracks record by record) and 2.8 s here, of which 0.5 s for this UPDATE and
        the audit rows and 2.3 s for the tracking notes. The old stage is read under lock in the same
        statement; the tracking ``write`` would have logged is posted in bulk (``_lifecycle_log_tracking``)
        and the caches of the columns written are invalidated.
        """
        if not moves:
            return self.browse()
        self.flush_model(["lifecycle_stage_id", "lifecycle_stage_date"])
        rows = self.env.execute_query(
            SQL(
                """
            WITH moves AS (
                SELECT * FROM unnest(%(ids)s::int[], %(stages)s::int[]) AS m(id, stage_id)
            ), old AS (
                SELECT p.id, p.lifecycle_stage_id
                  FROM res_partner p JOIN moves ON moves.id = p.id
                   FOR NO KEY UPDATE OF p
            )
            UPDATE res_partner p
               SET lifecycle_stage_id = moves.stage_id, lifecycle_stage_date = %(now)s,
                   write_date = %(now)s, write_uid = %(uid)s
              FROM moves JOIN old ON old.id = moves.id
             WHERE p.id = moves.id
         RETURNING p.id, old.lifecycle_stage_id, moves.stage_id
                """,
                ids=pg_array(moves),
                stages=pg_array(moves.values()),
                now=now,
                uid=self.env.uid,
            )
        )
        rows.sort()
        partners = self.browse([pid for pid, _old, _new in rows])
        partners.invalidate_recordset(["lifecycle_stage_id", "lifecycle_stage_date", "write_date", "write_uid"])
        partners.modified(["lifecycle_stage_id", "lifecycle_stage_date"])
        self.env["crm.lifecycle.history"]._log_automatic_moves(rows, now)
        partners.invalidate_recordset(["lifecycle_history_ids"])
        self._lifecycle_log_tracking(rows)
        return partners

    @api.model
    def _lifecycle_log_tracking(self, rows):
        """The chatter note ``write`` would have logged for each move ``(partner_id, from, to)``: one
        tracking message per customer ("Lifecycle Stage: Formation → Stability"), authored by the user
        running the rules (OdooBot for the nightly cron), created in two batched ORM creates."""
        # a customer's first stage (installation of the addon, a new customer's first activity) is its
        # classification, not a move: the history row records it, the chatter shows the moves (the first run
        # on 100,000 customers took 49 s with a note each, 7.8 s without)
        rows = [row for row in rows if row[1]]
        if not rows or self.env.context.get("tracking_disable") or self.env.context.get("mail_notrack"):
            return
        partners = self.browse([pid for pid, _old, _new in rows])
        # the same note as a tracked write: the mail.mt_note subtype, no body, no notification
        messages = partners._message_log_batch({})
        Stage = self.env["crm.lifecycle.stage"]
        # sudo: like core's tracking (mail.message.create), written for a move the caller was allowed to make
        tracking_sudo = self.env["mail.tracking.value"].sudo()
        field_info = self.fields_get(["lifecycle_stage_id"], attributes=("string", "type"))["lifecycle_stage_id"]
        values_by_move = {}
        values = []
        for message, (pid, old, new) in zip(messages, rows, strict=True):
            if (old, new) not in values_by_move:
                values_by_move[old, new] = tracking_sudo._create_tracking_values(
                    Stage.browse(old), Stage.browse(new), "lifecycle_stage_id", field_info, self.browse(pid)
                )
            values.append(dict(values_by_move[old, new], mail_message_id=message.id))
        tracking_sudo.create(values)

    def action_open_rfm_score(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.rfm.score",
            "view_mode": "form",
            "res_id": self.rfm_score_id.id,
        }

    # ------------------------------------------------------------------ profiling opt-out and explanation
    def _crm_profiling_opted_out(self):
        """Remove what was computed about these commercial partners: scores and predictions, monthly RFM
        snapshots and rule segment memberships (their lifecycle stage stays as it is, moved no more by rule;
        its history is the audit trail of past moves)."""
        # sudo: scores, snapshots and memberships are derived data only the recompute writes; the customer
        # (portal) or the staff member recording their objection removes them for these customers only
        scores_sudo = self.env["crm.rfm.score"].sudo().search([("partner_id", "in", self.ids)])
        scores_sudo.unlink()
        snapshots_sudo = self.env["crm.rfm.snapshot"].sudo().search([("partner_id", "in", self.ids)])
        snapshots_sudo.unlink()
        contacts = self.with_context(active_test=False).search([("commercial_partner_id", "in", self.ids)])
        segments_sudo = self.env["crm.rule.segment"].sudo()
        segments_sudo._remove_members(contacts | self)
        return super()._crm_profiling_opted_out()

    def _crm_explain_profiling(self):
        """How each score, prediction and stage of this customer (their commercial partner) was derived, in
        the current company: a list of items ``{"key", "figure", "value", "inputs": [(label, value)],
        "rule", "computed_on"}``, all texts formatted and in plain words, for staff (the customer form) and
        for the customer (the portal). Reads with the caller's rights: the portal reads through a sudo
        environment after checking the customer is the user's own."""
        self.ensure_one()
        partner = self.commercial_partner_id
        if partner.crm_profiling_opt_out:
            return [
                {
                    "key": "opt_out",
                    "figure": _("Profiling"),
                    "value": _("Not profiled"),
                    "inputs": [],
                    "rule": _(
                        "The customer objected to profiling: no score, value class, prediction, automatic "
                        "lifecycle move or segment is computed about them, and those computed before were removed."
                    ),
                    "computed_on": self._crm_explain_datetime(partner.crm_profiling_opt_out_date),
                }
            ]
        score = self.env["crm.rfm.score"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)], limit=1
        )
        items = []
        if score:
            items += score._explain()
        items += partner._crm_explain_lifecycle()
        return items

    def _crm_explain_datetime(self, value):
        return format_datetime(self.env, value) if value else _("not yet")

    def _crm_explain_lifecycle(self):
        self.ensure_one()
        stage = self.lifecycle_stage_id
        if not stage:
            return []
        today = fields.Date.context_today(self)
        params = self._lifecycle_params()
        item = {
            "key": "lifecycle",
            "figure": _("Lifecycle stage"),
            "value": stage.name,
            "computed_on": self._crm_explain_datetime(self.lifecycle_stage_date),
        }
        last_move = self.lifecycle_history_ids.sorted(lambda h: (h.date, h.id))[-1:]
        if self.lifecycle_manual_until and self.lifecycle_manual_until > today or last_move.mode == "manual":
            item["inputs"] = [(_("Moved by hand by"), last_move.user_id.name or "-")]
            if last_move.reason_display:
                item["inputs"].append((_("Reason"), last_move.reason_display))
            item["rule"] = _(
                "A member of staff chose this stage; the automatic rules leave it as it is until %(day)s.",
                day=format_date(self.env, self.lifecycle_manual_until) if self.lifecycle_manual_until else "-",
            )
            item["plain"] = _(
                "A member of our staff set the stage of your relationship with us: %(stage)s.", stage=stage.name
            )
            item["plain_inputs"] = []
            return [item]
        self.env.cr.execute(self._lifecycle_facts_sql([self.id], today))
        rows = self.env.cr.dictfetchall()
        if not rows:
            item.update(inputs=[], rule=_("No sales document: the stage was set before and is kept."))
            item.update(plain=item["rule"], plain_inputs=[])
            return [item]
        row = rows[0]
        facts = LifecycleFacts(**{name: row[name] for name in LifecycleFacts.__dataclass_fields__})
        code, rule = decide_stage_rule(facts, params)

        def days(value):
            # self.env._: a nested function has no "self" of its own for _() to find the language with
            return self.env._("%(days)s days", days=value) if value is not None else self.env._("none")

        item["inputs"] = [
            (_("Posted invoices"), str(facts.invoice_count)),
            (
                _("Invoices in the last %(months)s months", months=self.env.company.rfm_window_months),
                str(facts.window_count),
            ),
            (_("Days since the last purchase"), days(facts.days_since_last)),
            (
                _("Typical gap between purchases"),
                days(round(facts.typical_gap)) if facts.typical_gap is not None else _("none"),
            ),
            (_("Open quotation, order or opportunity"), _("yes") if facts.has_quote_or_lead else _("no")),
            (_("Days in the current stage"), days(facts.days_in_stage)),
        ]
        if facts.days_since_lost is not None:
            item["inputs"].append((_("Days since the move to Lost"), days(facts.days_since_lost)))
        item["rule"] = self._crm_lifecycle_rule_words(params)[rule]
        if code and code != stage.code:
            target = self.env["crm.lifecycle.stage"].search([("code", "=", code)], limit=1)
            item["rule"] = _(
                "%(rule)s The stage changes at the next evaluation of the rules (to %(stage)s).",
                rule=item["rule"],
                stage=target.name or code,
            )
        # for the customer: the rule that applies to them, with their own purchases (not the company's figures)
        item["plain"] = _("The stage of your relationship with us follows your purchases: %(rule)s", rule=item["rule"])
        item["plain_inputs"] = item["inputs"][:3]
        return [item]

    def _crm_lifecycle_rule_words(self, params):
        """The rules of ``tools.lifecycle.decide_stage_rule`` in plain words, by key."""
        return {
            "quote": _("No invoice yet, but an open quotation, order or opportunity: Exploration."),
            "no_invoice_keep": _("No invoice yet: the stage is kept."),
            "prospect": _("No sales document yet, registered as a customer: Prospect."),
            "none": _("No sales document: no stage."),
            "lost": _("No purchase for more than %(days)s days: Lost.", days=params.lost_days),
            "won_back": _("A purchase after the move to Lost: Won Back."),
            "still_lost": _("No purchase since the move to Lost: still Lost."),
            "won_back_period": _(
                "Won Back lasts %(days)s days after the move, whatever the purchases.", days=params.won_back_days
            ),
            "stability": _(
                "At least %(count)s invoices in the last %(months)s months and the last purchase within the "
                "typical gap between purchases: Stability.",
                count=params.stable_min_purchases,
                months=self.env.company.rfm_window_months,
            ),
            "decline": _(
                "The last purchase is older than %(factor)s times the typical gap between purchases: Decline.",
                factor=params.decline_factor,
            ),
            "keep_phase": _(
                "The last purchase is between one and %(factor)s typical gaps ago: the stage (Stability or "
                "Decline) is kept.",
                factor=params.decline_factor,
            ),
            "formation": _("Too few purchases yet for a steady rhythm: Formation."),
        }
