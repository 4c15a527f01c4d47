import math

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from odoo.addons.crm_segmentation.tests.common import SegmentationCommon


@tagged("post_install", "-at_install")
class TestOverview(SegmentationCommon):
    """The overview's figures against a hand-built company, and each drill-down listing the records it counts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env.user.groups_id |= env.ref("crm_loyalty.group_loyalty_manager") + env.ref(
            "crm_feedback.group_feedback_manager"
        )
        cls.today = fields.Date.context_today(env["crm.dashboard"])
        recent, earlier = cls.today - relativedelta(days=10), cls.today - relativedelta(days=40)
        cls.a, cls.b, cls.c, cls.d, cls.e = (cls._customer(f"Overview {n}") for n in "ABCDE")
        # repeat buyers: A (member) and C (other); one-time buyers: B (member), D and E (others)
        for partner in (cls.a, cls.c):
            cls._invoice(partner, earlier, 100)
        for partner in (cls.a, cls.b, cls.c, cls.d, cls.e):
            cls._invoice(partner, recent, 100)
        liability = env["account.account"].create(
            {
                "name": "Overview liability",
                "code": "OVRL01",
                "account_type": "liability_current",
                "company_ids": [Command.set(cls.company.ids)],
            }
        )
        cls.program = env["crm.loyalty.program"].create(
            {
                "name": "Overview Club",
                "company_id": cls.company.id,
                "point_value": 0.5,
                "liability_accounting": True,
                "liability_journal_id": cls.company_data["default_journal_misc"].id,
                "loyalty_expense_account_id": cls.company_data["default_account_expense"].id,
                "loyalty_liability_account_id": liability.id,
                "loyalty_breakage_account_id": cls.company_data["default_account_revenue"].id,
            }
        )
        cls.member_a, cls.member_b = env["crm.loyalty.membership"].create(
            [{"partner_id": p.id, "program_id": cls.program.id} for p in (cls.a, cls.b)]
        )
        cls.Entry = env["crm.loyalty.entry"]
        cls.entries = cls.Entry.create(
            [
                {"membership_id": cls.member_a.id, "entry_type": "earn", "points": 100.0, "date": cls.today},
                {"membership_id": cls.member_b.id, "entry_type": "bonus", "points": 20.0, "date": cls.today},
                {"membership_id": cls.member_a.id, "entry_type": "redeem", "points": -30.0, "date": cls.today},
            ]
        )
        # RFM scores and snapshots as the segmentation writes them (their computation is its tests' business)
        cls.Score = env["crm.rfm.score"].sudo()  # sudo: rows the segmentation's own run writes
        cls.Score.search([("company_id", "=", cls.company.id)]).unlink()
        champions = env["crm.rfm.segment"].search([("name", "=", "Champions")], limit=1)
        cls.champions = champions
        for partner, r, fm, monetary, decile in (
            (cls.a, 5, 5, 200.0, 1),
            (cls.c, 5, 5, 100.0, 2),
            (cls.b, 1, 1, 100.0, 3),
        ):
            cls.Score.create(
                {
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "r_score": r,
                    "fm_score": fm,
                    "monetary": monetary,
                    "value_amount": monetary,
                    "value_decile": decile,
                    "segment_id": champions.id if r == 5 else False,
                }
            )
        this_month = cls.today.replace(day=1)
        Snapshot = env["crm.rfm.snapshot"].sudo()  # sudo: rows the segmentation's monthly run writes
        Snapshot.search([("company_id", "=", cls.company.id)]).unlink()
        Snapshot.create(
            [
                {
                    "partner_id": cls.a.id,
                    "company_id": cls.company.id,
                    "month": this_month,
                    "segment_id": champions.id,
                    "previous_segment_id": champions.id,
                },
                {"partner_id": cls.c.id, "company_id": cls.company.id, "month": this_month, "segment_id": champions.id},
            ]
        )
        # feedback: NPS 10, 9 and 3 (2 promoters, 1 detractor: NPS 33.3); ratings 5 and 1 (CSAT 50 %);
        # three tickets under an SLA, one breached (66.7 %); complaints: two on the kettle, one on the cup
        Nps = env["crm.feedback.nps"]
        Nps.create([{"partner_id": cls.a.id, "score": s, "company_id": cls.company.id} for s in (10, 9, 3)])
        cls.kettle, cls.cup = env["product.product"].create([{"name": "Kettle"}, {"name": "Cup"}])
        cls.team = env["crm.feedback.team"].create({"name": "Overview Team", "company_id": cls.company.id})
        sla = env["crm.feedback.sla"].create(
            {"name": "Overview SLA", "company_id": cls.company.id, "team_id": cls.team.id}
        )
        Ticket = env["crm.feedback.ticket"]
        cls.tickets = Ticket.create(
            [
                {
                    "subject": f"Complaint {i}",
                    "description": "<p>Broken</p>",
                    "partner_id": cls.a.id,
                    "company_id": cls.company.id,
                    "ticket_type": "complaint",
                    "team_id": cls.team.id,
                    "product_id": product.id,
                }
                for i, product in enumerate((cls.kettle, cls.kettle, cls.cup))
            ]
        )
        Ticket.flush_model()
        # the SLA stamp and the first-reply outcomes, as the SLA check writes them: breached, met, running
        now = fields.Datetime.now()
        cls.tickets.write({"sla_id": sla.id, "sla_response_deadline": now + relativedelta(hours=4)})
        cls.tickets[0].write(
            {"sla_response_deadline": now - relativedelta(hours=1), "sla_response_breached": True, "sla_breached": True}
        )
        cls.tickets[1].write({"date_first_response": now})
        for ticket, value in zip(cls.tickets[:2], (5, 1), strict=True):
            env["rating.rating"].sudo().create(
                {
                    "res_model_id": env["ir.model"]._get_id(Ticket._name),
                    "res_id": ticket.id,
                    "rating": value,
                    "consumed": True,
                    "partner_id": cls.a.id,
                }
            )

    def _overview(self, env=None):
        data = (env or self.env)["crm.dashboard"].with_company(self.company).get_overview()
        return {section["key"]: section for section in data["sections"]}, data

    def _by_key(self, items):
        return {item["key"]: item for item in items}

    def _count(self, drill):
        return self.env[drill["res_model"]].with_company(self.company).search_count(drill["domain"])

    def test_loyalty(self):
        sections, _data = self._overview()
        tiles = self._by_key(sections["loyalty"]["tiles"])
        self.assertEqual(tiles["active_members"]["value"], 2)
        self.assertEqual(self._count(tiles["active_members"]["drill"]), 2)
        # 90 points outstanding (100 + 20 - 30) at 0.5 each
        self.assertAlmostEqual(tiles["liability"]["value"], 45.0)
        self.assertEqual(tiles["points_outstanding"]["value"], 90.0)
        # members A (two purchase days) and B (one): 50 %; others C (two), D and E (one): 33.3 %
        member, other = tiles["repeat_rate"]["value"]
        self.assertAlmostEqual(member, 0.5)
        self.assertAlmostEqual(other, 1 / 3)
        chart = self._by_key(sections["loyalty"]["charts"])["points_by_month"]
        earned, redeemed, expired = chart["datasets"]
        self.assertEqual(chart["labels"][-1], fields.Date.to_string(self.today)[:7])
        self.assertEqual((earned["data"][-1], redeemed["data"][-1], expired["data"][-1]), (120.0, 30.0, 0.0))
        self.assertEqual(sum(earned["data"][:-1]), 0.0)
        self.assertEqual(self._count(earned["drills"][-1]), 2)
        self.assertEqual(self._count(redeemed["drills"][-1]), 1)
        self.assertEqual(math.copysign(1.0, expired["data"][-1]), 1.0, "no -0 for a month without points")

    def test_points_by_month_net_of_reversals(self):
        """A credit note reverses A's 100 earned points: 20 earned this month (the bonus), the reversal listed."""
        self.entries[0]._reverse_net()  # the whole earn entry, as a full credit note does
        sections, _data = self._overview()
        earned = self._by_key(sections["loyalty"]["charts"])["points_by_month"]["datasets"][0]
        self.assertEqual(earned["data"][-1], 20.0)  # 100 earned + 20 bonus - 100 reversed
        self.assertEqual(self._count(earned["drills"][-1]), 3)

    def test_segmentation(self):
        sections, _data = self._overview()
        section = sections["segmentation"]
        tiles = self._by_key(section["tiles"])
        self.assertEqual(tiles["scored"]["value"], 3)
        grid = self._by_key(section["heatmaps"])["rfm_grid"]
        self.assertEqual(grid["rows"], ["5", "4", "3", "2", "1"])
        top = grid["cells"][0][4]  # R 5, FM 5: A and C
        self.assertEqual((top["value"], top["intensity"]), (2, 1.0))
        self.assertIn("300", top["detail"])
        self.assertEqual(self._count(top["drill"]), 2)
        self.assertEqual(grid["cells"][4][0]["value"], 1)  # R 1, FM 1: B
        self.assertEqual(sum(cell["value"] for line in grid["cells"] for cell in line), 3)
        # Pareto: the first decile holds 200 of 400, the second 100, the third 100
        pareto = self._by_key(section["charts"])["pareto"]
        self.assertEqual(pareto["datasets"][0]["data"][:4], [50.0, 75.0, 100.0, 100.0])
        self.assertEqual(self._count(pareto["datasets"][0]["drills"][0]), 1)
        # transitions of this month: Champions -> Champions (A), new -> Champions (C)
        transitions = self._by_key(section["heatmaps"])["transitions"]
        self.assertEqual(transitions["cols"], [self.champions.display_name])
        self.assertEqual([line[0]["value"] for line in transitions["cells"]], [1, 1])
        self.assertEqual([self._count(line[0]["drill"]) for line in transitions["cells"]], [1, 1])
        sizes = self._by_key(section["charts"])["segment_sizes"]
        self.assertEqual(sizes["datasets"][0]["data"][-1], 2)

    def test_whale_curve(self):
        """The bridge's whale curve drawn at every 5 % of the customers: A and C earn 200, B and D 100, E loses
        50 (a credit note of 150): total 550; ranked A, C, B, D, E at 20 % steps: 36.4, 72.7, 90.9, 109.1, 100.
        The reading is the bridge's; each point lists the customers of its step."""
        self._invoice(self.e, self.today - relativedelta(days=5), 150, move_type="out_refund")
        self.env["crm.figures.queue"].sudo()._process()  # sudo: the queue is the cron's, as it runs it
        Whale = self.env["crm.whale.curve"].with_company(self.company)
        sections, _data = self._overview()
        self.assertNotIn("whale_curve", self._by_key(sections["segmentation"]["charts"]), "asked after the paint")
        whale = self.env["crm.dashboard"].with_company(self.company).get_whale_curve()
        self.assertEqual(whale["key"], "whale_curve")
        self.assertEqual(len(whale["labels"]), 20)
        self.assertEqual(whale["labels"][3], "20 %")
        data = whale["datasets"][0]["data"]
        self.assertEqual(data[:3], [0.0, 0.0, 0.0])  # no customer before the first fifth
        self.assertEqual([data[i] for i in (3, 7, 11, 15, 19)], [36.4, 72.7, 90.9, 109.1, 100.0])
        self.assertEqual(data[4:7], [36.4, 36.4, 36.4])  # carried on between the customers
        self.assertTrue(whale["unbounded"])
        curve = Whale._whale_curve(company=self.company, date_from=self.today - relativedelta(years=1))
        self.assertEqual(whale["caption"], curve["reading"])
        self.assertIn("109", whale["caption"])
        drills = whale["datasets"][0]["drills"]
        self.assertIsNone(drills[0])
        listed = [Whale.search(drill["domain"]).partner_id for drill in drills if drill]
        self.assertEqual(listed, [self.a, self.c, self.b, self.d, self.e])

    def test_feedback(self):
        sections, _data = self._overview()
        section = sections["feedback"]
        tiles = self._by_key(section["tiles"])
        self.assertEqual(tiles["open_complaints"]["value"], 3)
        self.assertEqual(self._count(tiles["open_complaints"]["drill"]), 3)
        self.assertAlmostEqual(tiles["nps"]["value"], 100 / 3)
        self.assertEqual(self._count(tiles["nps"]["drill"]), 3)
        self.assertAlmostEqual(tiles["csat"]["value"], 0.5)
        self.assertEqual(self._count(tiles["csat"]["drill"]), 2)
        # the compliance report's definition: 1 first reply met of 2 decided (the running one left out)
        self.assertAlmostEqual(tiles["sla_compliance"]["value"], 0.5)
        self.assertEqual(self._count(tiles["sla_compliance"]["drill"]), 1)
        charts = self._by_key(section["charts"])
        products = charts["complaints_by_product"]
        self.assertEqual(products["labels"], ["Kettle", "Cup"])
        self.assertEqual(products["datasets"][0]["data"], [2, 1])
        self.assertEqual(self._count(products["datasets"][0]["drills"][0]), 2)
        trend = charts["satisfaction_trend"]
        self.assertEqual((trend["datasets"][0]["data"][-1], trend["datasets"][1]["data"][-1]), (33.3, 50.0))
        self.assertEqual(charts["sla_by_team"]["labels"], ["Overview Team"])
        self.assertEqual(charts["sla_by_team"]["datasets"][0]["data"], [50.0])
        self.assertEqual(self._count(charts["sla_by_team"]["datasets"][0]["drills"][0]), 2)
        # the trends by group: a line per group over the twelve months, the points of this month only
        by_tier = charts["nps_by_tier"]
        self.assertEqual(by_tier["labels"], trend["labels"])
        [line] = by_tier["datasets"]
        self.assertEqual((line["label"], line["data"]), ("Not a member", [None] * 11 + [33.3]))  # A has no tier
        self.assertEqual(self._count(line["drills"][-1]), 3)
        self.assertIsNone(line["drills"][0])
        [line] = charts["nps_by_segment"]["datasets"]
        self.assertEqual((line["label"], line["data"][-1]), (self.champions.display_name, 33.3))
        # CSAT of the two rated tickets (5 and 1: 50 %), both A's, of the Overview Team; A is a Champion
        for key, label in (
            ("csat_by_team", "Overview Team"),
            ("csat_by_segment", self.champions.display_name),
            ("csat_by_tier", "Not a member"),
        ):
            [line] = charts[key]["datasets"]
            self.assertEqual((line["label"], line["data"][-1], line["data"][0]), (label, 50.0, None), key)
            self.assertEqual(self._count(line["drills"][-1]), 2, key)

    def test_feedback_agent_sees_the_feedback_section(self):
        """A feedback agent without sales or loyalty rights: the feedback section without the breakdowns they
        may not read (RFM segments, tiers, the SLA compliance report of the managers), never an access error."""
        agent = new_test_user(
            self.env, login="overview_agent", groups="crm_feedback.group_feedback_user", company_id=self.company.id
        )
        agent_env = self.env(user=agent)
        self.assertFalse(agent_env["crm.rfm.score"].has_access("read"))
        sections, _data = self._overview(agent_env)
        self.assertIsNone(agent_env["crm.dashboard"].with_company(self.company).get_whale_curve())
        self.assertEqual(set(sections), {"feedback"})
        tiles = self._by_key(sections["feedback"]["tiles"])
        self.assertAlmostEqual(tiles["nps"]["value"], 100 / 3)
        charts = self._by_key(sections["feedback"]["charts"])
        self.assertIn("nps_by_team", charts)
        self.assertNotIn("nps_by_segment", charts)
        self.assertNotIn("csat_by_segment", charts)
        self.assertNotIn("sla_compliance", tiles)

    def test_sections_follow_access(self):
        """A salesperson without loyalty or feedback rights sees the segmentation only; the method is read-only."""
        salesman = new_test_user(
            self.env, login="overview_sales", groups="sales_team.group_sale_salesman", company_id=self.company.id
        )
        sections, _data = self._overview(self.env(user=salesman))
        expected = {
            key
            for key, model in (
                ("loyalty", "crm.loyalty.entry"),
                ("segmentation", "crm.rfm.score"),
                ("feedback", "crm.feedback.ticket"),
            )
            if self.env[model].with_user(salesman).has_access("read")
        }
        self.assertIn("segmentation", expected)
        self.assertEqual(set(sections), expected)
        self.assertTrue(getattr(type(self.env["crm.dashboard"]).get_overview, "_readonly", False))
        self.assertTrue(getattr(type(self.env["crm.dashboard"]).get_whale_curve, "_readonly", False))
