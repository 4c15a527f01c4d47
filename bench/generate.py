"""Benchmark data generator, run inside `odoo-bin shell` (``env`` is given) by bench/bench.sh.

Deterministic (PostgreSQL ``setseed``) and fast: customers, posted customer invoices and credit notes are
written with batched set-based SQL (``INSERT ... SELECT generate_series``), not through the ORM, because
creating and posting millions of lines one by one takes hours. The rows are still valid Odoo data for
everything our addons read:
- every move is balanced (product lines credit income, one receivable line debits the total);
- the stored fields the ORM would compute are written with their final values (commercial partner,
  amounts untaxed/total/residual signed, parent_state, payment_state, move_name, complete_name);
- sequences (``name``) are unique per journal with their own prefix BENCH/, so they never collide
  with Odoo's numbering; taxes are left out (untaxed sales), which changes no figure we compute.
Loyalty members and their ledger are created through the ORM (their FIFO allocation is real logic).

Scale 1.0 = 100,000 customers, 2,000,000 invoice lines over 3 years (~3 % credit notes),
50,000 loyalty members; CRM_BENCH_SCALE=0.02 (the default) is a quick run.
"""

import os
import time

from odoo.tools import SQL

scale = float(os.environ.get("CRM_BENCH_SCALE", "0.02"))
n_customers = max(200, int(100_000 * scale))
n_lines = max(4_000, int(2_000_000 * scale))
lines_per_move = 4
n_moves = n_lines // lines_per_move
n_members = max(100, int(50_000 * scale))
started = time.time()
cr = env.cr
company = env.company
Journal = env["account.journal"]
journal = Journal.search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
income = journal.default_account_id
receivable = env["account.account"].search(
    [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)], limit=1
)
products = env["product.product"].create(
    [
        {"name": f"Bench Product {i}", "type": "consu", "list_price": 10 + i, "standard_price": 6 + i * 0.5}
        for i in range(50)
    ]
)
cr.execute("SELECT setseed(0.42)")

# ---- customers: a heavy tail of spend comes from picking partners with a skewed distribution below
cr.execute(
    SQL(
        """
    INSERT INTO res_partner (name, complete_name, is_company, active, customer_rank, supplier_rank, type, lang,
                             autopost_bills, partner_share, email, birthday, create_date, write_date)
    SELECT 'Bench Customer ' || g, 'Bench Customer ' || g, TRUE, TRUE, 1, 0, 'contact', 'en_US',
           'ask', TRUE, 'bench' || g || '@example.com',
           DATE '1960-01-01' + (random() * 15000)::int, NOW(), NOW()
      FROM generate_series(1, %s) g
    RETURNING id
    """,
        n_customers,
    )
)
partner_ids = [row[0] for row in cr.fetchall()]
cr.execute(SQL("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", partner_ids))

# ---- moves: dates over 3 years with a December peak; partner index ~ U^2.5 (a few big buyers)
cr.execute(
    SQL(
        """
    CREATE TEMP TABLE bench_move AS
    SELECT g AS n,
           (%(partners)s::int[])[1 + floor(%(nc)s * power(random(), 2.5))::int] AS partner_id,
           CASE WHEN random() < 0.03 THEN 'out_refund' ELSE 'out_invoice' END AS move_type,
           CASE WHEN random() < 0.15
                THEN make_date(2024 + floor(random() * 3)::int, 12, 1 + floor(random() * 28)::int)
                ELSE CURRENT_DATE - (1 + floor(random() * 1095))::int END AS day,
           round((exp(random() * 4) * 15)::numeric, 2) AS unit
      FROM generate_series(1, %(moves)s) g
    """,
        partners=partner_ids,
        nc=n_customers,
        moves=n_moves,
    )
)
cr.execute("UPDATE bench_move SET day = LEAST(day, CURRENT_DATE)")
cr.execute(
    SQL(
        """
    INSERT INTO account_move (name, move_type, state, date, invoice_date, invoice_date_due, journal_id, company_id,
                              currency_id, partner_id, commercial_partner_id, amount_untaxed, amount_tax,
                              amount_total, amount_residual, amount_untaxed_signed, amount_untaxed_in_currency_signed,
                              amount_tax_signed, amount_total_signed, amount_total_in_currency_signed,
                              amount_residual_signed, payment_state, auto_post, sequence_prefix, sequence_number,
                              invoice_currency_rate, create_date, write_date)
    SELECT 'BENCH/' || b.n, b.move_type, 'posted', b.day, b.day, b.day + 30, %(journal)s, %(company)s,
           %(currency)s, b.partner_id, b.partner_id, 4 * b.unit, 0, 4 * b.unit, 4 * b.unit,
           s.sign * 4 * b.unit, s.sign * 4 * b.unit, 0, s.sign * 4 * b.unit, s.sign * 4 * b.unit,
           s.sign * 4 * b.unit, 'not_paid', 'no', 'BENCH/', b.n, 1, NOW(), NOW()
      FROM bench_move b
     CROSS JOIN LATERAL (SELECT CASE WHEN b.move_type = 'out_invoice' THEN 1 ELSE -1 END AS sign) s
    """,
        journal=journal.id,
        company=company.id,
        currency=company.currency_id.id,
    )
)
cr.execute("""CREATE TEMP TABLE bench_ids AS
              SELECT m.id AS move_id, b.* FROM account_move m JOIN bench_move b ON m.name = 'BENCH/' || b.n""")
