import random
from datetime import timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..tools import loyalty_uplift
from ..tools.loyalty_uplift import bootstrap_interval, summarize


@tagged("post_install", "-at_install")
class TestLoyaltyUpliftKernel(TransactionCase):
    """The arithmetic without data: the bootstrap interval, the minimum number of pairs."""

    def test_bootstrap_interval(self):
        self.assertEqual(bootstrap_interval([5.0] * 40, 200, seed=1), (5.0, 5.0))
        rng = random.Random(3)
        differences = [100 + rng.uniform(-20, 20) for _i in range(200)]
        low, high = bootstrap_interval(differences, 1000, seed=1)
        mean = sum(differences) / len(differences)
        self.assertLess(low, mean)
        self.assertGreater(high, mean)
        self.assertLess(high - low, 8, "the mean of 200 differences of spread 40 is known within a few units")
        self.assertEqual((low, high), bootstrap_interval(differences, 1000, seed=1))

    def test_window_sums(self):
        """A window's total: the days after its first day up to its last, the customer's own rows only."""
        numpy = loyalty_uplift.numpy
        day = loyalty_uplift.day_number
        jan = [day(fields.Date.to_date(f"2026-01-{d:02d}")) for d in (1, 2, 3, 31)]
        partners = numpy.array([7, 7, 7, 7, 8, 9])
        days = numpy.array([jan[3], jan[0], jan[1], jan[2], jan[1], jan[1]])
        values = numpy.array([1000.0, 1.0, 10.0, 100.0, 5.0, 7.0])
        windows = (
            numpy.array([7, 7, 8, 9, 10]),
            numpy.array([jan[0]] * 5),
            numpy.array([jan[2], jan[3], *[jan[2]] * 3]),
        )
        (totals,) = loyalty_uplift.window_sums(partners, days, [values], windows)
        self.assertEqual(totals.tolist(), [110.0, 1110.0, 5.0, 7.0, 0.0], "the first day out, the last day in")
        # by chunks of two windows (customer 7's windows in one chunk, 8 and 9 in the next): the rows of the
        # chunk's customers only, the same totals
        reads = []

        def read(low, high):
            reads.append((low, high))
            rows = (partners >= low) & (partners <= high)
            return partners[rows], days[rows], [values[rows]]

        (chunked,) = loyalty_uplift.chunked_window_sums(windows, read, 1, size=2)
        self.assertEqual(chunked.tolist(), totals.tolist())
        self.assertEqual(reads, [(7, 7), (8, 9), (10, 10)])

    def test_add_months_as_postgresql(self):
        """The 31st of January plus one month is the last day of February, as PostgreSQL's date + interval."""
        numpy = loyalty_uplift.numpy
        day = loyalty_uplift.day_number
        days = numpy.array([day(fields.Date.to_date(d)) for d in ("2026-01-31", "2026-03-15", "2026-01-31")])
        self.env.cr.execute("SELECT ('2026-01-31'::date + INTERVAL '1 month')::date - '1970-01-01'::date")
        self.assertEqual(loyalty_uplift.add_months(days, 1).tolist()[0], self.env.cr.fetchone()[0])
        self.assertEqual(
            loyalty_uplift.add_months(days, 1).tolist(),
            [day(fields.Date.to_date(d)) for d in ("2026-02-28", "2026-04-15", "2026-02-28")],
        )

    def test_read_columns(self):
        """The rows of a statement as numpy columns; a NULL is refused, not read as another number."""
        query = SQL("SELECT g::int4, g::int8 * 3000000000, g / 4.0::float8 FROM generate_series(1, 5) g ORDER BY g")
        ints, bigs, floats = loyalty_uplift.read_columns(self.env.cr, query, ("i4", "i8", "f8"))
        self.assertEqual(ints.tolist(), [1, 2, 3, 4, 5])
        self.assertEqual(bigs.tolist(), [3000000000 * g for g in range(1, 6)])
        self.assertEqual(floats.tolist(), [0.25, 0.5, 0.75, 1.0, 1.25])
        (empty,) = loyalty_uplift.read_columns(self.env.cr, SQL("SELECT 1::int4 WHERE false"), ("i4",))
        self.assertEqual(len(empty), 0)
        with self.assertRaises(ValueError):
            loyalty_uplift.read_columns(
                self.env.cr, SQL("SELECT NULLIF(g, 2)::int4 FROM generate_series(1, 3) g"), ("i4",)
            )
        with self.assertRaises(ValueError):
            loyalty_uplift.read_columns(self.env.cr, SQL("SELECT 1::int4"), ("i8",))

    def test_not_enough_pairs(self):
        outcome = {
            "member": {"purchases": 1, "contribution": 10},
            "control": {"purchases": 0, "contribution": 0},
            "points_cost": 0,
            "goodwill": 0,
        }
        self.assertEqual(summarize([outcome] * 29, min_pairs=30), {"pairs": 29, "enough": False})
        self.assertTrue(summarize([outcome] * 30, min_pairs=30)["enough"])


