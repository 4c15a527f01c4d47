import os
import random
from collections import defaultdict
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models, tools

SURNAMES = [
    "Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
    "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Luo", "Gao",
]  # fmt: skip
TRADES = [
    "Tea House", "Trading", "Home Store", "Design Studio", "Office Supplies", "Café", "Hotel", "Bookshop",
    "Gift Shop", "Interiors", "Restaurant", "Spa",
]  # fmt: skip
# persona: share of the customers, days between purchases, first purchase (months ago), no purchase in the last
# months, amount of a purchase, NPS scores given, share enrolled in the loyalty program, complaints a year
PERSONAS = {
    "champion": (0.10, (25, 45), (20, 24), 0, (600, 1500), (9, 10), 0.9, 0.5),
    "loyal": (0.15, (50, 90), (16, 24), 0, (300, 900), (7, 10), 0.7, 0.5),
    "new": (0.10, (20, 40), (1, 3), 0, (200, 700), (6, 10), 0.5, 0.3),
    "at_risk": (0.15, (45, 80), (18, 24), 7, (400, 1200), (1, 6), 0.5, 1.5),
    "lost": (0.15, (60, 120), (20, 24), 14, (150, 600), (0, 6), 0.3, 1.0),
    "occasional": (0.35, (120, 240), (12, 24), 0, (100, 500), (5, 9), 0.2, 0.2),
}
PRODUCTS = [
    # name, price, cost, category
    ("Oolong Tea 500 g", 68.0, 30.0, "Tea"),
    ("Pu'er Tea Cake", 128.0, 52.0, "Tea"),
    ("Celadon Tea Set", 420.0, 190.0, "Tea Ware"),
    ("Cast Iron Kettle", 260.0, 120.0, "Tea Ware"),
    ("Gift Box", 180.0, 70.0, "Gifts"),
]
COMPLAINTS = [
    ("Tea set arrived chipped", "<p>Two cups of the set arrived chipped. Very disappointed.</p>"),
    ("Kettle leaks", "<p>The kettle leaks at the spout after a week. Please replace it.</p>"),
    ("Late delivery", "<p>The order arrived five days late, the gift was for a birthday.</p>"),
    ("Wrong tea in the box", "<p>We received green tea instead of oolong.</p>"),
    ("Invoice amount wrong", "<p>The invoice shows a higher price than the quotation.</p>"),
]
SUGGESTIONS = [
    ("Smaller tea packs", "<p>Could you sell 100 g packs so we can try new teas? Great service otherwise.</p>"),
    ("Gift wrapping", "<p>Please offer gift wrapping, our customers love your boxes.</p>"),
]
NPS_COMMENTS = {
    "promoter": ["Excellent tea, always on time.", "Great service, we recommend you to every friend."],
    "passive": ["Good products, delivery could be faster.", "Fine overall."],
    "detractor": ["Too many broken items lately.", "Slow answers to our complaints, disappointed."],
}


