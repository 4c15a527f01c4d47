"""Benchmark measurements, run inside `odoo-bin shell` (``env`` is given) by bench/bench.sh.

Each measurement runs CRM_BENCH_REPEAT times (default 3) in its own transaction, rolled back after,
and reports the median wall time with its spread, the SQL queries, the Python heap peak (tracemalloc), the
peak RSS of the Odoo process (VmHWM, reset before each call) and, where there is one, the ratio to a lower
bound measured the same way.
Results go to stdout as one JSON line per measurement, prefixed with RESULT.
"""

import io
import json
import os
import re
import statistics
import time
import tracemalloc
from datetime import date, timedelta

import xlsxwriter
from dateutil.relativedelta import relativedelta
from procmem import peak_rss_mib, reset_peak_rss

import odoo
from odoo import fields
from odoo.tools import SQL

REPEAT = int(os.environ.get("CRM_BENCH_REPEAT", "3"))
# CRM_BENCH_ONLY="1.,3." measures only the rows whose name starts with one of these prefixes
ONLY = tuple(p for p in os.environ.get("CRM_BENCH_ONLY", "").split(",") if p)


def wanted(*rows):
    """Whether any of these rows (by number: 7 for 7 and 7b) is measured; the untimed setup of the rows that
    CRM_BENCH_ONLY leaves out is skipped too (rows 14-17 alone do not recompute RFM, lifecycle and CLV first)."""
    numbers = {re.match(r"\d*", prefix).group() for prefix in ONLY}
    return not ONLY or any(str(row) in numbers for row in rows)


cr = env.cr
company = env.company


TOUCHED = (
    "crm_churn_risk, crm_rfm_score, crm_rfm_snapshot, crm_sales_fact, res_partner, crm_lifecycle_history, "
    "crm_loyalty_entry, crm_loyalty_allocation, crm_loyalty_membership, crm_rule_segment_partner_rel, account_move, "
    "account_move_line"
)


def vacuum():
    """Clear the dead rows a rolled-back run leaves behind and refresh the planner statistics (autovacuum
    does both between two nightly runs): each run meets the database as production has it, not strewn
    with the previous run's dead tuples. Not timed."""
    with odoo.sql_db.db_connect(cr.dbname).cursor() as vcr:
        vcr._cnx.autocommit = True
        try:
            vcr.execute(f"VACUUM ANALYZE {TOUCHED}")
        finally:
            vcr._cnx.autocommit = False


def run(fn, setup=None, heap=False):
    """(seconds, queries, heap peak MiB, peak RSS MiB, value) of one call of fn, rolled back.
    ``setup`` runs first in the same transaction, outside the measure. The Python heap is traced only
    with ``heap`` (tracemalloc slows every allocation down: timed runs go without it)."""
    env.invalidate_all()
    if setup:
        setup()
        env.flush_all()
        env.invalidate_all()
    reset_peak_rss()
    if heap:
        tracemalloc.start()
    queries = cr.sql_log_count
    start = time.perf_counter()
    value = fn()
    env.flush_all()
    seconds = time.perf_counter() - start
    queries = cr.sql_log_count - queries
    peak = 0.0
    if heap:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    rss = peak_rss_mib()
    cr.rollback()
    vacuum()
    return seconds, queries, peak, rss, value


def measure(name, fn, bound=None, target=None, note="", setup=None):
    if ONLY and not name.startswith(ONLY):
        return None
    runs = [run(fn, setup) for _ in range(REPEAT)]
    times = [r[0] for r in runs]
    result = {
        "name": name,
        "median_s": statistics.median(times),
        "spread_s": max(times) - min(times),
        "queries": runs[-1][1],
        "heap_mib": run(fn, setup, heap=True)[2],
        "rss_mib": max(r[3] for r in runs),
        "note": note,
    }
    if bound:
        bound_runs = [run(bound) for _ in range(REPEAT)]
        result["bound_s"] = statistics.median(r[0] for r in bound_runs)
        result["bound_heap_mib"] = run(bound, heap=True)[2]
        result["bound_rss_mib"] = max(r[3] for r in bound_runs)
        result["ratio"] = result["median_s"] / result["bound_s"] if result["bound_s"] else None
        result["target"] = target
    print("RESULT " + json.dumps(result), flush=True)
    return runs[-1][4]