class UpliftMixin:
    """A company's program (a point is worth 0.01), members enrolled on the 5th of the month 14 months ago (so
    that their 12 months are over), every customer's RFM cell and lifecycle stage of the month before written
    as the nightly runs write them."""

    @classmethod
    def _setup_uplift(cls, company):
        env = cls.env
        cls.today = fields.Date.context_today(env["res.partner"])
        cls.company = company
        cls.program = env["crm.loyalty.program"].create(
            {"name": "Tea Club", "company_id": cls.company.id, "point_value": 0.01, "validity_months": 0}
        )
        cls.month = (cls.today - relativedelta(months=14)).replace(day=1)
        cls.enroll = cls.month + timedelta(days=4)
        cls.stage, cls.other_stage = env["crm.lifecycle.stage"].search([], limit=2)
        cls.Report = env["crm.loyalty.uplift.report"]

    def _customers(self, count, rfm_code="455", stage=None, name="Customer"):
        partners = self.env["res.partner"].create([{"name": f"{name} {i}"} for i in range(count)])
        before = self.month - relativedelta(months=1)
        self.env.cr.executemany(
            "INSERT INTO crm_rfm_snapshot (partner_id, company_id, month, rfm_code) VALUES (%s, %s, %s, %s)",
            [(p.id, self.company.id, before, rfm_code) for p in partners],
        )
        # the stage history is written by the nightly run (no user creates it)
        history_sudo = self.env["crm.lifecycle.history"].sudo()
        history_sudo.create(
            [
                {
                    "partner_id": p.id,
                    "company_id": self.company.id,
                    "to_stage_id": (stage or self.stage).id,
                    "date": fields.Datetime.to_datetime(before + timedelta(days=9)),
                    "mode": "auto",
                }
                for p in partners
            ]
        )
        return partners

    def _enroll(self, partners, enroll=None):
        return self.env["crm.loyalty.membership"].create(
            [
                {"partner_id": p.id, "program_id": self.program.id, "enroll_date": enroll or self.enroll}
                for p in partners
            ]
        )

    def _purchases(self, rows):
        """[(partner, days after enrolment, contribution[, loyalty rewards])] into the customer figures (gross
        revenue = contribution + rewards: no cost of goods)."""
        self.env.cr.executemany(
            "INSERT INTO crm_sales_fact (partner_id, company_id, date, invoice_count, gross_revenue, loyalty_rewards,"
            " net_revenue, contribution) VALUES (%s, %s, %s, 1, %s, %s, %s, %s)",
            [
                (p.id, self.company.id, self.enroll + timedelta(days=d), c + r, r, c, c)
                for p, d, c, r in ((*row, 0)[:4] for row in rows)
            ],
        )

    def _figures(self, **kwargs):
        return {
            (g["horizon"], g["dimension"], g["name"]): g
            for g in self.Report._loyalty_uplift(self.company, self.today, **kwargs)
        }


