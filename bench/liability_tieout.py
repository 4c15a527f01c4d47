"""Loyalty liability at merchant scale under both methods: every day of the benchmark's ledger (three years of
generated earns, redemptions, credit notes and expiries of the biggest program) accrued by the daily run's
code, then the monthly tie-out (``crm.loyalty.program._liability_tie_out``): the liability computed from the
ledger (and, under deferred revenue, the estimates) against the GL at every month end. Run inside
`odoo-bin shell` on the benchmark database (everything rolled back):

    . scripts/lib.sh; load_db_env
    "$PY" "$ODOO_SRC/odoo-bin" shell -c "$LOCAL_CONF" -d crm_bench_1 --no-http --log-level=warn \
        < bench/liability_tieout.py | grep '^TIEOUT '
"""

import json
import time

from odoo import fields
from odoo.tools import SQL

cr = env.cr
company = env.company
cr.execute(
    SQL(
        "SELECT program_id, COUNT(*), MIN(date), MAX(date) FROM crm_loyalty_entry e"
        " JOIN crm_loyalty_program p ON p.id = e.program_id WHERE p.company_id = %s"
        " GROUP BY program_id ORDER BY 2 DESC LIMIT 1",
        company.id,
    )
)
program_id, entries, first_day, last_day = cr.fetchone()
program = env["crm.loyalty.program"].browse(program_id)
Account = env["account.account"]


def account(code, name, account_type):
    return Account.create({"name": name, "code": code, "account_type": account_type}).id


accounts = {
    "liability_journal_id": env["account.journal"]
    .search([("type", "=", "general"), ("company_id", "=", company.id)], limit=1)
    .id,
    "loyalty_expense_account_id": account("BENCH61", "Bench loyalty expense", "expense"),
    "loyalty_liability_account_id": account("BENCH21", "Bench loyalty liability", "liability_current"),
    "loyalty_breakage_account_id": account("BENCH71", "Bench breakage", "income_other"),
    "loyalty_contract_liability_account_id": account("BENCH22", "Bench contract liability", "liability_current"),
    "loyalty_revenue_account_id": account("BENCH41", "Bench loyalty revenue", "income"),
}
today = fields.Date.context_today(program)
for method in ("provision", "deferred"):
    cr.execute("SAVEPOINT tieout")
    vals = dict(accounts, liability_accounting=True, liability_method=method)
    program.with_context(breakage_reason="bench").write(dict(vals, expected_redemption_rate=0.9))
    start = time.perf_counter()
    accruals = env["crm.loyalty.accrual"]._accrue(program, include_today=True)
    accrue_s = time.perf_counter() - start
    start = time.perf_counter()
    rows = program._liability_tie_out(first_day, today)
    tieout_s = time.perf_counter() - start
    worst = max(rows, key=lambda row: abs(row["difference"]))
    result = {
        "method": method,
        "program_entries": entries,
        "days": (last_day - first_day).days + 1,
        "accruals": len(accruals),
        "accrue_s": round(accrue_s, 1),
        "month_ends": len(rows),
        "tieout_s": round(tieout_s, 1),
        "month_ends_with_difference": sum(1 for row in rows if row["difference"]),
        "largest_difference": worst["difference"],
        "liability_at_end": rows[-1]["liability"],
        "gl_at_end": rows[-1]["gl_balance"],
    }
    print("TIEOUT " + json.dumps(result, default=str), flush=True)
    cr.execute("ROLLBACK TO SAVEPOINT tieout")
    env.invalidate_all()
cr.rollback()