def bare_rfm_aggregate():
    """What the daily sales facts buy: recency, frequency and monetary of every customer of the company over
    the window in one aggregate straight over the raw invoices (no facts). Printed as its own row."""
    cr.execute(
        SQL(
            """SELECT commercial_partner_id, MAX(invoice_date), COUNT(*), SUM(amount_untaxed_signed)
             FROM account_move
            WHERE company_id = %s AND state = 'posted' AND move_type IN ('out_invoice', 'out_refund')
              AND invoice_date > CURRENT_DATE - INTERVAL '24 months'
         GROUP BY commercial_partner_id""",
            company.id,
        )
    )
    return len(cr.fetchall())


def bare_facts_aggregate(companies=None, window=True):
    """The lower bound of 1 and 2: the bare aggregate over the daily sales facts the runs read (recency,
    frequency, monetary per customer), nothing else: RFM reads the company's rows over its window, the
    lifecycle every row of the user's companies up to today (lost and won-back look at the whole history)."""
    companies = companies or company
    date_from = fields.Date.today() - relativedelta(months=company.rfm_window_months) if window else None
    cr.execute(
        SQL(
            """SELECT partner_id, MAX(date), SUM(invoice_count), SUM(net_revenue)
             FROM crm_sales_fact
            WHERE company_id = ANY(%s) AND date > %s AND date <= %s
         GROUP BY partner_id""",
            companies.ids,
            date_from or date(1, 1, 1),
            fields.Date.today(),
        )
    )
    return len(cr.fetchall())


def bare_lifecycle_aggregate():
    return bare_facts_aggregate(env.companies, window=False)


Score = env["crm.rfm.score"]
Partner = env["res.partner"]

# 1. RFM + value classes for all customers: the nightly recompute the day after a first one (committed),
# and a first run writing every customer's row and snapshot
today = fields.Date.today()
day1, day2 = today, today + timedelta(days=1)
if day2.month != day1.month:  # stay in one month: the month's first run writes every snapshot
    day1, day2 = today - timedelta(days=1), today


def clear_scores():
    cr.execute(SQL("DELETE FROM crm_rfm_score WHERE company_id = %s", company.id))
    cr.execute(SQL("DELETE FROM crm_rfm_snapshot WHERE company_id = %s", company.id))


measure(
    "1. RFM + value classes, first run (every customer written)",
    lambda: Score._recompute(company, today=day1),
    bare_facts_aggregate,
    3,
    "from the daily sales facts; every score and snapshot row written",
    setup=clear_scores,
)
if wanted(1):
    Score._recompute(company, today=day1)
    env.cr.commit()
    vacuum()
measure(
    "1. RFM + value classes, nightly recompute (all customers, next day)",
    lambda: Score._recompute(company, today=day2),
    bare_facts_aggregate,
    1.2,
    "one statement per company from the daily sales facts; only the rows that changed are written",
)


# what the facts buy: the same recency, frequency and monetary straight from the raw invoices
measure("1. bare SQL RFM over the raw invoices (no facts)", bare_rfm_aggregate)


# 2. lifecycle stages for all customers: the first evaluation moves every customer (from no stage),
# the daily one runs the next day on the committed result of the first (the nightly cron's real work)
def clear_stages():
    cr.execute("UPDATE res_partner SET lifecycle_stage_id = NULL, lifecycle_stage_date = NULL")
    cr.execute("DELETE FROM crm_lifecycle_history")


measure(
    "2. Lifecycle stage evaluation, first run (every customer moves)",
    lambda: len(Partner.sudo()._evaluate_lifecycle()),
    bare_lifecycle_aggregate,
    None,
    setup=clear_stages,
)
if wanted(2):
    clear_stages()
    Partner.sudo()._evaluate_lifecycle()
    env.cr.commit()
    vacuum()
tomorrow = fields.Date.today() + timedelta(days=1)
measure(
    "2. Lifecycle stage evaluation, daily run (next day)",
    lambda: len(Partner.sudo()._evaluate_lifecycle(today=tomorrow)),
    bare_lifecycle_aggregate,
    1.3,
)


