from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.tools import SQL, format_amount, formatLang

from odoo.addons.rating.models.rating_data import RATING_LIMIT_SATISFIED

MONTHS = 12  # the overview's window: this month and the eleven before


class CrmDashboard(models.AbstractModel):
    """The Customer Relations overview: KPI tiles, charts and heat maps of the current company, each
    point carrying the window action that lists its records (the drill-down).

    Read-only (``@api.readonly``: a replica may serve it). Every figure is read from its owner: the loyalty
    ledger and the liability reconciliation of the bridge, the RFM scores, value deciles and monthly snapshots
    of the segmentation, the customer-figures API for the repeat rate, the tickets, NPS answers and ratings of
    the feedback addon; through ``_read_group`` (access rights and record rules apply) except the repeat rate,
    an aggregate of the customer figures shown to users who may read them. A section is left out when the
    user may not read its records."""

    _name = "crm.dashboard"
    _description = "Customer Relations Overview"

    # ------------------------------------------------------------------ API
    @api.readonly
    @api.model
    def get_overview(self):
        """{"company", "period", "sections": [{"key", "title", "tiles", "charts", "heatmaps"}]}: see the
        ``_tile``, ``_chart`` and ``_heatmap`` helpers for the shape of each item."""
        company = self.env.company
        today = fields.Date.context_today(self)
        start = today.replace(day=1) - relativedelta(months=MONTHS - 1)
        context = {"company": company, "today": today, "start": start, "months": self._months(start)}
        sections = []
        for key, title, model in self._overview_sections():
            if not self.env[model].has_access("read"):
                continue
            section = {"key": key, "title": title, "tiles": [], "charts": [], "heatmaps": []}
            getattr(self, f"_overview_{key}")(section, context)
            sections.append(section)
        return {
            "company": company.name,
            "period": {
                "from": fields.Date.to_string(start),
                "to": fields.Date.to_string(today),
                "label": _(
                    "%(start)s to %(end)s",
                    start=self._month_label(start),
                    end=self._month_label(today),
                ),
            },
            "sections": sections,
        }

    @api.readonly
    @api.model
    def get_whale_curve(self):
        """The whale curve chart of the segmentation section (see ``_chart``), or None when the user may not
        read the curve or no customer has figures. Asked by the page after its first paint: it ranks every
        customer's figures of the last 12 months (0.5 s at 100,000 customers), which the other figures do not
        wait for."""
        if not self.env["crm.rfm.score"].has_access("read"):
            return None
        today = fields.Date.context_today(self)
        section = {"charts": []}
        self._whale(section, {"company": self.env.company, "today": today})
        return section["charts"][0] if section["charts"] else None

    @api.model
    def _overview_sections(self):
        """[(key, title, model read)]: ``_overview_<key>`` fills the section when the user may read the model."""
        return [
            ("loyalty", _("Loyalty"), "crm.loyalty.entry"),
            ("segmentation", _("Segmentation"), "crm.rfm.score"),
            ("feedback", _("Feedback"), "crm.feedback.ticket"),
        ]

    # ------------------------------------------------------------------ shapes
    @api.model
    def _drill(self, name, model, domain):
        """The window action listing the records behind a figure."""
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "domain": domain,
            "views": [[False, "list"], [False, "form"]],
            "target": "current",
        }

    @api.model
    def _tile(self, key, label, value, display, drill=None, hint=""):
        return {"key": key, "label": label, "value": value, "display": display, "drill": drill, "hint": hint}

    @api.model
    def _chart(
        self,
        key,
        title,
        chart_type,
        labels,
        datasets,
        percent=False,
        stacked=False,
        unbounded=False,
        caption="",
        legend=False,
    ):
        """``datasets``: [{"label", "data": [value per label], "drills": [action per label or None]}];
        ``percent``: the values are percentages (0 to 100; beyond 100 when ``unbounded``); ``caption``: the
        chart's reading in words, shown under it; ``legend``: the datasets' labels shown even for one dataset."""
        return {
            "key": key,
            "title": title,
            "type": chart_type,
            "labels": labels,
            "datasets": datasets,
            "percent": percent,
            "stacked": stacked,
            "unbounded": unbounded,
            "caption": caption,
            "legend": legend,
        }

    @api.model
    def _heatmap(self, key, title, row_title, col_title, rows, cols, cells):
        """``cells[i][j]`` = {"value" (colour), "display", "drill"} of row ``rows[i]`` and column ``cols[j]``."""
        peak = max((cell["value"] for line in cells for cell in line), default=0) or 1
        for line in cells:
            for cell in line:
                cell["intensity"] = round(cell["value"] / peak, 3)
        return {
            "key": key,
            "title": title,
            "row_title": row_title,
            "col_title": col_title,
            "rows": rows,
            "cols": cols,
            "cells": cells,
        }

    # ------------------------------------------------------------------ formats
    @api.model
    def _months(self, start):
        return [start + relativedelta(months=i) for i in range(MONTHS)]

    @api.model
    def _month_label(self, day):
        return fields.Date.to_string(day)[:7]

    @api.model
    def _amount(self, amount, company):
        return format_amount(self.env, amount, company.currency_id)

    @api.model
    def _number(self, value, digits=0):
        return formatLang(self.env, value, digits=digits)

    @api.model
    def _percent(self, share):
        """A share (0..1) shown as a percentage; None shows as a dash."""
        return "-" if share is None else f"{formatLang(self.env, share * 100, digits=1)} %"

    @api.model
    def _month_domain(self, field, month):
        return [(field, ">=", month), (field, "<", month + relativedelta(months=1))]

    # ------------------------------------------------------------------ loyalty
    @api.model
    def _overview_loyalty(self, section, ctx):
        company, start, months = ctx["company"], ctx["start"], ctx["months"]
        Entry = self.env["crm.loyalty.entry"]
        in_company = [("company_id", "=", company.id)]
        liability_model = self.env["crm.loyalty.liability.report"]
        if liability_model.has_access("read"):
            # the programs whose liability is booked: the liability reconciliation of the bridge states it
            programs = self.env["crm.loyalty.program"].search(in_company + [("liability_accounting", "=", True)])
            liability = sum(program._liability_reconciliation(ctx["today"])[0] for program in programs)
            section["tiles"].append(
                self._tile(
                    "liability",
                    _("Loyalty Liability"),
                    liability,
                    self._amount(liability, company),
                    self._drill(_("Loyalty Liability"), liability_model._name, in_company),
                    _("Outstanding points at their value, as the liability reconciliation states it today."),
                )
            )
        members_domain = in_company + [("state", "=", "active")]
        Membership = self.env["crm.loyalty.membership"]
        [[members, outstanding]] = Membership._read_group(members_domain, [], ["__count", "balance:sum"])
        section["tiles"].append(
            self._tile(
                "points_outstanding",
                _("Points Outstanding"),
                outstanding,
                self._number(outstanding),
                self._drill(_("Active Members"), Membership._name, members_domain),
                _("The points balance of the active members, every program."),
            )
        )
        section["tiles"].append(
            self._tile(
                "active_members",
                _("Active Members"),
                members,
                self._number(members),
                self._drill(_("Active Members"), "crm.loyalty.membership", members_domain),
            )
        )
        repeat = self._repeat_rates(company, start)
        if repeat is not None:
            section["tiles"].append(
                self._tile(
                    "repeat_rate",
                    _("Repeat Rate: Members / Others"),
                    [repeat["member"], repeat["other"]],
                    f"{self._percent(repeat['member'])} / {self._percent(repeat['other'])}",
                    self._drill(_("Active Members"), "crm.loyalty.membership", members_domain),
                    _(
                        "Share of the customers who bought in the period that bought on two days or more: "
                        "members of a loyalty program, then the other customers."
                    ),
                )
            )
        # points per month: earned (earn and bonus entries), redeemed, expired; each net of the reversals of
        # its entries (a credit note reverses the points it earned), in the month of the reversal
        kinds = [
            ("earned", _("Earned"), ["earn", "bonus"], 1),
            ("redeemed", _("Redeemed"), ["redeem"], -1),
            ("expired", _("Expired"), ["expire"], -1),
        ]
        datasets = []
        for _key, label, types, sign in kinds:
            of_kind = [
                "|",
                ("entry_type", "in", types),
                "&",
                ("entry_type", "=", "reverse"),
                ("reversed_entry_id.entry_type", "in", types),
            ]
            points = dict(
                Entry._read_group(in_company + [("date", ">=", start)] + of_kind, ["date:month"], ["points:sum"])
            )
            datasets.append(
                {
                    "label": label,
                    # + 0.0: no "-0" for a month without points
                    "data": [sign * points.get(month, 0.0) + 0.0 for month in months],
                    "drills": [
                        self._drill(
                            f"{label} {self._month_label(month)}",
                            Entry._name,
                            in_company + of_kind + self._month_domain("date", month),
                        )
                        for month in months
                    ],
                }
            )
        section["charts"].append(
            self._chart(
                "points_by_month",
                _("Points Earned, Redeemed and Expired"),
                "bar",
                [self._month_label(m) for m in months],
                datasets,
            )
        )

    @api.model
    def _repeat_rates(self, company, start):
        """{"member": share, "other": share} of the customers who bought in the period (from the day
        ``start``) that bought on two days or more, or None when the user may not read the customer figures."""
        Fact = self.env["crm.sales.fact"]
        if not Fact.has_access("read"):
            return None
        since = start - relativedelta(days=1)  # the totals count the days after date_from
        totals = Fact._customer_totals_sql(["purchase_days"], companies=company, date_from=since)
        rows = self.env.execute_query(
            SQL(
                """WITH totals AS (%(totals)s),
                        members AS (SELECT DISTINCT p.commercial_partner_id AS partner_id
                                      FROM crm_loyalty_membership m
                                      JOIN res_partner p ON p.id = m.partner_id
                                     WHERE m.company_id = %(company)s AND m.state = 'active')
                 SELECT members.partner_id IS NOT NULL, COUNT(*), COUNT(*) FILTER (WHERE totals.purchase_days > 1)
                   FROM totals LEFT JOIN members ON members.partner_id = totals.partner_id
                  WHERE totals.purchase_days > 0
               GROUP BY 1""",
                totals=totals,
                company=company.id,
            )
        )
        rates = {"member": None, "other": None}
        for is_member, buyers, repeaters in rows:
            rates["member" if is_member else "other"] = repeaters / buyers if buyers else None
        return rates

    # ------------------------------------------------------------------ segmentation
    @api.model
    def _overview_segmentation(self, section, ctx):
        company, months = ctx["company"], ctx["months"]
        Score = self.env["crm.rfm.score"]
        in_company = [("company_id", "=", company.id)]
        scored = Score.search_count(in_company)
        section["tiles"].append(
            self._tile(
                "scored",
                _("Customers Scored"),
                scored,
                self._number(scored),
                self._drill(_("Customers Scored"), Score._name, in_company),
            )
        )
        at_risk_domain = in_company + [("likely_churning", "=", True)]
        at_risk = Score.search_count(at_risk_domain)
        section["tiles"].append(
            self._tile(
                "likely_churning",
                _("Likely Churning"),
                at_risk,
                self._number(at_risk),
                self._drill(_("Likely Churning"), Score._name, at_risk_domain),
            )
        )
        # the 5 x 5 grid: recency (rows, best first) by frequency & monetary
        grid = {
            (r, fm): (count, monetary)
            for r, fm, count, monetary in Score._read_group(
                in_company, ["r_score", "fm_score"], ["__count", "monetary:sum"]
            )
        }
        rows, cols = [5, 4, 3, 2, 1], [1, 2, 3, 4, 5]
        cells = []
        for r in rows:
            line = []
            for fm in cols:
                count, monetary = grid.get((r, fm), (0, 0.0))
                line.append(
                    {
                        "value": count,
                        "display": self._number(count),
                        "detail": self._amount(monetary, company),
                        "drill": self._drill(
                            _("R %(r)s, FM %(fm)s", r=r, fm=fm),
                            Score._name,
                            in_company + [("r_score", "=", r), ("fm_score", "=", fm)],
                        ),
                    }
                )
            cells.append(line)
        section["heatmaps"].append(
            self._heatmap(
                "rfm_grid",
                _("RFM Grid: Customers and Revenue"),
                _("Recency"),
                _("Frequency & Monetary"),
                [str(r) for r in rows],
                [str(fm) for fm in cols],
                cells,
            )
        )
        self._segment_sizes(section, company, months)
        self._segment_transitions(section, company)
        self._value_pareto(section, company)

    @api.model
    def _segment_sizes(self, section, company, months):
        Snapshot = self.env["crm.rfm.snapshot"]
        in_company = [("company_id", "=", company.id)]
        sizes = {
            (month, segment): count
            for month, segment, count in Snapshot._read_group(
                in_company + [("month", ">=", months[0])], ["month:month", "segment_id"], ["__count"]
            )
        }
        segments = self.env["crm.rfm.segment"].browse(sorted({s.id for _m, s in sizes if s})).sorted()
        datasets = [
            {
                "label": segment.display_name,
                "data": [sizes.get((month, segment), 0) for month in months],
                "drills": [
                    self._drill(
                        f"{segment.display_name} {self._month_label(month)}",
                        Snapshot._name,
                        in_company + [("segment_id", "=", segment.id), ("month", "=", month)],
                    )
                    for month in months
                ],
            }
            for segment in segments
        ]
        section["charts"].append(
            self._chart(
                "segment_sizes",
                _("Segment Sizes over 12 Months"),
                "bar",
                [self._month_label(m) for m in months],
                datasets,
                stacked=True,
            )
        )

    @api.model
    def _segment_transitions(self, section, company):
        """The transition matrix of the latest monthly snapshot: customers by last month's segment (rows) and
        this month's (columns)."""
        Snapshot = self.env["crm.rfm.snapshot"]
        in_company = [("company_id", "=", company.id)]
        latest = Snapshot.search(in_company, order="month desc", limit=1).month
        if not latest:
            return
        domain = in_company + [("month", "=", latest)]
        counts = {
            (previous.id, segment.id): count
            for previous, segment, count in Snapshot._read_group(
                domain, ["previous_segment_id", "segment_id"], ["__count"]
            )
        }
        segments = self.env["crm.rfm.segment"].browse(sorted({key for pair in counts for key in pair if key})).sorted()
        # False: customers new this month; rows nobody left are not shown (a first month has only new ones)
        row_keys = [key for key in [*segments.ids, False] if any(counts.get((key, s), 0) for s in segments.ids)]
        label = dict(segments.mapped(lambda s: (s.id, s.display_name)))
        label[False] = _("New")
        cells = [
            [
                {
                    "value": counts.get((previous, segment), 0),
                    "display": self._number(counts.get((previous, segment), 0)),
                    "drill": self._drill(
                        _("%(previous)s to %(segment)s", previous=label[previous], segment=label[segment]),
                        Snapshot._name,
                        domain + [("previous_segment_id", "=", previous), ("segment_id", "=", segment)],
                    ),
                }
                for segment in segments.ids
            ]
            for previous in row_keys
        ]
        section["heatmaps"].append(
            self._heatmap(
                "transitions",
                _("Segment Transitions in %(month)s", month=self._month_label(latest)),
                _("Last month"),
                _("This month"),
                [label[k] for k in row_keys],
                [label[k] for k in segments.ids],
                cells,
            )
        )

    @api.model
    def _value_pareto(self, section, company):
        """Cumulative share of the customers' value (the RFM value amount the value classes rank by) by decile
        of customers, best first: the Pareto curve."""
        Score = self.env["crm.rfm.score"]
        in_company = [("company_id", "=", company.id), ("value_decile", ">", 0)]
        by_decile = dict(Score._read_group(in_company, ["value_decile"], ["value_amount:sum"]))
        total = sum(by_decile.values())
        if not by_decile or not total:
            return
        cumulative, shares = 0.0, []
        for decile in range(1, 11):
            cumulative += by_decile.get(decile, 0.0)
            shares.append(round(100 * cumulative / total, 1))
        section["charts"].append(
            self._chart(
                "pareto",
                _("Pareto: Cumulative Share of Customer Value"),
                "line",
                [f"{decile * 10} %" for decile in range(1, 11)],
                [
                    {
                        "label": _("Share of value"),
                        "data": shares,
                        "drills": [
                            self._drill(
                                _("Decile %(decile)s", decile=decile),
                                Score._name,
                                [("company_id", "=", company.id), ("value_decile", "=", decile)],
                            )
                            for decile in range(1, 11)
                        ],
                    }
                ],
                percent=True,
            )
        )

    @api.model
    def _whale(self, section, ctx, steps=20):
        """The profit whale curve of the bridge (customers ranked by net profit over the last 12 months, the
        window of its screen), read through its API ``_whale_summary`` and drawn at every 5 % of the
        customers: the cumulative profit share at the last customer of each step, and the bridge's reading
        of the curve. One statement; each point lists the customers of its step."""
        Whale = self.env["crm.whale.curve"]
        if not Whale.has_access("read"):
            return
        company = ctx["company"]
        summary = Whale._whale_summary(company, date_from=ctx["today"] - relativedelta(years=1), steps=steps)
        if not summary["count"]:
            return
        by_step = summary["steps"]
        width = 100 // steps
        data, drills, share = [], [], 0.0
        for step in range(1, steps + 1):
            # a step without customers (fewer customers than steps) carries the curve on
            share = round(by_step.get(step, share), 1)
            data.append(share)
            drills.append(
                self._drill(
                    _("Customers %(low)s-%(high)s %%", low=(step - 1) * width, high=step * width),
                    Whale._name,
                    [
                        ("company_id", "=", company.id),
                        ("percentile", ">", (step - 1) * width),
                        ("percentile", "<=", step * width),
                    ],
                )
                if step in by_step
                else None
            )
        section["charts"].append(
            self._chart(
                "whale_curve",
                _("Whale Curve: Cumulative Share of Net Profit"),
                "line",
                [f"{step * width} %" for step in range(1, steps + 1)],
                [{"label": _("Share of net profit"), "data": data, "drills": drills}],
                percent=True,
                unbounded=True,
                caption=summary["reading"],
            )
        )

    # ------------------------------------------------------------------ feedback
    @api.model
    def _overview_feedback(self, section, ctx):
        company, start, months = ctx["company"], ctx["start"], ctx["months"]
        Ticket, Nps = self.env["crm.feedback.ticket"], self.env["crm.feedback.nps"]
        in_company = [("company_id", "=", company.id)]
        open_complaints = in_company + [("ticket_type", "=", "complaint"), ("is_closed", "=", False)]
        count = Ticket.search_count(open_complaints)
        section["tiles"].append(
            self._tile(
                "open_complaints",
                _("Open Complaints"),
                count,
                self._number(count),
                self._drill(_("Open Complaints"), Ticket._name, open_complaints),
            )
        )
        nps_domain = in_company + [("date", ">=", start)]
        [[nps, answers]] = Nps._read_group(nps_domain, [], ["nps_value:avg", "__count"])
        section["tiles"].append(
            self._tile(
                "nps",
                _("NPS"),
                nps if answers else None,
                self._number(nps, 1) if answers else "-",
                self._drill(_("NPS Answers"), Nps._name, nps_domain),
                _("Promoters minus detractors, in % of the answers of the period."),
            )
        )
        csat, ratings = self._csat(company, [("create_date", ">=", fields.Datetime.to_datetime(start))])
        section["tiles"].append(
            self._tile(
                "csat",
                _("CSAT"),
                csat,
                self._percent(csat),
                self._drill(_("Rated Tickets"), Ticket._name, in_company + [("rating_ids", "in", ratings.ids)]),
                _("Share of the satisfaction ratings of the period that are satisfied."),
            )
        )
        self._sla_compliance(section, company, start)
        self._satisfaction_trend(section, company, months)
        self._nps_breakdowns(section, company, nps_domain, ratings, months)
        self._top_complaints(section, in_company + [("ticket_type", "=", "complaint")], start)

    @api.model
    def _csat(self, company, domain):
        """(share of satisfied ratings or None, the ratings) of the company's tickets matching ``domain``."""
        ratings = self.env["rating.rating"].search(
            [
                ("res_model", "=", "crm.feedback.ticket"),
                ("consumed", "=", True),
                ("rating", ">", 0),
                ("res_id", "in", self.env["crm.feedback.ticket"]._search([("company_id", "=", company.id)])),
                *domain,
            ]
        )
        if not ratings:
            return None, ratings
        satisfied = ratings.filtered(lambda r: r.rating >= RATING_LIMIT_SATISFIED)
        return len(satisfied) / len(ratings), ratings

    @api.model
    def _satisfaction_trend(self, section, company, months):
        Nps = self.env["crm.feedback.nps"]
        in_company = [("company_id", "=", company.id)]
        nps = dict(Nps._read_group(in_company + [("date", ">=", months[0])], ["date:month"], ["nps_value:avg"]))
        csat, drills = [], []
        for month in months:
            share, ratings = self._csat(
                company,
                [(k, op, fields.Datetime.to_datetime(v)) for k, op, v in self._month_domain("create_date", month)],
            )
            csat.append(round(share * 100, 1) if share is not None else None)
            drills.append(
                self._drill(_("Rated Tickets"), "crm.feedback.ticket", in_company + [("rating_ids", "in", ratings.ids)])
            )
        section["charts"].append(
            self._chart(
                "satisfaction_trend",
                _("NPS and CSAT by Month"),
                "line",
                [self._month_label(m) for m in months],
                [
                    {
                        "label": _("NPS"),
                        "data": [round(nps[m], 1) if m in nps else None for m in months],
                        "drills": [
                            self._drill(_("NPS Answers"), Nps._name, in_company + self._month_domain("date", m))
                            for m in months
                        ],
                    },
                    {"label": _("CSAT (%)"), "data": csat, "drills": drills},
                ],
            )
        )

    @api.model
    def _nps_breakdowns(self, section, company, nps_domain, ratings, months):
        """NPS and CSAT trends of the period (per month) by feedback team, by the customer's RFM segment and
        by loyalty tier (``ratings``: the satisfaction ratings of the period): a line per group."""
        Nps = self.env["crm.feedback.nps"]
        # the answers per month, customer and team; the rated tickets: then the customers' segment and tier
        # (two reads, no loop of searches)
        answers = Nps._read_group(
            nps_domain, ["date:month", "commercial_partner_id", "team_id"], ["nps_value:sum", "__count"]
        )
        tickets = self.env["crm.feedback.ticket"].browse(ratings.mapped("res_id"))
        customers = list({partner.id for _m, partner, _t, _s, _c in answers} | set(tickets.commercial_partner_id.ids))
        # each breakdown only for the users who may read its groups (a feedback agent reads no RFM score)
        segment_of = tier_of = None
        if self.env["crm.rfm.score"].has_access("read"):
            scores = self.env["crm.rfm.score"].search_read(
                [("company_id", "=", company.id), ("partner_id", "in", customers)], ["partner_id", "segment_id"]
            )
            segment_of = {row["partner_id"][0]: row["segment_id"] for row in scores}
        if self.env["crm.loyalty.membership"].has_access("read"):
            memberships = self.env["crm.loyalty.membership"].search_read(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", "active"),
                    ("partner_id.commercial_partner_id", "in", customers),
                ],
                ["partner_id", "tier_id"],
            )
            commercial = {
                p.id: p.commercial_partner_id.id
                for p in self.env["res.partner"].browse({m["partner_id"][0] for m in memberships})
            }
            tier_of = {commercial[m["partner_id"][0]]: m["tier_id"] for m in memberships}
        breakdowns = [
            (
                "team",
                _("Team"),
                lambda partner_id, team: (team.id, team.display_name) if team else False,
                _("No team"),
                lambda key, partners: [("team_id", "=", key)],
            ),
        ]
        for key, label, group_of, missing in (
            ("segment", _("RFM Segment"), segment_of, _("Not scored")),
            ("tier", _("Loyalty Tier"), tier_of, _("Not a member")),
        ):
            if group_of is not None:
                breakdowns.append(
                    (
                        key,
                        label,
                        lambda partner_id, team, group_of=group_of: group_of.get(partner_id),
                        missing,
                        lambda key, partners: [("commercial_partner_id", "in", partners)],
                    )
                )
        for key, label, group_of, missing, domain_of in breakdowns:
            # NPS: {group: [label, {month: [sum, count]}, customers]}
            groups = {}
            for month, partner, team, total, count in answers:
                group = group_of(partner.id, team) or False
                entry = groups.setdefault(group[0] if group else False, [group[1] if group else missing, {}, set()])
                cell = entry[1].setdefault(month, [0.0, 0])
                cell[0] += total
                cell[1] += count
                entry[2].add(partner.id)
            section["charts"].append(
                self._trend_chart(
                    f"nps_by_{key}",
                    _("NPS by %(group)s", group=label),
                    months,
                    groups,
                    lambda cell: round(cell[0] / cell[1], 1),
                    lambda group, entry, month, domain_of=domain_of: self._drill(
                        f"{_('NPS')}: {entry[0]} {self._month_label(month)}",
                        Nps._name,
                        nps_domain + domain_of(group, list(entry[2])) + self._month_domain("date", month),
                    ),
                )
            )
            # CSAT: {group: [label, {month: [satisfied, rated, ticket ids]}]}
            if ratings:
                by_ticket = {ticket.id: ticket for ticket in tickets}
                groups = {}
                for rating in ratings:
                    ticket = by_ticket[rating.res_id]
                    group = group_of(ticket.commercial_partner_id.id, ticket.team_id) or False
                    entry = groups.setdefault(group[0] if group else False, [group[1] if group else missing, {}])
                    month = rating.create_date.date().replace(day=1)
                    cell = entry[1].setdefault(month, [0, 0, []])
                    cell[0] += rating.rating >= RATING_LIMIT_SATISFIED
                    cell[1] += 1
                    cell[2].append(ticket.id)
                section["charts"].append(
                    self._trend_chart(
                        f"csat_by_{key}",
                        _("CSAT (%%) by %(group)s", group=label),
                        months,
                        groups,
                        lambda cell: round(100 * cell[0] / cell[1], 1),
                        lambda group, entry, month: self._drill(
                            f"{_('Rated Tickets')}: {entry[0]} {self._month_label(month)}",
                            "crm.feedback.ticket",
                            [("id", "in", entry[1][month][2])],
                        ),
                    )
                )

    @api.model
    def _trend_chart(self, key, title, months, groups, value_of, drill_of):
        """A line per group over the months: ``groups`` = {group key: [label, {month: cell}, ...]};
        ``value_of(cell)`` the point, ``drill_of(group key, entry, month)`` the records behind it."""
        rows = sorted(groups.items(), key=lambda item: item[1][0])
        return self._chart(
            key,
            title,
            "line",
            [self._month_label(month) for month in months],
            [
                {
                    "label": entry[0],
                    "data": [value_of(entry[1][month]) if month in entry[1] else None for month in months],
                    "drills": [drill_of(group, entry, month) if month in entry[1] else None for month in months],
                }
                for group, entry in rows
            ],
            legend=True,
        )

    @api.model
    def _sla_compliance(self, section, company, start):
        """SLA compliance as the bridge's compliance report defines it (the share of the decided targets,
        met or breached, that were met; running targets left out), of the tickets opened in the period: the
        tile and the chart by team, for the users who may read the report."""
        Compliance = self.env["crm.feedback.sla.compliance"]
        if not Compliance.has_access("read"):
            return
        decided = [
            ("company_id", "=", company.id),
            ("date_open", ">=", fields.Datetime.to_datetime(start)),
            ("state", "in", ("met", "breached")),
        ]
        counts = {}
        for team, met, breached in Compliance._read_group(
            decided, ["team_id"], ["met_count:sum", "breached_count:sum"]
        ):
            counts[team] = (met, breached)
        met, measured = sum(c[0] for c in counts.values()), sum(sum(c) for c in counts.values())
        compliance = met / measured if measured else None
        section["tiles"].append(
            self._tile(
                "sla_compliance",
                _("SLA Compliance"),
                compliance,
                self._percent(compliance),
                self._drill(_("Breached SLA Targets"), Compliance._name, decided + [("state", "=", "breached")]),
                _("SLA targets met (first reply, next reply, resolution), in % of the targets decided."),
            )
        )
        teams = sorted(counts, key=lambda t: t.display_name or "")
        no_team = _("No team")  # outside the comprehension: its frame has no "self" for _() to translate with
        section["charts"].append(
            self._chart(
                "sla_by_team",
                _("SLA Compliance by Team"),
                "bar",
                [team.display_name if team else no_team for team in teams],
                [
                    {
                        "label": _("SLA met (%)"),
                        "data": [round(100 * counts[t][0] / sum(counts[t]), 1) for t in teams],
                        "drills": [
                            self._drill(_("Decided SLA Targets"), Compliance._name, decided + [("team_id", "=", t.id)])
                            for t in teams
                        ],
                    }
                ],
                percent=True,
            )
        )

    @api.model
    def _top_complaints(self, section, complaints, start, limit=10):
        """The products and the lots with the most complaints opened in the period."""
        Ticket = self.env["crm.feedback.ticket"]
        domain = complaints + [("date_open", ">=", fields.Datetime.to_datetime(start))]
        for key, field, title in (
            ("complaints_by_product", "product_id", _("Products with the Most Complaints")),
            ("complaints_by_lot", "lot_id", _("Lots with the Most Complaints")),
        ):
            groups = Ticket._read_group(
                domain + [(field, "!=", False)], [field], ["__count"], order="__count desc", limit=limit
            )
            if not groups:
                continue
            section["charts"].append(
                self._chart(
                    key,
                    title,
                    "bar",
                    [record.display_name for record, _count in groups],
                    [
                        {
                            "label": _("Complaints"),
                            "data": [count for _record, count in groups],
                            "drills": [
                                self._drill(record.display_name, Ticket._name, domain + [(field, "=", record.id)])
                                for record, _count in groups
                            ],
                        }
                    ],
                )
            )
