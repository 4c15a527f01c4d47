from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools import loyalty_uplift
from ..tools.loyalty_uplift import (
    DAY_BITS,
    EPOCH,
    MIN_PAIRS,
    NEVER,
    RESAMPLES,
    UpliftColumns,
    add_months,
    chunked_window_sums,
    day_number,
    match_pairs,
    read_columns,
    summarize_columns,
)

HORIZONS = (3, 6, 12)


class CrmLoyaltyUpliftReport(models.TransientModel):
    """Does the loyalty program pay? Members compared with matched non-members over the months after
    enrolment: repeat-purchase rate, purchase days and contribution, the uplift net of the points' cost and
    goodwill, with bootstrap confidence intervals, in total, by tier and by bonus kind.

    Each member (first enrolment in the company) enrolled in month M is paired with a customer of the same
    company who was not enrolled up to M + horizon, in the same RFM cell (``crm.rfm.snapshot`` of M - 1)
    and the same lifecycle stage at the end of M - 1 (``crm.lifecycle.history``): exact matching without
    replacement within the enrolment month, candidates in a seeded order. Purchases and contribution are
    read from the customer figures (``crm.sales.fact``), the points from the ledger: the pairs matched by
    ``_uplift_matches``, their figures read by ``_uplift_figures``."""

    _name = "crm.loyalty.uplift.report"
    _description = "Loyalty Program Uplift"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    min_pairs = fields.Integer(
        string="Minimum Matched Pairs",
        default=MIN_PAIRS,
        help='Below this number of matched pairs a figure shows "Not enough data".',
    )
    resamples = fields.Integer(string="Bootstrap Resamples", default=RESAMPLES)
    seed = fields.Integer(default=0, help="Seed of the matching order and of the bootstrap: same seed, same figures.")
    computed_on = fields.Date(readonly=True)
    line_ids = fields.One2many("crm.loyalty.uplift.report.line", "report_id", string="Figures", readonly=True)

    @api.constrains("min_pairs", "resamples")
    def _check_sizes(self):
        for report in self:
            if report.min_pairs < 1 or report.resamples < 100:
                raise ValidationError(_("At least one matched pair and 100 bootstrap resamples are needed."))

    def action_compute(self):
        self.ensure_one()
        today = fields.Date.context_today(self)
        groups = self._loyalty_uplift(self.company_id, today, self.min_pairs, self.resamples, self.seed)
        self.line_ids.unlink()
        self.write(
            {
                "computed_on": today,
                "line_ids": [fields.Command.create(self._line_values(group)) for group in groups],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    @api.model
    def _line_values(self, group):
        values = {
            "horizon": str(group["horizon"]),
            "dimension": group["dimension"],
            # the group's name is the reader's: the tier or the bonus kind kept, named when read
            "tier_id": group["key"] if group["dimension"] == "tier" else False,
            "bonus_kind": group["key"] if group["dimension"] == "bonus" else False,
            "pairs": group["pairs"],
            "enough": group["enough"],
        }
        if group["enough"]:
            values["points_cost"] = group["points_cost"]
            values["goodwill"] = group["goodwill"]
            for metric in ("repeat", "purchases", "contribution", "net"):
                for part in ("member", "control", "uplift", "low", "high"):
                    values[f"{metric}_{part}"] = group[f"{metric}_{part}"]
        return values

    # ------------------------------------------------------------------ figures
    @api.model
    def _loyalty_uplift(self, company, today, min_pairs=MIN_PAIRS, resamples=RESAMPLES, seed=0, horizons=HORIZONS):
        """[group]: for each horizon (months after enrolment), the figures of every pair ("all"), of the
        pairs by the member's tier ("tier") and by the kind of bonus the member received in the window
        ("bonus"), each a dict of ``summarize_columns`` with ``horizon``, ``dimension``, ``key`` (the tier's
        id, the bonus kind, 0 for every pair) and ``name``.

        The pairs are matched (``_uplift_matches``), their figures read (``_uplift_figures``) as columns of
        numbers (numpy arrays)."""
        if loyalty_uplift.numpy is None:
            raise UserError(_("The loyalty program uplift needs the Python library numpy: ask your administrator."))
        horizons = sorted(horizons)
        by_horizon = self._uplift_figures(company, self._uplift_matches(company, today, horizons, seed))
        tier_ids = {tier for columns in by_horizon.values() for tier in columns.tiers}
        tier_names = dict(self.env["crm.loyalty.tier"].browse(tier_ids).mapped(lambda t: (t.id, t.name)))
        bonus_labels = dict(self.env["crm.loyalty.entry"]._fields["bonus_kind"]._description_selection(self.env))
        all_members = _("All members")
        groups = []
        for horizon in horizons:
            columns = by_horizon[horizon]
            selections = [("all", 0, None)]
            selections += [("tier", tier, columns.tiers[tier]) for tier in sorted(columns.tiers)]
            selections += [("bonus", kind, columns.kinds[kind]) for kind in sorted(columns.kinds)]
            for dimension, key, rows in selections:
                name = {"all": all_members, "tier": tier_names.get(key), "bonus": bonus_labels.get(key)}[dimension]
                figures = summarize_columns(columns.select(rows), min_pairs, resamples, seed)
                groups.append(
                    {"horizon": horizon, "dimension": dimension, "key": key, "name": name or str(key), **figures}
                )
        return groups

    @api.model
    def _uplift_matches(self, company, today, horizons=HORIZONS, seed=0):
        """{horizon: (members, controls, enrolment days, tiers)} (``loyalty_uplift.match_pairs``): each member
        (first enrolment in the company, in month M) whose window of ``horizon`` months is over, matched with
        a customer of the same cell (M, the RFM code of the snapshot of M - 1, the lifecycle stage at the end
        of M - 1) not enrolled before M + horizon + 1 months.

        Exact matching without replacement within each enrolment month (a customer is in one cell a month):
        the cell's members by id are paired with its candidates in a seeded order
        (``hashint4extended(id, seed)``, PostgreSQL's seeded hash of an integer, stable across versions as
        hash partitioning relies on it), the i-th with the i-th. A customer may be the control of members of
        different enrolment months (the cohorts are compared each with its own window: sequential trials).

        Plain reads (the members, the stage moves, then for each enrolment month the snapshots of the month
        before), the matching in numpy, a month at a time: matched in SQL (cells, windows numbered per
        horizon, joins), the same pairs took 1.9 s at full scale (bench/RESULTS.md, row 17)."""
        for model, names in (
            ("crm.loyalty.membership", ["partner_id", "company_id", "enroll_date", "tier_id"]),
            ("crm.rfm.snapshot", ["partner_id", "company_id", "month", "rfm_code"]),
            ("crm.lifecycle.history", ["partner_id", "company_id", "to_stage_id", "date"]),
        ):
            self.env[model].flush_model(names)
        numpy = loyalty_uplift.numpy
        cr = self.env.cr
        # each customer's first enrolment in the company, by customer
        member_ids, enrolled, tiers = read_columns(
            cr,
            SQL(
                """SELECT DISTINCT ON (partner_id) partner_id, enroll_date - %s, COALESCE(tier_id, 0)
                     FROM crm_loyalty_membership
                    WHERE company_id = %s
                 ORDER BY partner_id, enroll_date, id""",
                EPOCH,
                company.id,
            ),
            ("i4", "i4", "i4"),
        )
        if not len(member_ids):
            nothing = numpy.zeros(0, dtype=numpy.int64)
            return {horizon: (nothing, nothing, nothing, nothing) for horizon in horizons}
        distinct, inverse = numpy.unique(enrolled, return_inverse=True)
        firsts = [day_number((EPOCH + timedelta(int(day))).replace(day=1)) for day in distinct]
        member_months = numpy.array(firsts, dtype=numpy.int64)[inverse]
        months = sorted(set(firsts))
        # the moves of the stages before the last enrolment month, by customer and time
        moved, moved_on, stages = read_columns(
            cr,
            SQL(
                """SELECT partner_id, date::date - %s, to_stage_id
                     FROM crm_lifecycle_history
                    WHERE (company_id = %s OR company_id IS NULL) AND date < %s
                 ORDER BY partner_id, date, id""",
                EPOCH,
                company.id,
                EPOCH + timedelta(months[-1]),
            ),
            ("i4", "i4", "i4"),
        )
        moves = (moved << DAY_BITS) | moved_on
        # one enrolment month at a time (a customer's cell is the month's): the memory is one month's
        # customers, whatever the age of the program
        parts = {horizon: [] for horizon in horizons}
        for first in months:
            # every customer's RFM code in the month before M (as a number: its rank among the month's codes,
            # in bytes' order) and the seeded order. Ranked, not joined with the distinct codes: the snapshots
            # of a month just written, before PostgreSQL analyzes them, are estimated at 1 row and the join
            # became a nested loop (13 s at full scale, bench row 17)
            partner, code, order = read_columns(
                cr,
                SQL(
                    """SELECT partner_id, DENSE_RANK() OVER (ORDER BY rfm_code COLLATE "C"),
                              hashint4extended(partner_id, %(seed)s)
                         FROM crm_rfm_snapshot
                        WHERE company_id = %(company)s AND rfm_code IS NOT NULL AND month = %(month)s""",
                    company=company.id,
                    month=EPOCH + timedelta(first) - relativedelta(months=1),
                    seed=seed,
                ),
                ("i4", "i8", "i8"),
            )
            # the stage at the end of M - 1: the customer's last move before M (0: none)
            last = numpy.searchsorted(moves, (partner << DAY_BITS) | first, "left") - 1
            found = (last >= 0) & (moved[last.clip(0)] == partner) if len(moved) else numpy.zeros(len(partner), bool)
            stage = numpy.where(found, stages[last.clip(0)] if len(stages) else 0, 0)
            # the customer's first enrolment, if any
            index = numpy.searchsorted(member_ids, partner).clip(0, len(member_ids) - 1)
            member = member_ids[index] == partner
            cells = {
                "partner": partner,
                # the RFM code's number below 16 bits, the stage id below 31
                "cell": (code << 31) | stage,
                "order": order,
                "enrolled": numpy.where(member, enrolled[index], NEVER),
                "enrolled_month": numpy.where(member, member_months[index], -1),
                "tier": numpy.where(member, tiers[index], 0),
            }
            for horizon, columns in match_pairs(cells, first, day_number(today), horizons).items():
                parts[horizon].append(columns)
        matches = {}
        for horizon, columns in parts.items():
            members, controls, days, tier_ids = (numpy.concatenate(column) for column in zip(*columns, strict=True))
            by_member = numpy.argsort(members, kind="stable")
            matches[horizon] = (members[by_member], controls[by_member], days[by_member], tier_ids[by_member])
        return matches

    @api.model
    def _uplift_pairs(self, company, today, horizons=HORIZONS, seed=0):
        """[(horizon, member, control, enrolment day)]: the matched pairs (``_uplift_matches``), by horizon
        and member."""
        return [
            (horizon, int(member), int(control), EPOCH + timedelta(int(day)))
            for horizon, (members, controls, days, _tiers) in sorted(
                self._uplift_matches(company, today, horizons, seed).items()
            )
            for member, control, day in zip(members, controls, days, strict=True)
        ]

    @api.model
    def _uplift_figures(self, company, matches):
        """{horizon: UpliftColumns}: the figures of the pairs of ``matches`` (``_uplift_matches``), in the
        order of the members: the member's tier, the kinds of bonus it received in the window, the member's
        purchase days, contribution and loyalty rewards, the control's purchase days and contribution, the
        member's points' cost and goodwill.

        The window: the days after the enrolment day up to ``horizon`` months after it. Purchases and
        contribution are the customer figures' (``crm.sales.fact``), with the loyalty rewards the member paid
        with (a cost the contribution already carries); the points earned in the window (earn and bonus
        entries) valued at the program's point value, goodwill apart. Each source is read once over the
        days of every window, by chunks of customers, each window's totals taken from cumulative sums
        (``chunked_window_sums``)."""
        numpy = loyalty_uplift.numpy
        horizons = sorted(matches)

        def every_horizon(column):
            """The column of every horizon's pairs, horizon after horizon."""
            return numpy.concatenate([column(horizon) for horizon in horizons])

        members, controls = every_horizon(lambda h: matches[h][0]), every_horizon(lambda h: matches[h][1])
        days = every_horizon(lambda h: matches[h][2])
        ends = every_horizon(lambda h: add_months(matches[h][2], h))
        if not len(days):
            return {horizon: UpliftColumns() for horizon in horizons}
        first, last = EPOCH + timedelta(int(days.min())), EPOCH + timedelta(int(ends.max()))
        self.env["crm.loyalty.entry"].flush_model(
            ["partner_id", "company_id", "date", "entry_type", "points", "bonus_kind", "program_id"]
        )
        self.env["crm.sales.fact"].flush_model(
            ["partner_id", "company_id", "date", "invoice_count", "contribution", "loyalty_rewards"]
        )
        cr = self.env.cr
        rows = self.env["crm.sales.fact"]._daily_rows_sql(companies=company, date_from=first, date_to=last)

        def facts(low, high):
            partners, dates, *figures = read_columns(
                cr,
                SQL(
                    """SELECT f.partner_id, f.date - %s, (f.invoice_count > 0)::int::float8,
                              COALESCE(f.contribution, 0)::float8, COALESCE(f.loyalty_rewards, 0)::float8
                         FROM (%s) f
                        WHERE f.partner_id BETWEEN %s AND %s""",
                    EPOCH,
                    rows,
                    low,
                    high,
                ),
                ("i4", "i4", "f8", "f8", "f8"),
            )
            return partners, dates, figures

        kinds = self.env["crm.loyalty.entry"]._fields["bonus_kind"].get_values(self.env)

        def ledger(low, high):
            partners, dates, value, goodwill, kind = read_columns(
                cr,
                SQL(
                    """SELECT e.partner_id, e.date - %(epoch)s, (e.points * COALESCE(lp.point_value, 0))::float8,
                              (e.bonus_kind IS NOT DISTINCT FROM 'goodwill')::int::float8,
                              CASE WHEN e.entry_type = 'bonus'
                                   THEN COALESCE(array_position(%(kinds)s::varchar[], e.bonus_kind::varchar), 0)
                                   ELSE 0 END::int8
                         FROM crm_loyalty_entry e
                         JOIN crm_loyalty_program lp ON lp.id = e.program_id
                        WHERE e.company_id = %(company)s AND e.entry_type IN ('earn', 'bonus') AND e.points > 0
                          AND e.date > %(first)s AND e.date <= %(last)s
                          AND e.partner_id BETWEEN %(low)s AND %(high)s""",
                    epoch=EPOCH,
                    kinds=kinds,
                    company=company.id,
                    first=first,
                    last=last,
                    low=low,
                    high=high,
                ),
                ("i4", "i4", "f8", "f8", "i8"),
            )
            columns = [value * (1 - goodwill), value * goodwill]
            columns += [(kind == number).astype(float) for number in range(1, len(kinds) + 1)]
            return partners, dates, columns

        # the figures of the members' windows then of the controls'; the ledger's of the members' only
        purchases, contribution, rewards = chunked_window_sums(
            (numpy.concatenate([members, controls]), numpy.concatenate([days, days]), numpy.concatenate([ends, ends])),
            facts,
            3,
        )
        points_cost, goodwill, *received = chunked_window_sums((members, days, ends), ledger, 2 + len(kinds))
        by_horizon, start = {}, 0
        for horizon in horizons:
            tier_ids = matches[horizon][3]
            mine = slice(start, start + len(tier_ids))
            theirs = slice(len(members) + mine.start, len(members) + mine.stop)
            start = mine.stop
            by_horizon[horizon] = UpliftColumns(
                tier_ids,
                {
                    kind: numpy.flatnonzero(count[mine] > 0)
                    for kind, count in zip(kinds, received, strict=True)
                    if (count[mine] > 0).any()
                },
                [
                    purchases[mine],
                    contribution[mine],
                    rewards[mine],
                    purchases[theirs],
                    contribution[theirs],
                    points_cost[mine],
                    goodwill[mine],
                ],
            )
        return by_horizon


class CrmLoyaltyUpliftReportLine(models.TransientModel):
    _name = "crm.loyalty.uplift.report.line"
    _description = "Loyalty Program Uplift Figure"
    _order = "horizon_months, sequence, id"

    report_id = fields.Many2one("crm.loyalty.uplift.report", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="report_id.currency_id")
    horizon = fields.Selection(
        [("3", "3 months"), ("6", "6 months"), ("12", "12 months")], string="After Enrolment", required=True
    )
    horizon_months = fields.Integer(compute="_compute_horizon_months", store=True)
    dimension = fields.Selection(
        [("all", "All members"), ("tier", "Tier"), ("bonus", "Bonus kind")], string="By", required=True
    )
    sequence = fields.Integer(compute="_compute_horizon_months", store=True)
    tier_id = fields.Many2one("crm.loyalty.tier", readonly=True)
    bonus_kind = fields.Selection(selection="_selection_bonus_kind", string="Bonus kind", readonly=True)
    name = fields.Char(string="Group", compute="_compute_name")
    pairs = fields.Integer(string="Matched Pairs")
    enough = fields.Boolean(string="Enough Data")
    status = fields.Char(compute="_compute_status")
    repeat_member = fields.Float(string="Repeat Rate (Members)")
    repeat_control = fields.Float(string="Repeat Rate (Controls)")
    repeat_uplift = fields.Float(string="Repeat Rate Uplift")
    repeat_low = fields.Float(string="Repeat Uplift Low")
    repeat_high = fields.Float(string="Repeat Uplift High")
    purchases_member = fields.Float(string="Purchase Days (Members)")
    purchases_control = fields.Float(string="Purchase Days (Controls)")
    purchases_uplift = fields.Float(string="Purchase Days Uplift")
    purchases_low = fields.Float(string="Purchase Days Uplift Low")
    purchases_high = fields.Float(string="Purchase Days Uplift High")
    contribution_member = fields.Monetary(string="Contribution (Members)")
    contribution_control = fields.Monetary(string="Contribution (Controls)")
    contribution_uplift = fields.Monetary()
    contribution_low = fields.Monetary(string="Contribution Uplift Low")
    contribution_high = fields.Monetary(string="Contribution Uplift High")
    points_cost = fields.Monetary(string="Points' Cost per Member")
    goodwill = fields.Monetary(string="Goodwill per Member")
    net_member = fields.Monetary(string="Net Contribution (Members)")
    net_control = fields.Monetary(string="Net Contribution (Controls)")
    net_uplift = fields.Monetary(help="Contribution uplift minus the points' cost and goodwill per member.")
    net_low = fields.Monetary(string="Net Uplift Low")
    net_high = fields.Monetary(string="Net Uplift High")

    @api.depends("horizon", "dimension")
    def _compute_horizon_months(self):
        for line in self:
            line.horizon_months = int(line.horizon or 0)
            line.sequence = ("all", "tier", "bonus").index(line.dimension) if line.dimension else 0

    def _selection_bonus_kind(self):
        return self.env["crm.loyalty.entry"]._fields["bonus_kind"]._description_selection(self.env)

    @api.depends("dimension", "tier_id", "bonus_kind")
    @api.depends_context("lang")
    def _compute_name(self):
        """In the reader's language (a report computed by a Chinese-speaking manager reads in English for an
        English-speaking accountant)."""
        kinds = dict(self._fields["bonus_kind"]._description_selection(self.env))
        for line in self:
            if line.dimension == "tier":
                line.name = line.tier_id.name
            elif line.dimension == "bonus":
                line.name = kinds.get(line.bonus_kind, line.bonus_kind)
            else:
                line.name = _("All members")

    @api.depends("enough", "net_low", "net_high")
    def _compute_status(self):
        for line in self:
            if not line.enough:
                line.status = _("Not enough data")
            elif line.net_low > 0:
                line.status = _("Pays")
            elif line.net_high < 0:
                line.status = _("Costs more than it brings")
            else:
                line.status = _("No clear effect")