# 3. BG/NBD + Gamma-Gamma
def clear_predictions():
    cr.execute(
        SQL(
            """UPDATE crm_rfm_score SET prob_alive = NULL, expected_purchases_12m = NULL, clv_12m = NULL,
                      one_time_buyer = NULL, predicted_at = NULL, clv_horizon_months = NULL, clv_discount_rate = NULL
                WHERE company_id = %s""",
            company.id,
        )
    )


# the first prediction writes every score's buying rhythm and predictions; the nightly refit, the day after
# a committed one, every prediction (they move with the customers' age) and the few rhythms that changed
measure(
    "3. BG/NBD + Gamma-Gamma fit and scoring, first prediction",
    lambda: Score._fit_clv(company),
    setup=clear_predictions,
)
if wanted(3):
    Score._fit_clv(company)
    env.cr.commit()
    vacuum()
measure(
    "3. BG/NBD + Gamma-Gamma fit and scoring, nightly refit (next day)",
    lambda: Score._fit_clv(company, today=tomorrow),
    note="every customer's predictions rewritten",
)

# 6. 360 view: a heavy and a light customer
if wanted(6):
    cr.execute(
        SQL("""SELECT commercial_partner_id, COUNT(*) FROM account_move WHERE name LIKE 'BENCH/%%'
                      GROUP BY 1 ORDER BY 2 DESC""")
    )
    counts = cr.fetchall()
    heavy, light = counts[0], counts[-1]
    fields_360 = [f for f in Partner._fields if f.startswith("crm360_")]
    for label, (pid, n) in (("heavy", heavy), ("light", light)):
        measure(
            f"6. 360 view, customer with {n} invoices ({label})", lambda pid=pid: Partner.browse(pid).read(fields_360)
        )

# 7. XLSX: profitability rows vs a bare xlsxwriter write of the same rows
if wanted(7):
    Export = env["crm.accounting.export"]
    wizard = Export.create({"company_id": company.id, "date_from": "2023-01-01", "date_to": fields.Date.today()})
    env.cr.commit()
    rows = list(wizard._profit_rows("customer"))

    def bare_xlsx(rows):
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": False})
        sheet = book.add_worksheet()
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values):
                sheet.write(r, c, float(value) if c else str(value))
        book.close()
        return len(buffer.getvalue())

    def our_sheet(rows):
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": False})
        fmt = {
            k: book.add_format({})
            for k in ("header", "money", "points", "date", "total_label", "total_money", "total_points")
        }
        fmt["text"] = None
        wizard._sheet(book, fmt, "Profitability", wizard._profit_columns("Customer"), rows)
        book.close()
        return len(buffer.getvalue())

    # the writer alone (rows already fetched), then the export as users run it: query + writer, against the
    # same query + a bare write
    measure(
        f"7. XLSX profitability sheet writer ({len(rows)} rows)", lambda: our_sheet(rows), lambda: bare_xlsx(rows), 1.5
    )
    measure(
        f"7. XLSX profitability sheet, query included ({len(rows)} rows)",
        lambda: our_sheet(wizard._profit_rows("customer")),
        lambda: bare_xlsx(list(wizard._profit_rows("customer"))),
        1.5,
    )
    measure("7b. Whole accounting workbook (11 sheets: whale curve and auditor pack included)", wizard._build_workbook)

# 8. rule segment over every partner
if wanted(8):
    segment = env["crm.rule.segment"].create(
        {
            "name": "Bench segment",
            "domain": "[('customer_rank', '>', 0)]",
        }
    )
    env.cr.commit()
    measure("8. Rule segment refresh (domain over all partners)", segment.action_refresh)

# 5. loyalty expiry cron
measure("5. Loyalty expiry cron (all members)", lambda: env["crm.loyalty.membership"]._cron_expire_points())


