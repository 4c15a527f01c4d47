"""Measurement 4: posting N customer invoices in one batch (``action_post``), run inside `odoo-bin shell`
by bench/bench.sh on the benchmark database and on a copy of it with our four addons uninstalled (the
same customers, invoices and journals: the only difference is our code). N new customers get two-line
invoices, created first (not timed; with our addons they are all loyalty members, so that every
invoice earns points: the worst case); each of CRM_BENCH_REPEAT runs posts them all inside a savepoint
rolled back afterwards, and nothing is committed. With CRM_BENCH_BOUND_S (the vanilla median) the
result carries the overhead ratio. Prints one RESULT JSON line.
"""

import json
import os
import statistics
import time

from procmem import peak_rss_mib, reset_peak_rss

from odoo import Command, fields
from odoo.tools import SQL

N = int(os.environ.get("CRM_BENCH_INVOICES", "1000"))
REPEAT = int(os.environ.get("CRM_BENCH_REPEAT", "3"))
LABEL = os.environ.get("CRM_BENCH_LABEL", "")
BOUND = os.environ.get("CRM_BENCH_BOUND_S")
cr = env.cr

product = env["product.product"].create({"name": "Bench posting product", "list_price": 100.0, "taxes_id": False})
partners = env["res.partner"].create([{"name": f"Bench posting customer {i}"} for i in range(N)])
moves = env["account.move"].create(
    [
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": fields.Date.today(),
            "invoice_line_ids": [
                Command.create({"product_id": product.id, "quantity": 1, "price_unit": 100.0, "tax_ids": False}),
                Command.create({"product_id": product.id, "quantity": 2, "price_unit": 50.0, "tax_ids": False}),
            ],
        }
        for partner in partners
    ]
)
if "crm.loyalty.program" in env:
    # the worst case for our code: every customer is a member and earns points on each invoice
    program = env["crm.loyalty.program"].search([("company_id", "=", env.company.id)], limit=1)
    env["crm.loyalty.membership"].create([{"partner_id": p.id, "program_id": program.id} for p in partners])
env.flush_all()
times, queries, rss = [], 0, 0.0
for _run in range(REPEAT):
    reset_peak_rss()
    cr.execute(SQL("SAVEPOINT bench_posting"))
    env.invalidate_all()
    before = cr.sql_log_count
    start = time.perf_counter()
    moves.action_post()
    env.flush_all()
    times.append(time.perf_counter() - start)
    rss = max(rss, peak_rss_mib())
    queries = cr.sql_log_count - before
    assert set(moves.mapped("state")) == {"posted"}
    if "crm.loyalty.entry" in env:
        earned = env["crm.loyalty.entry"].search_count([("move_id", "in", moves.ids), ("entry_type", "=", "earn")])
        assert earned == N, f"{earned} of {N} invoices earned points"
    cr.execute(SQL("ROLLBACK TO SAVEPOINT bench_posting"))
    env.invalidate_all()
cr.rollback()

result = {
    "name": f"4. Posting {N} invoices in one batch ({LABEL})",
    "median_s": statistics.median(times),
    "spread_s": max(times) - min(times),
    "queries": queries,
    "heap_mib": 0.0,
    "rss_mib": rss,
    "note": "",
}
if BOUND:
    result.update(bound_s=float(BOUND), ratio=statistics.median(times) / float(BOUND), target=1.15)
print("RESULT " + json.dumps(result), flush=True)