product_ids = products.ids
cr.execute(
    SQL(
        """
    INSERT INTO account_move_line (move_id, move_name, date, invoice_date, parent_state, journal_id, company_id,
                                   company_currency_id, currency_id, account_id, partner_id, display_type, name,
                                   balance, debit, credit, amount_currency, amount_residual,
                                   amount_residual_currency, quantity, price_unit, price_subtotal, price_total,
                                   product_id, reconciled, sequence, create_date, write_date)
    SELECT b.move_id, 'BENCH/' || b.n, b.day, b.day, 'posted', %(journal)s, %(company)s, %(currency)s, %(currency)s,
           %(income)s, b.partner_id, 'product', 'Bench line',
           -s.sign * b.unit, GREATEST(-s.sign * b.unit, 0), GREATEST(s.sign * b.unit, 0), -s.sign * b.unit, 0, 0,
           1, b.unit, b.unit, b.unit, (%(products)s::int[])[1 + MOD(b.n * 7 + l, 50)], FALSE, 10 + l, NOW(), NOW()
      FROM bench_ids b
     CROSS JOIN generate_series(1, 4) l
     CROSS JOIN LATERAL (SELECT CASE WHEN b.move_type = 'out_invoice' THEN 1 ELSE -1 END AS sign) s
    UNION ALL
    SELECT b.move_id, 'BENCH/' || b.n, b.day, b.day, 'posted', %(journal)s, %(company)s, %(currency)s, %(currency)s,
           %(receivable)s, b.partner_id, 'payment_term', 'BENCH/' || b.n,
           s.sign * 4 * b.unit, GREATEST(s.sign * 4 * b.unit, 0), GREATEST(-s.sign * 4 * b.unit, 0),
           s.sign * 4 * b.unit, s.sign * 4 * b.unit, s.sign * 4 * b.unit, 0, 0, 0, 0, NULL, FALSE, 100, NOW(), NOW()
      FROM bench_ids b
     CROSS JOIN LATERAL (SELECT CASE WHEN b.move_type = 'out_invoice' THEN 1 ELSE -1 END AS sign) s
    """,
        journal=journal.id,
        company=company.id,
        currency=company.currency_id.id,
        income=income.id,
        receivable=receivable.id,
        products=product_ids,
    )
)
cr.execute("SELECT SUM(balance) FROM account_move_line WHERE move_name LIKE 'BENCH/%%'")
assert abs(cr.fetchone()[0] or 0) < 0.01, "unbalanced benchmark entries"

# ---- loyalty: members with an earn history through the ORM (real FIFO allocation)
program = env["crm.loyalty.program"].create(
    {
        "name": "Bench Club",
        "company_id": company.id,
        "point_value": 0.01,
        "validity_months": 12,
    }
)
members = env["crm.loyalty.membership"].create(
    [{"partner_id": pid, "program_id": program.id} for pid in partner_ids[:n_members]]
)
entries = []
for i, member in enumerate(members):
    for k in range(4):
        entries.append(
            {
                "membership_id": member.id,
                "entry_type": "earn",
                "points": 50 + (i * 13 + k * 7) % 400,
                "date": f"2026-{1 + (i + k) % 10:02d}-{1 + (i * 3 + k) % 28:02d}",
                "expiry_date": f"2026-{1 + (i + k) % 12:02d}-{1 + (i * 3 + k) % 28:02d}",
            }
        )
for start in range(0, len(entries), 5000):
    env["crm.loyalty.entry"].create(entries[start : start + 5000])
env.cr.commit()
print(
    f"GENERATED customers={n_customers} moves={n_moves} lines={n_moves * 5} "
    f"members={n_members} ledger={len(entries)} seconds={time.time() - started:.1f}"
)