# 5b. loyalty liability accrual: one day carrying every ledger entry of the biggest program
def accrue_one_day():
    cr.execute(
        SQL(
            "SELECT program_id, COUNT(*) FROM crm_loyalty_entry e JOIN crm_loyalty_program p ON p.id = e.program_id"
            " WHERE p.company_id = %s GROUP BY program_id ORDER BY 2 DESC LIMIT 1",
            company.id,
        )
    )
    program_id, _count = cr.fetchone()
    program = env["crm.loyalty.program"].browse(program_id)
    Account = env["account.account"]
    program.write(
        {
            "liability_accounting": True,
            "liability_journal_id": env["account.journal"]
            .search([("type", "=", "general"), ("company_id", "=", company.id)], limit=1)
            .id,
            "loyalty_expense_account_id": Account.create(
                {"name": "Bench loyalty expense", "code": "BENCH61", "account_type": "expense"}
            ).id,
            "loyalty_liability_account_id": Account.create(
                {"name": "Bench loyalty liability", "code": "BENCH21", "account_type": "liability_current"}
            ).id,
            "loyalty_breakage_account_id": Account.create(
                {"name": "Bench breakage", "code": "BENCH71", "account_type": "income_other"}
            ).id,
        }
    )
    day = fields.Date.today() - timedelta(days=1)
    cr.execute(SQL("UPDATE crm_loyalty_entry SET date = %s WHERE program_id = %s", day, program.id))
    env.invalidate_all()
    accruals = env["crm.loyalty.accrual"]._accrue(program)
    assert len(accruals) == 1 and accruals.move_id.state == "posted"
    return len(accruals.entry_ids)


cr.execute(SQL("SELECT COUNT(*) FROM crm_loyalty_entry"))
measure(f"5b. Liability accrual, one day of {cr.fetchone()[0]} ledger entries (setup included)", accrue_one_day)

# 9. the Customer Relations overview: the data of its first paint (the one RPC the client action makes), for
# the company with the most customers (the browser's part: bench/RESULTS.md, section of 2026-11-30 b)
if "crm.dashboard" in env:
    cr.execute("SELECT company_id FROM crm_rfm_score GROUP BY company_id ORDER BY COUNT(*) DESC LIMIT 1")
    overview_company = env["res.company"].browse(cr.fetchone()[0])
    measure(
        f"9. Customer Relations overview data ({overview_company.name})",
        lambda: env["crm.dashboard"].with_company(overview_company).get_overview(),
    )

# 14. churn early warning (crm_retention): the daily risk of every active customer of the company, a first run
# inserting every row, then the daily run the day after (every row updated: each customer's signals read again)
if "crm.churn.risk" in env:
    Risk = env["crm.churn.risk"]

    def clear_risks():
        cr.execute(SQL("DELETE FROM crm_churn_risk WHERE company_id = %s", company.id))

    measure(
        "14. Churn risks, first computation (every active customer)",
        lambda: Risk._compute_risks(company),
        setup=clear_risks,
    )
    # the day after: today's rows committed as yesterday's (not in the measured transaction: rows written by
    # the transaction that updates them again have their foreign keys checked again and leave no room for an
    # update in place, which the nightly job, a day later, does not meet)
    Risk._compute_risks(company)
    cr.execute(SQL("UPDATE crm_churn_risk SET date = %s WHERE company_id = %s", today - timedelta(days=1), company.id))
    env.cr.commit()
    vacuum()
    cr.execute(SQL("SELECT COUNT(*) FROM crm_churn_risk WHERE company_id = %s", company.id))
    measure(
        f"14b. Churn risks, daily computation the day after ({cr.fetchone()[0]} customers)",
        lambda: Risk._compute_risks(company),
    )

# 15. cost to serve (crm_erp_bridge): the service costs refreshed for one batch of the figures queue (1,000
# customers: their tickets, deliveries, returns and late payments read again), and for the whole company after
# a change of rate; the rates and the tickets' time are set first (the generated data has none), not timed
if "ticket_handling_cost" in env["crm.sales.fact"]._fields:
    Fact = env["crm.sales.fact"]

    def price_service():
        company.write(
            {"crm_ticket_hourly_cost": 40, "crm_shipment_cost": 8, "crm_return_cost": 15, "crm_cost_of_capital": 10}
        )
        cr.execute(SQL("UPDATE crm_feedback_ticket SET time_spent = 1.5 WHERE company_id = %s", company.id))

    cr.execute(
        SQL(
            "SELECT partner_id FROM crm_sales_fact WHERE company_id = %s GROUP BY partner_id ORDER BY partner_id"
            " LIMIT 1000",
            company.id,
        )
    )
    queue_batch = env["res.partner"].browse([row[0] for row in cr.fetchall()])
    measure(
        f"15. Cost to serve refresh, one queue batch ({len(queue_batch)} customers)",
        lambda: Fact._refresh_service_costs(partners=queue_batch),
        setup=price_service,
    )
    measure(
        "15b. Cost to serve refresh, whole company (a rate changed)",
        lambda: Fact._refresh_service_costs(companies=company),
        setup=price_service,
    )

    # 16. the whale curve of the company over its whole history: every customer ranked, one statement (the
    # service costs computed first, not timed)
    def price_and_refresh():
        price_service()
        Fact._refresh_service_costs(companies=company)

    measure(
        "16. Whale curve, every customer of the company (points and reading)",
        lambda: len(env["crm.whale.curve"]._whale_curve(company)["points"]),
        setup=price_and_refresh,
    )
    # what the menu computes before the list and graph open: the reading in the window's title
    measure(
        "16b. Whale curve menu opened (the reading of every customer ranked)",
        lambda: env["crm.whale.curve"].with_company(company).action_open_whale_curve()["display_name"],
        setup=price_and_refresh,
    )