class UpliftCommon(UpliftMixin, TransactionCase):
    """A company of its own; purchases straight into the customer figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_uplift(cls.env["res.company"].create({"name": "Uplift Tea Co"}))


@tagged("post_install", "-at_install")
class TestLoyaltyUpliftHandExample(UpliftCommon):
    def test_three_pairs_by_hand(self):
        """Members m1, m2, m3 against non-members c1, c2, c3 of their cell (RFM 455, first stage):
        m1 buys on days 10 and 40 (200, then 100 of which 2 paid with points: contribution 98), m2 on day 20
        (100), m3 nothing; c1 and c2 buy once (100), c3 nothing. m1 earns 1,000 points (10.00) on day 10 and a
        goodwill bonus of 300 points (3.00).
        Over 3 months: repeat 2/3 against 2/3 (uplift 0); purchase days 3/3 against 2/3 (uplift 1/3);
        contribution 398/3 against 200/3 (uplift 66); points' cost 10/3, goodwill 3/3; net uplift: the 2 of
        rewards added back (the points are counted once, when issued): (198 + 2 - 10 - 3) / 3 = 62.33.
        Not compared: a non-member of another RFM cell (it spends 10,000), one of another stage, and a
        customer of the cell enrolled two months later (a member before the end of the window)."""
        members = self._customers(3, name="Member")
        controls = self._customers(3, name="Control")
        other_cell = self._customers(1, rfm_code="111", name="Other cell")
        other_stage = self._customers(1, stage=self.other_stage, name="Other stage")
        late = self._customers(1, name="Late")
        memberships = self._enroll(members)
        self._enroll(late, self.enroll + relativedelta(months=2))
        m1, m2, _m3 = members
        c1, c2, _c3 = controls
        self._purchases(
            [(m1, 10, 200), (m1, 40, 98, 2), (m2, 20, 100), (c1, 15, 100), (c2, 30, 100)]
            + [(p, 10, 10000) for p in other_cell + other_stage + late]
        )
        entries = self.env["crm.loyalty.entry"].create(
            [
                {
                    "membership_id": memberships[0].id,
                    "entry_type": "earn",
                    "points": 1000,
                    "date": self.enroll + timedelta(days=10),
                },
            ]
        )
        self.assertTrue(entries)
        memberships[0]._post_bonus("goodwill", 300, date=self.enroll + timedelta(days=12))
        gold = self.env["crm.loyalty.tier"].create({"name": "Gold", "program_id": self.program.id, "threshold": 1e9})
        memberships[1:].tier_id = gold
        figures = self._figures(min_pairs=1, resamples=200)
        three = figures[3, "all", "All members"]
        self.assertEqual(three["pairs"], 3)
        self.assertTrue(three["enough"])
        self.assertAlmostEqual(three["repeat_member"], 2 / 3)
        self.assertAlmostEqual(three["repeat_control"], 2 / 3)
        self.assertAlmostEqual(three["repeat_uplift"], 0)
        self.assertAlmostEqual(three["purchases_uplift"], 1 / 3)
        self.assertAlmostEqual(three["contribution_member"], 398 / 3)
        self.assertAlmostEqual(three["contribution_control"], 200 / 3)
        self.assertAlmostEqual(three["contribution_uplift"], 198 / 3)
        self.assertAlmostEqual(three["points_cost"], 10 / 3)
        self.assertAlmostEqual(three["goodwill"], 1.0)
        self.assertAlmostEqual(three["net_uplift"], 187 / 3)
        self.assertLessEqual(three["net_low"], three["net_uplift"])
        self.assertGreaterEqual(three["net_high"], three["net_uplift"])
        # by bonus kind: only m1 received one (goodwill); by tier: m2 and m3 are Gold (1/1 repeat against
        # the 1 of 2 of their controls, whichever they are)
        goodwill = figures[3, "bonus", "Goodwill"]
        self.assertEqual(goodwill["pairs"], 1)
        self.assertAlmostEqual(goodwill["contribution_member"], 298)
        gold = figures[3, "tier", "Gold"]
        self.assertEqual(gold["pairs"], 2)
        self.assertAlmostEqual(gold["contribution_member"], 50)
        self.assertEqual(figures[12, "all", "All members"]["pairs"], 3, "the same pairs over 12 months")
        # the report's groups are named in the reader's language, whoever computed it
        self.env["res.lang"]._activate_lang("zh_CN")
        memberships[1].tier_id.with_context(lang="zh_CN").name = "金卡"
        self.env["ir.module.module"]._load_module_terms(["crm_loyalty", "crm_erp_bridge"], ["zh_CN"], overwrite=True)
        report = self.Report.with_context(lang="zh_CN").create(
            {"company_id": self.company.id, "min_pairs": 1, "resamples": 200}
        )
        report.action_compute()
        three = report.line_ids.filtered(lambda line: line.horizon == "3")
        self.assertEqual(three.mapped("name"), ["全部会员", "金卡", "补偿"])
        self.assertEqual(three.with_context(lang="en_US").mapped("name"), ["All members", "Gold", "Goodwill"])
        self.assertEqual(three.mapped("pairs"), [3, 2, 1])

    def test_matching_within_cells(self):
        """Two members and three candidates in cell 455, a member alone in cell 111: two pairs, two different
        controls of 455, in an order the seed sets; a member of the next month's cohort in 455 whose only
        candidate is a control of the first cohort is matched with it too (each cohort its own trial)."""
        members = self._customers(2, name="Member")
        candidates = self._customers(3, name="Candidate")
        alone = self._customers(1, rfm_code="111", name="Alone")
        self._enroll(members + alone)
        pairs = self.Report._uplift_pairs(self.company, self.today, horizons=(3,))
        self.assertEqual([(h, m) for h, m, _c, _d in pairs], [(3, members[0].id), (3, members[1].id)])
        controls = [c for _h, _m, c, _d in pairs]
        self.assertEqual(len(set(controls)), 2, "a control once per cohort")
        self.assertLessEqual(set(controls), set(candidates.ids))
        self.assertEqual({d for _h, _m, _c, d in pairs}, {self.enroll})
        self.assertEqual(pairs, self.Report._uplift_pairs(self.company, self.today, horizons=(3,)), "seeded")
        drawn = {
            tuple(c for *_x, c, _d in self.Report._uplift_pairs(self.company, self.today, (3,), seed))
            for seed in range(8)
        }
        self.assertGreater(len(drawn), 1, "the seed orders the candidates")
        # the next month's cohort: one member, its one candidate the first control (RFM 455 in the month before)
        next_month = self.month + relativedelta(months=1)
        later = self._customers(1, name="Next month's member")
        self.env.cr.executemany(
            "INSERT INTO crm_rfm_snapshot (partner_id, company_id, month, rfm_code) VALUES (%s, %s, %s, %s)",
            [(p, self.company.id, self.month, code) for p, code in ((later.id, "455"), (controls[0], "455"))],
        )
        self._enroll(later, next_month + timedelta(days=2))
        pairs = self.Report._uplift_pairs(self.company, self.today, horizons=(3,))
        self.assertIn((3, later.id, controls[0], next_month + timedelta(days=2)), pairs)
        self.assertEqual(len(pairs), 3)

    def test_not_enough_data(self):
        members = self._customers(5, name="Member")
        self._customers(8, name="Control")
        self._enroll(members)
        figures = self._figures()
        for horizon in (3, 6, 12):
            group = figures[horizon, "all", "All members"]
            self.assertEqual(group["pairs"], 5)
            self.assertFalse(group["enough"])
            self.assertNotIn("net_uplift", group)
        report = self.Report.create({"company_id": self.company.id})
        report.action_compute()
        self.assertEqual(len(report.line_ids), 3)
        self.assertEqual(set(report.line_ids.mapped("status")), {"Not enough data"})
        self.assertEqual(report.line_ids.mapped("pairs"), [5, 5, 5])

    def test_without_numpy(self):
        """Without numpy the report says what it needs, instead of failing on a missing name."""
        self._enroll(self._customers(2, name="Member"))
        report = self.Report.create({"company_id": self.company.id})
        with patch.object(loyalty_uplift, "numpy", None), self.assertRaisesRegex(UserError, "numpy"):
            report.action_compute()
        self.assertFalse(report.line_ids)

    def test_recent_members_wait_for_their_window(self):
        """A member enrolled two months ago has a 3-month window still open: not compared yet."""
        members = self._customers(2, name="Member")
        self._customers(2, name="Control")
        self._enroll(members[:1])
        self._enroll(members[1:], self.today - relativedelta(months=2))
        self.assertEqual(self._figures(min_pairs=1)[3, "all", "All members"]["pairs"], 1)


@tagged("post_install", "-at_install")
class TestLoyaltyUpliftPlanted(UpliftCommon):
    """60 members and 60 non-members of one cell with the same histories before enrolment; 10 non-members
    of another cell that spend far more (they must not be compared)."""

    def _plant(self, uplift):
        rng = random.Random(11)
        members = self._customers(60, name="Member")
        controls = self._customers(60, name="Control")
        self._customers(10, rfm_code="155", name="Other")
        memberships = self._enroll(members)
        rows = []
        for partner in members:
            rows += [(partner, 20, 100 + uplift + rng.uniform(-30, 30)), (partner, 50, 100 + rng.uniform(-30, 30))]
        for partner in controls:
            rows += [(partner, 20, 100 + rng.uniform(-30, 30)), (partner, 50, 100 + rng.uniform(-30, 30))]
        self._purchases(rows)
        # every member earns 500 points (5.00) on day 20
        self.env["crm.loyalty.entry"].create(
            [
                {"membership_id": m.id, "entry_type": "earn", "points": 500, "date": self.enroll + timedelta(days=20)}
                for m in memberships
            ]
        )
        self.env.cr.execute("SELECT SUM(contribution) FROM crm_sales_fact WHERE partner_id = ANY(%s)", [members.ids])
        member_total = self.env.cr.fetchone()[0]
        self.env.cr.execute("SELECT SUM(contribution) FROM crm_sales_fact WHERE partner_id = ANY(%s)", [controls.ids])
        return (member_total - self.env.cr.fetchone()[0]) / 60

    def test_planted_uplift_of_100(self):
        expected = self._plant(100)
        figures = self._figures()
        for horizon in (3, 6, 12):
            group = figures[horizon, "all", "All members"]
            self.assertEqual(group["pairs"], 60)
            self.assertAlmostEqual(group["contribution_uplift"], expected, places=6)
            self.assertAlmostEqual(group["contribution_uplift"], 100, delta=15)
            self.assertLess(group["contribution_low"], 100)
            self.assertGreater(group["contribution_high"], 100)
            self.assertGreater(group["contribution_low"], 50, "the uplift is clearly above 0")
            self.assertAlmostEqual(group["points_cost"], 5.0)
            self.assertAlmostEqual(group["net_uplift"], expected - 5.0, places=6)
            self.assertAlmostEqual(group["repeat_uplift"], 0.0)
        self.assertEqual(figures, self._figures(), "seeded: the same figures every time")

    def test_no_uplift(self):
        self._plant(0)
        group = self._figures()[6, "all", "All members"]
        self.assertEqual(group["pairs"], 60)
        self.assertLess(group["contribution_low"], 0)
        self.assertGreater(group["contribution_high"], 0)
        self.assertLess(group["net_low"], 0, "without uplift the points cost money")

    def test_managers_only(self):
        self._plant(100)
        manager = new_test_user(
            self.env,
            login="uplift_manager",
            groups="sales_team.group_sale_manager",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        report = self.Report.with_user(manager).create({"company_id": self.company.id})
        report.action_compute()
        line = report.line_ids.filtered(lambda l: l.horizon == "3" and l.dimension == "all")
        self.assertEqual(line.pairs, 60)
        self.assertEqual(line.status, "Pays")
        loyalty = new_test_user(
            self.env,
            login="uplift_loyalty",
            groups="crm_loyalty.group_loyalty_manager",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        self.Report.with_user(loyalty).create({"company_id": self.company.id}).action_compute()
        menu = self.env.ref("crm_erp_bridge.menu_crm_loyalty_uplift")
        for user in (manager, loyalty):
            self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(user)._visible_menu_ids(), user.login)
        salesman = new_test_user(self.env, login="uplift_salesman", groups="sales_team.group_sale_salesman")
        with self.assertRaises(AccessError):
            self.Report.with_user(salesman).create({})

    def test_other_companies_figures_hidden(self):
        """A loyalty manager of another company reads neither this company's reports nor their figures."""
        self._plant(100)
        report = self.Report.create({"company_id": self.company.id})
        report.action_compute()
        other = self.env["res.company"].create({"name": "Other Tea Co"})
        outsider = new_test_user(
            self.env,
            login="uplift_outsider",
            groups="crm_loyalty.group_loyalty_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        Line = self.env["crm.loyalty.uplift.report.line"].with_user(outsider)
        self.assertFalse(Line.search([("report_id", "=", report.id)]))
        with self.assertRaises(AccessError):
            Line.browse(report.line_ids[0].id).read(["net_uplift"])
        with self.assertRaises(AccessError):
            Line.create({"report_id": report.id, "horizon": "3", "dimension": "all", "pairs": 1})
        # their own company's report: computed and read
        own = self.Report.with_user(outsider).with_company(other).create({"company_id": other.id})
        own.action_compute()
        self.assertEqual(Line.search([]).report_id, own)


@tagged("post_install", "-at_install")
class TestLoyaltyUpliftInvoices(UpliftMixin, AccountTestInvoicingCommon):
    """Through real invoices: posted in one batch, they fill the customer figures and earn the members their
    points (1 per unit invoiced, on the invoice date)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id |= cls.env.ref("crm_loyalty.group_loyalty_manager") | cls.env.ref(
            "sales_team.group_sale_manager"
        )
        cls._setup_uplift(cls.company_data["company"])
        cls.product = cls.env["product.product"].create(
            {"name": "Oolong", "type": "consu", "standard_price": 0.0, "list_price": 100.0, "taxes_id": False}
        )

    def test_uplift_from_invoices(self):
        """Two members invoiced 200 and two non-members 100, 10 days after enrolment: contribution uplift 100,
        points' cost 200 points x 0.01 = 2 per member, net uplift 98."""
        members = self._customers(2, name="Member")
        controls = self._customers(2, name="Control")
        self._enroll(members)
        day = self.enroll + timedelta(days=10)
        invoices = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": day,
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": self.product.id, "quantity": 1, "price_unit": amount, "tax_ids": False}
                        )
                    ],
                }
                for partners, amount in ((members, 200.0), (controls, 100.0))
                for partner in partners
            ]
        )
        invoices.action_post()
        group = self._figures(min_pairs=1, resamples=100)[3, "all", "All members"]
        self.assertEqual(group["pairs"], 2)
        self.assertAlmostEqual(group["purchases_uplift"], 0)
        self.assertAlmostEqual(group["contribution_member"], 200)
        self.assertAlmostEqual(group["contribution_uplift"], 100)
        self.assertAlmostEqual(group["points_cost"], 2)
        self.assertAlmostEqual(group["net_uplift"], 98)