class CrmDemoStory(models.AbstractModel):
    """Demo data that tells a story: a tea merchant's customers over two years, each following a persona
    (champions, loyal, new, at risk, lost, occasional), written through the application's own flows: invoices
    posted (points earned at posting for the members), paid by payments registered on their day (some left
    overdue), tickets with their SLA, satisfaction ratings and NPS answers; then the nightly runs (customer
    figures, the monthly RFM snapshots of the last twelve month ends, lifecycle stages, points expiry, the
    liability accrual), so the overview, the RFM grid and the transition matrix open with shape."""

    _name = "crm.demo.story"
    _description = "Customer Relations Demo Story"

    @api.model
    def _load_demo(self):
        """The demo file's entry point: a story of ``$CRM_DEMO_STORY_CUSTOMERS`` customers (160 by default, 0:
        none; the translation export sets 0), none in a test run (``--test-enable``): the suite's tests run on
        the other addons' demo data only, and this addon's tests generate small stories in companies of
        their own."""
        customers = int(os.environ.get("CRM_DEMO_STORY_CUSTOMERS", "160"))
        if tools.config["test_enable"] or customers <= 0:
            return
        self._generate(customers=customers)

    @api.model
    def _generate(self, company=None, customers=160, seed=2026):
        """Generate the story in ``company`` (the main company by default); deterministic for a ``seed``.
        Returns {persona: partners}."""
        company = company or self.env.ref("base.main_company")
        story = self.with_company(company).with_context(
            allowed_company_ids=[company.id], tracking_disable=True, mail_notrack=True, mail_create_nolog=True
        )
        rng = random.Random(seed)
        today = fields.Date.context_today(story)
        products = story._story_products(company)
        program = story._story_program(company)
        plans = story._story_customers(rng, customers, today)
        invoices = story._story_invoices(rng, plans, products, program, today)
        story._story_payments(rng, plans, invoices, today)
        story._story_feedback(rng, plans, products, company, today)
        story._story_figures(company, today)
        by_persona = defaultdict(lambda: self.env["res.partner"])
        for partner, plan in plans.items():
            by_persona[plan["persona"]] |= partner
        return dict(by_persona)

    # ------------------------------------------------------------------ master data
    @api.model
    def _story_products(self, company):
        Category = self.env["product.category"]
        products = self.env["product.product"]
        for name, price, cost, categ in PRODUCTS:
            category = Category.search([("name", "=", categ)], limit=1) or Category.create({"name": categ})
            products |= self.env["product.product"].create(
                {
                    "name": name,
                    "type": "consu",
                    "list_price": price,
                    "standard_price": cost,
                    "categ_id": category.id,
                    "taxes_id": False,
                    "company_id": False,
                }
            )
        return products

    @api.model
    def _story_program(self, company):
        program = self.env.ref("crm_loyalty.crm_loyalty_program_demo", raise_if_not_found=False)
        if program and program.company_id == company:
            return program
        return self.env["crm.loyalty.program"].create(
            {"name": "Tea Friends", "company_id": company.id, "earn_rate": 1.0, "point_value": 0.01}
        )

    @api.model
    def _story_customers(self, rng, count, today):
        """{partner: {"persona", "dates"}}: each customer's persona and purchase days."""
        names, vals_list, personas = set(), [], []
        weights = [persona[0] for persona in PERSONAS.values()]
        while len(vals_list) < count:
            persona = rng.choices(list(PERSONAS), weights)[0]
            name = f"{rng.choice(SURNAMES)} {rng.choice(TRADES)}"
            if name in names:
                name = f"{name} {len(names) + 1}"
            names.add(name)
            slug = name.lower().replace(" ", ".").replace("'", "")
            vals_list.append(
                {
                    "name": name,
                    "is_company": True,
                    "email": f"{slug}@story.example.com",
                    "phone": f"+86 21 {rng.randint(5000, 6999)} {rng.randint(1000, 9999)}",
                    "city": rng.choice(["Shanghai", "Hangzhou", "Suzhou", "Beijing", "Shenzhen"]),
                }
            )
            personas.append(persona)
        partners = self.env["res.partner"].create(vals_list)
        plans = {}
        for partner, persona in zip(partners, personas, strict=True):
            _share, gap, first, silent, *_rest = PERSONAS[persona]
            day = today - relativedelta(months=rng.randint(*first)) + timedelta(days=rng.randint(0, 20))
            last = today - relativedelta(months=silent) - timedelta(days=1)
            dates = []
            while day <= last:
                dates.append(day)
                day += timedelta(days=rng.randint(*gap))
            plans[partner] = {"persona": persona, "dates": dates or [last]}
        return plans

    # ------------------------------------------------------------------ sales
    @api.model
    def _story_invoices(self, rng, plans, products, program, today):
        """Posted customer invoices on each purchase day; members enrolled before their first purchase earn
        their points as the invoices post."""
        members = [
            {"partner_id": partner.id, "program_id": program.id, "enroll_date": plan["dates"][0]}
            for partner, plan in plans.items()
            if rng.random() < PERSONAS[plan["persona"]][6]
        ]
        self.env["crm.loyalty.membership"].create(members)
        vals_list = []
        for partner, plan in plans.items():
            low, high = PERSONAS[plan["persona"]][4]
            for day in plan["dates"]:
                budget, count = rng.uniform(low, high), rng.randint(1, 2)
                lines = []
                for product in rng.sample(products, count):
                    quantity = max(1, round(budget / count / product.list_price))
                    lines.append(Command.create({"product_id": product.id, "quantity": quantity, "tax_ids": False}))
                vals_list.append(
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": day,
                        "invoice_payment_term_id": self.env.ref("account.account_payment_term_30days").id,
                        "invoice_line_ids": lines,
                    }
                )
        invoices = self.env["account.move"].create(vals_list)
        invoices.action_post()
        return invoices

    @api.model
    def _story_payments(self, rng, plans, invoices, today):
        """Each customer pays a month's invoices together, 0 to 45 days after the month's last one (never after
        today); the invoices of the last 25 days are not paid yet, nor the last one of a customer at risk."""
        unpaid = {
            max(invoices.filtered(lambda m, p=partner: m.partner_id == p), key=lambda m: m.invoice_date)
            for partner, plan in plans.items()
            if plan["persona"] == "at_risk"
        }
        groups = defaultdict(lambda: self.env["account.move"])
        for invoice in invoices:
            if invoice.invoice_date > today - timedelta(days=25) or invoice in unpaid:
                continue
            groups[invoice.partner_id, invoice.invoice_date.replace(day=1)] |= invoice
        Register = self.env["account.payment.register"]
        for moves in groups.values():
            day = min(max(moves.mapped("invoice_date")) + timedelta(days=rng.randint(0, 45)), today)
            Register.with_context(active_model="account.move", active_ids=moves.ids).create(
                {"payment_date": day, "group_payment": True}
            ).action_create_payments()

    # ------------------------------------------------------------------ feedback
    @api.model
    def _story_feedback(self, rng, plans, products, company, today):
        """Complaints and suggestions of the last twelve months (the unhappy personas complain more), closed
        within hours or days, rated by the customers; NPS answers (detractors among those at risk)."""
        team = self.env["crm.feedback.team"].search([("company_id", "=", company.id)], limit=1) or self.env[
            "crm.feedback.team"
        ].create({"name": "Customer Care", "company_id": company.id})
        solved = self.env.ref("crm_feedback.stage_solved")
        start = today - relativedelta(months=12)
        tickets_vals, outcomes, nps_vals = [], [], []
        for partner, plan in plans.items():
            persona = plan["persona"]
            *_head, (nps_low, nps_high), _member, complaints = PERSONAS[persona]
            recent = [day for day in plan["dates"] if day >= start] or plan["dates"][-1:]
            count = int(complaints) + (rng.random() < complaints % 1)
            for _i in range(count):
                opened = datetime.combine(rng.choice(recent) + timedelta(days=rng.randint(1, 20)), time(9)) + timedelta(
                    hours=rng.randint(0, 8)
                )
                if opened.date() >= today:
                    continue
                if rng.random() < 0.2:
                    kind, (subject, body) = "suggestion", rng.choice(SUGGESTIONS)
                else:
                    kind, (subject, body) = "complaint", rng.choice(COMPLAINTS)
                closed = opened + timedelta(hours=rng.choice([3, 6, 20, 30, 50, 90, 160]))
                done = closed.date() < today - timedelta(days=3) and rng.random() < 0.85
                vals = {
                    "subject": subject,
                    "description": body,
                    "ticket_type": kind,
                    "channel": rng.choice(["phone", "email", "portal"]),
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "team_id": team.id,
                    "product_id": rng.choice(products).id,
                    "date_open": opened,
                    "create_date": opened,
                }
                if done:
                    vals.update(
                        {
                            "stage_id": solved.id,
                            "date_first_response": opened + timedelta(hours=rng.choice([1, 2, 3, 6, 12])),
                            "date_closed": closed,
                        }
                    )
                tickets_vals.append(vals)
                outcomes.append((done, closed, persona))
            for _i in range(rng.randint(0, 2)):
                score = rng.randint(nps_low, nps_high)
                kind = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
                nps_vals.append(
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "team_id": team.id,
                        "score": score,
                        "comment": rng.choice(NPS_COMMENTS[kind]),
                        "date": rng.choice(recent) + timedelta(days=rng.randint(3, 15)),
                    }
                )
        tickets = self.env["crm.feedback.ticket"].create(tickets_vals)
        ratings = []
        for ticket, (done, closed, persona) in zip(tickets, outcomes, strict=True):
            if not done:
                continue
            late = bool(ticket.sla_resolution_deadline and closed > ticket.sla_resolution_deadline)
            # the target that was late (the SLA compliance report counts by target) and the ticket's flag
            ticket.write({"sla_resolution_breached": late, "sla_breached": late})
            if rng.random() < 0.7:
                happy = persona in ("champion", "loyal", "new", "occasional") and not ticket.sla_breached
                ratings.append(
                    {
                        "res_model_id": self.env["ir.model"]._get_id(ticket._name),
                        "res_id": ticket.id,
                        "partner_id": ticket.partner_id.id,
                        "rating": rng.choice([5, 5, 3]) if happy else rng.choice([1, 3]),
                        "consumed": True,
                        "create_date": closed + timedelta(days=1),
                    }
                )
        self.env["rating.rating"].create(ratings)
        self.env["crm.feedback.nps"].create([vals for vals in nps_vals if vals["date"] <= today])
        # the open tickets past their deadlines are flagged as the SLA run does
        self.env["crm.feedback.ticket"]._cron_check_sla()

    # ------------------------------------------------------------------ the nightly runs
    @api.model
    def _story_figures(self, company, today):
        self.env["crm.sales.fact"]._rebuild(company)
        Score = self.env["crm.rfm.score"]
        # the monthly snapshots of the last twelve month ends, as the nightly run wrote them on each of those days
        for months_ago in range(12, 0, -1):
            month_end = today.replace(day=1) - relativedelta(months=months_ago - 1) - timedelta(days=1)
            Score._recompute(company, today=month_end)
        Score._recompute_and_predict(company)
        self.env["res.partner"]._evaluate_lifecycle()
        self.env["crm.loyalty.membership"]._cron_expire_points()
        self.env["crm.loyalty.accrual"]._cron_accrue()