# 17. does the loyalty program pay? (crm_erp_bridge): members matched with non-members over 3/6/12 months,
# bootstrap intervals. The generated members are enrolled today: first, not timed, they are enrolled over the
# six months ending 13 months ago (their 12 months are over) and every customer's latest RFM cell is copied
# into the months before those enrolment months (the generated data has one snapshot month).
if "crm.loyalty.uplift.report" in env:
    uplift_end = today - relativedelta(months=13)
    uplift_months = (
        (uplift_end - timedelta(days=180)).replace(day=1) - relativedelta(months=1),
        uplift_end.replace(day=1) - relativedelta(months=1),
    )

    def enrol_in_the_past():
        cr.execute(
            SQL(
                "UPDATE crm_loyalty_membership SET enroll_date = %s::date - MOD(id, 180) WHERE company_id = %s",
                uplift_end,
                company.id,
            )
        )
        cr.execute(
            SQL(
                """INSERT INTO crm_rfm_snapshot (partner_id, company_id, month, rfm_code)
                   SELECT s.partner_id, s.company_id, m.month::date, s.rfm_code
                     FROM (SELECT DISTINCT ON (partner_id) partner_id, company_id, rfm_code FROM crm_rfm_snapshot
                            WHERE company_id = %s ORDER BY partner_id, month DESC) s
               CROSS JOIN generate_series(%s::date, %s::date, INTERVAL '1 month') AS m(month)
              ON CONFLICT DO NOTHING""",
                company.id,
                *uplift_months,
            )
        )

    measure(
        "17. Loyalty uplift, every member of the company matched (3/6/12 months, by tier and bonus kind)",
        lambda: len(env["crm.loyalty.uplift.report"]._loyalty_uplift(company, today)),
        setup=enrol_in_the_past,
    )

# 18. CLV on contribution (crm_erp_bridge): every predicted customer of the company against the cost to serve
# them over the CLV horizon (service costs priced and refreshed first, the predictions made when row 3 did not,
# not timed), grouped by acquisition quarter and RFM segment as the report's pivot reads it, and per customer
# as the API gives it
if "crm.clv.contribution" in env:
    ClvReport = env["crm.clv.contribution"]

    def price_and_predict():
        if "ticket_handling_cost" in env["crm.sales.fact"]._fields:
            company.write(
                {"crm_ticket_hourly_cost": 40, "crm_shipment_cost": 8, "crm_return_cost": 15, "crm_cost_of_capital": 10}
            )
            cr.execute(SQL("UPDATE crm_feedback_ticket SET time_spent = 1.5 WHERE company_id = %s", company.id))
            env["crm.sales.fact"]._refresh_service_costs(companies=company)
        if not wanted(3) and "clv_parameters" in company._fields:
            Score._fit_clv(company)

    measure(
        "18. CLV on contribution by acquisition quarter and RFM segment (every predicted customer)",
        lambda: len(ClvReport._clv_contribution_groups(company, cohort="quarter", by="segment_id")),
        setup=price_and_predict,
    )
    measure(
        "18b. CLV : cost to serve per customer, every predicted customer of the company",
        lambda: len(env.execute_query(ClvReport._clv_contribution_sql(companies=company))),
        setup=price_and_predict,
    )
