"""Benchmark data generator, run inside `odoo-bin shell` (``env`` is given) by bench/bench.sh.

Deterministic (PostgreSQL ``setseed``, Python-side values derived from row numbers) and fast: customers,
contacts, posted customer invoices and credit notes, sale orders with their deliveries, returns and
valuation layers are written with batched set-based SQL (``INSERT ... SELECT generate_series``), not
through the ORM, because creating and posting millions of lines one by one takes hours. The rows are
still valid Odoo data for everything our addons and Odoo's reports read:
- every journal entry is balanced (product lines credit income, one receivable line debits the total),
  in the journal and accounts of its own company;
- the stored fields the ORM would compute are written with their final values (commercial partner,
  amounts untaxed/total/residual signed, parent_state, payment_state, move_name, complete_name,
  quantities delivered and invoiced, the invoice-line / order-line links, valuation quantity and value,
  the on-hand quants of the returned goods);
- sequences (``name``) are unique per journal with their own prefix BENCH/, so they never collide with
  Odoo's numbering; taxes are left out (untaxed sales), which changes no figure we compute.
The records with real business logic go through the ORM in batches: companies and their chart of
accounts, salespeople, products, loyalty members and their ledger (FIFO allocation is real logic) and
feedback tickets (sequence, SLA, sentiment); only their dates are moved into the past afterwards.

Scale 1.0 = 100,000 customers in two companies, 2,000,000 invoice lines over 3 years (~3 % credit
notes), 50,000 loyalty members, 20,000 feedback tickets; CRM_BENCH_SCALE=0.02 (the default) is a quick run.
"""

import os
import time
from datetime import timedelta

from odoo import fields
from odoo.tools import SQL

scale = float(os.environ.get("CRM_BENCH_SCALE", "0.02"))
n_customers = max(200, int(100_000 * scale))
n_lines = max(4_000, int(2_000_000 * scale))
lines_per_move = 4
n_moves = n_lines // lines_per_move
n_members = max(100, int(50_000 * scale))
n_tickets = max(100, int(20_000 * scale))
started = time.time()
timings = {}


def step(label):
    timings[label] = round(time.time() - started - sum(timings.values()), 1)


cr = env.cr
env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True, mail_notrack=True))
company = env.company
today = fields.Date.today()

# ---- a second company with its own chart of accounts; the journals and accounts each company posts to
company_b = env["res.company"].create({"name": "Bench Company B", "currency_id": company.currency_id.id})
env["account.chart.template"].try_loading("generic_coa", company_b, install_demo=False)
env.user.company_ids |= company_b
ledgers = []
for comp, share in ((company, 0.85), (company_b, 0.15)):
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", comp.id)], limit=1)
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", comp.id)], limit=1
    )
    ledgers.append((comp.id, share, journal.id, journal.default_account_id.id, receivable.id))
cr.execute("CREATE TEMP TABLE bench_ledger (k int, company_id int, share float, journal_id int, income int, recv int)")
for k, (comp_id, share, journal_id, income_id, recv_id) in enumerate(ledgers):
    cr.execute(
        SQL(
            "INSERT INTO bench_ledger VALUES (%s, %s, %s, %s, %s, %s)",
            k,
            comp_id,
            share,
            journal_id,
            income_id,
            recv_id,
        )
    )

# ---- salespeople (real users) and products: 50 products, the first 10 stocked (deliveries, valuation)
salesman = env.ref("sales_team.group_sale_salesman")
users = (
    env["res.users"]
    .with_context(no_reset_password=True)
    .create(
        [
            {
                "name": f"Bench Salesperson {i}",
                "login": f"bench_sales_{i}",
                "groups_id": [(6, 0, [salesman.id])],
                "company_id": company.id,
                "company_ids": [(6, 0, [company.id, company_b.id])],
            }
            for i in range(10)
        ]
    )
)
products = env["product.product"].create(
    [
        {
            "name": f"Bench Product {i}",
            "type": "consu",
            "is_storable": i < 10,
            "list_price": 10 + i,
            "standard_price": 6 + i * 0.5,
            "taxes_id": False,
        }
        for i in range(50)
    ]
)
uom_unit = env.ref("uom.product_uom_unit").id
env.flush_all()
step("companies, users, products")
cr.execute("SELECT setseed(0.42)")

# ---- customers (companies), a contact person for every third one; a salesperson each
cr.execute(
    SQL(
        """
    INSERT INTO res_partner (name, complete_name, is_company, active, customer_rank, supplier_rank, type, lang,
                             autopost_bills, partner_share, email, birthday, user_id, create_date, write_date)
    SELECT 'Bench Customer ' || g, 'Bench Customer ' || g, TRUE, TRUE, 1, 0, 'contact', 'en_US',
           'ask', TRUE, 'bench' || g || '@example.com',
           DATE '1960-01-01' + (random() * 15000)::int, (%(users)s::int[])[1 + MOD(g, 10)], NOW(), NOW()
      FROM generate_series(1, %(n)s) g
    RETURNING id
    """,
        users=users.ids,
        n=n_customers,
    )
)
partner_ids = [row[0] for row in cr.fetchall()]
cr.execute(SQL("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", partner_ids))
cr.execute(
    SQL(
        """
    INSERT INTO res_partner (name, complete_name, parent_id, commercial_partner_id, is_company, active, customer_rank,
                             supplier_rank, type, lang, autopost_bills, partner_share, email, user_id,
                             create_date, write_date)
    SELECT 'Buyer ' || p.id, p.name || ', Buyer ' || p.id, p.id, p.id, FALSE, TRUE, 0, 0, 'contact', 'en_US',
           'ask', TRUE, 'buyer' || p.id || '@example.com', p.user_id, NOW(), NOW()
      FROM res_partner p WHERE p.id = ANY(%s) AND MOD(p.id, 3) = 0
    """,
        partner_ids,
    )
)
cr.execute(
    SQL(
        "CREATE TEMP TABLE bench_contact AS SELECT parent_id AS customer_id, id AS contact_id FROM res_partner"
        " WHERE parent_id = ANY(%s)",
        partner_ids,
    )
)
step("customers and contacts")

# ---- moves: dates over 3 years with a December peak; partner index ~ U^2.5 (a few big buyers);
# 15 % in the second company; a fifth of the invoices of a customer with a contact are addressed to it
cr.execute(
    SQL(
        """
    CREATE TEMP TABLE bench_move AS
    SELECT g AS n,
           (%(partners)s::int[])[1 + floor(%(nc)s * power(random(), 2.5))::int] AS customer_id,
           CASE WHEN random() < 0.03 THEN 'out_refund' ELSE 'out_invoice' END AS move_type,
           CASE WHEN random() < 0.15
                THEN make_date(EXTRACT(YEAR FROM CURRENT_DATE)::int - floor(random() * 3)::int, 12,
                               1 + floor(random() * 28)::int)
                ELSE CURRENT_DATE - (1 + floor(random() * 1095))::int END AS day,
           round((exp(random() * 4) * 15)::numeric, 2) AS unit,
           CASE WHEN random() < 0.15 THEN 1 ELSE 0 END AS k,
           random() < 0.2 AS to_contact
      FROM generate_series(1, %(moves)s) g
    """,
        partners=partner_ids,
        nc=n_customers,
        moves=n_moves,
    )
)
cr.execute("UPDATE bench_move SET day = LEAST(day, CURRENT_DATE)")
cr.execute("CREATE INDEX ON bench_contact (customer_id); ANALYZE bench_contact; ANALYZE bench_move")
cr.execute(
    """ALTER TABLE bench_move ADD COLUMN partner_id int;
       UPDATE bench_move b SET partner_id = COALESCE(
           CASE WHEN b.to_contact THEN (SELECT c.contact_id FROM bench_contact c WHERE c.customer_id = b.customer_id)
           END, b.customer_id)"""
)
cr.execute(
    SQL(
        """
    INSERT INTO account_move (name, move_type, state, date, invoice_date, invoice_date_due, journal_id, company_id,
                              currency_id, partner_id, commercial_partner_id, invoice_user_id, amount_untaxed,
                              amount_tax, amount_total, amount_residual, amount_untaxed_signed,
                              amount_untaxed_in_currency_signed, amount_tax_signed, amount_total_signed,
                              amount_total_in_currency_signed, amount_residual_signed, payment_state, auto_post,
                              sequence_prefix, sequence_number, invoice_currency_rate, create_date, write_date)
    SELECT 'BENCH/' || b.n, b.move_type, 'posted', b.day, b.day, b.day + 30, l.journal_id, l.company_id,
           %(currency)s, b.partner_id, b.customer_id, p.user_id, 4 * b.unit, 0, 4 * b.unit, 4 * b.unit,
           s.sign * 4 * b.unit, s.sign * 4 * b.unit, 0, s.sign * 4 * b.unit, s.sign * 4 * b.unit,
           s.sign * 4 * b.unit, 'not_paid', 'no', 'BENCH/', b.n, 1, NOW(), NOW()
      FROM bench_move b
      JOIN bench_ledger l ON l.k = b.k
      JOIN res_partner p ON p.id = b.customer_id
     CROSS JOIN LATERAL (SELECT CASE WHEN b.move_type = 'out_invoice' THEN 1 ELSE -1 END AS sign) s
    """,
        currency=company.currency_id.id,
    )
)
cr.execute("""CREATE TEMP TABLE bench_ids AS
              SELECT m.id AS move_id, b.* FROM account_move m JOIN bench_move b ON m.name = 'BENCH/' || b.n""")
cr.execute("ANALYZE bench_ids")  # temporary tables are never analysed by autovacuum: the planner needs it
cr.execute(
    SQL(
        """
    INSERT INTO account_move_line (move_id, move_name, date, invoice_date, parent_state, journal_id, company_id,
                                   company_currency_id, currency_id, account_id, partner_id, display_type, name,
                                   balance, debit, credit, amount_currency, amount_residual,
                                   amount_residual_currency, quantity, price_unit, price_subtotal, price_total,
                                   product_id, product_uom_id, reconciled, sequence, create_date, write_date)
    SELECT b.move_id, 'BENCH/' || b.n, b.day, b.day, 'posted', l.journal_id, l.company_id, %(currency)s, %(currency)s,
           l.income, b.customer_id, 'product', 'Bench line',
           -s.sign * b.unit, GREATEST(-s.sign * b.unit, 0), GREATEST(s.sign * b.unit, 0), -s.sign * b.unit, 0, 0,
           1, b.unit, b.unit, b.unit, (%(products)s::int[])[1 + MOD(b.n * 7 + i, 50)], %(uom)s, FALSE, 10 + i,
           NOW(), NOW()
      FROM bench_ids b
      JOIN bench_ledger l ON l.k = b.k
     CROSS JOIN generate_series(1, 4) i
     CROSS JOIN LATERAL (SELECT CASE WHEN b.move_type = 'out_invoice' THEN 1 ELSE -1 END AS sign) s
    UNION ALL
    SELECT b.move_id, 'BENCH/' || b.n, b.day, b.day, 'posted', l.journal_id, l.company_id, %(currency)s, %(currency)s,
           l.recv, b.customer_id, 'payment_term', 'BENCH/' || b.n,
           s.sign * 4 * b.unit, GREATEST(s.sign * 4 * b.unit, 0), GREATEST(-s.sign * 4 * b.unit, 0),
           s.sign * 4 * b.unit, s.sign * 4 * b.unit, s.sign * 4 * b.unit, 0, 0, 0, 0, NULL, NULL, FALSE, 100,
           NOW(), NOW()
      FROM bench_ids b
      JOIN bench_ledger l ON l.k = b.k
     CROSS JOIN LATERAL (SELECT CASE WHEN b.move_type = 'out_invoice' THEN 1 ELSE -1 END AS sign) s
    """,
        currency=company.currency_id.id,
        products=products.ids,
        uom=uom_unit,
    )
)
cr.execute("SELECT company_id, SUM(balance) FROM account_move_line WHERE move_name LIKE 'BENCH/%%' GROUP BY 1")
assert all(abs(total or 0) < 0.01 for _company, total in cr.fetchall()), "unbalanced benchmark entries"
step("invoices and credit notes")

# ---- stocked sales of the first company: each invoice line of a stocked product was ordered (one sale
# order per invoice) and delivered (one picking per order, a done move and its valuation layer at standard
# cost); 3 % of the delivered lines came back (a return move linked to the order line, a positive layer,
# the goods back on hand). One receipt per product brought in what was delivered.
warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
stock_loc = warehouse.lot_stock_id.id
customer_loc = env.ref("stock.stock_location_customers").id
supplier_loc = env.ref("stock.stock_location_suppliers").id
params = {
    "company": company.id,
    "currency": company.currency_id.id,
    "uom": uom_unit,
    "stock": stock_loc,
    "customer": customer_loc,
    "supplier": supplier_loc,
    "out_type": warehouse.out_type_id.id,
    "in_type": warehouse.in_type_id.id,
    "stocked": products[:10].ids,
}
cr.execute(
    SQL(
        """
    CREATE TEMP TABLE bench_stocked AS
    SELECT b.move_id, b.n, b.customer_id, b.day, aml.id AS aml_id, aml.product_id, aml.price_unit,
           (pp.standard_price ->> %(company)s::text)::numeric AS cost, p.user_id, random() < 0.03 AS returned
      FROM bench_ids b
      JOIN account_move_line aml ON aml.move_id = b.move_id AND aml.display_type = 'product'
      JOIN product_product pp ON pp.id = aml.product_id
      JOIN res_partner p ON p.id = b.customer_id
     WHERE b.k = 0 AND b.move_type = 'out_invoice' AND aml.product_id = ANY(%(stocked)s)
    """,
        **params,
    )
)
cr.execute("ANALYZE bench_stocked")
cr.execute(
    SQL(
        """
    INSERT INTO sale_order (name, partner_id, partner_invoice_id, partner_shipping_id, date_order, picking_policy,
                            state, company_id, currency_id, user_id, warehouse_id, amount_untaxed, amount_tax,
                            amount_total, invoice_status, currency_rate, create_date, write_date)
    SELECT 'BENCH-SO/' || s.n, s.customer_id, s.customer_id, s.customer_id, s.day, 'direct', 'sale', %(company)s,
           %(currency)s, MIN(s.user_id), %(warehouse)s, SUM(s.price_unit), 0, SUM(s.price_unit), 'invoiced', 1,
           NOW(), NOW()
      FROM bench_stocked s GROUP BY s.n, s.customer_id, s.day
    """,
        warehouse=warehouse.id,
        **params,
    )
)
cr.execute(
    SQL(
        """
    CREATE TEMP TABLE bench_sol AS SELECT s.*, so.id AS order_id, nextval('sale_order_line_id_seq') AS sol_id
      FROM bench_stocked s JOIN sale_order so ON so.name = 'BENCH-SO/' || s.n;
    ANALYZE bench_sol;
    INSERT INTO sale_order_line (id, order_id, name, product_id, product_uom_qty, product_uom, price_unit,
                                 price_subtotal, price_total, price_reduce_taxexcl, price_reduce_taxinc,
                                 customer_lead, company_id, currency_id, order_partner_id, salesman_id, state,
                                 qty_delivered, qty_invoiced, qty_to_invoice, invoice_status, qty_delivered_method,
                                 sequence, create_date, write_date)
    SELECT s.sol_id, s.order_id, 'Bench line', s.product_id, 1, %(uom)s, s.price_unit, s.price_unit, s.price_unit,
           s.price_unit, s.price_unit, 0, %(company)s, %(currency)s, s.customer_id, s.user_id, 'sale',
           CASE WHEN s.returned THEN 0 ELSE 1 END, 1, 0, 'invoiced', 'stock_move', 10, NOW(), NOW()
      FROM bench_sol s;
    INSERT INTO sale_order_line_invoice_rel (order_line_id, invoice_line_id) SELECT sol_id, aml_id FROM bench_sol;
    INSERT INTO stock_picking (name, origin, partner_id, sale_id, company_id, picking_type_id, location_id,
                               location_dest_id, move_type, state, scheduled_date, date, date_done, user_id,
                               create_date, write_date)
    SELECT 'BENCH-OUT/' || s.n, 'BENCH-SO/' || s.n, s.customer_id, s.order_id, %(company)s, %(out_type)s,
           %(stock)s, %(customer)s, 'direct', 'done', s.day, s.day, s.day, MIN(s.user_id), NOW(), NOW()
      FROM bench_sol s GROUP BY s.n, s.customer_id, s.order_id, s.day;
    INSERT INTO stock_move (name, reference, origin, product_id, product_uom_qty, product_qty, quantity, product_uom,
                            location_id, location_dest_id, location_final_id, company_id, procure_method, date,
                            state, sale_line_id, picking_id, picking_type_id, partner_id, warehouse_id,
                            create_date, write_date)
    SELECT 'Bench delivery', 'BENCH-OUT/' || s.n, 'BENCH-SO/' || s.n, s.product_id, 1, 1, 1, %(uom)s,
           %(stock)s, %(customer)s, %(customer)s, %(company)s, 'make_to_stock', s.day, 'done', s.sol_id, pk.id,
           %(out_type)s, s.customer_id, %(warehouse)s, s.day, NOW()
      FROM bench_sol s JOIN stock_picking pk ON pk.name = 'BENCH-OUT/' || s.n;
    INSERT INTO stock_move (name, reference, origin, product_id, product_uom_qty, product_qty, quantity, product_uom,
                            location_id, location_dest_id, company_id, procure_method, date, state, sale_line_id,
                            origin_returned_move_id, to_refund, picking_type_id, partner_id, warehouse_id,
                            create_date, write_date)
    SELECT 'Bench return', 'BENCH-RET/' || s.n, 'BENCH-SO/' || s.n, s.product_id, 1, 1, 1, %(uom)s,
           %(customer)s, %(stock)s, %(company)s, 'make_to_stock', s.day + 7, 'done', s.sol_id, sm.id, TRUE,
           %(in_type)s, s.customer_id, %(warehouse)s, s.day + 7, NOW()
      FROM bench_sol s JOIN stock_move sm ON sm.sale_line_id = s.sol_id
     WHERE s.returned;
    INSERT INTO stock_move (name, reference, product_id, product_uom_qty, product_qty, quantity, product_uom,
                            location_id, location_dest_id, company_id, procure_method, date, state,
                            picking_type_id, warehouse_id, create_date, write_date)
    SELECT 'Bench receipt', 'BENCH-IN/' || s.product_id, s.product_id, COUNT(*), COUNT(*), COUNT(*), %(uom)s,
           %(supplier)s, %(stock)s, %(company)s, 'make_to_stock', MIN(s.day) - 1, 'done', %(in_type)s,
           %(warehouse)s, MIN(s.day) - 1, NOW()
      FROM bench_sol s GROUP BY s.product_id;
    INSERT INTO stock_valuation_layer (company_id, product_id, stock_move_id, quantity, unit_cost, value,
                                       remaining_qty, remaining_value, description, create_date, write_date)
    SELECT %(company)s, sm.product_id, sm.id,
           CASE WHEN sm.location_dest_id = %(customer)s THEN -sm.quantity ELSE sm.quantity END,
           (pp.standard_price ->> %(company)s::text)::numeric,
           CASE WHEN sm.location_dest_id = %(customer)s THEN -1 ELSE 1 END
               * sm.quantity * (pp.standard_price ->> %(company)s::text)::numeric,
           0, 0, sm.reference, sm.date, NOW()
      FROM stock_move sm JOIN product_product pp ON pp.id = sm.product_id
     WHERE sm.reference LIKE %(bench_moves)s;
    INSERT INTO stock_quant (product_id, company_id, location_id, quantity, reserved_quantity, in_date,
                             create_date, write_date)
    SELECT product_id, %(company)s, %(stock)s, COUNT(*), 0, NOW(), NOW(), NOW()
      FROM bench_sol WHERE returned GROUP BY product_id;
    """,
        warehouse=warehouse.id,
        bench_moves="BENCH-%",
        **params,
    )
)
cr.execute("SELECT COUNT(*) FROM bench_sol")
n_deliveries = cr.fetchone()[0]
step("orders, deliveries, returns, valuation")

# ---- loyalty: members with an earn history through the ORM (real FIFO allocation); about half of the
# lots are past their expiry date (the expiry cron's work)
program = env["crm.loyalty.program"].create(
    {"name": "Bench Club", "company_id": company.id, "point_value": 0.01, "validity_months": 12}
)
members = env["crm.loyalty.membership"].create(
    [{"partner_id": pid, "program_id": program.id} for pid in partner_ids[:n_members]]
)
entries = []
for i, member in enumerate(members):
    for k in range(4):
        day = today - timedelta(days=(i * 13 + k * 97) % 720)
        entries.append(
            {
                "membership_id": member.id,
                "entry_type": "earn",
                "points": 50 + (i * 13 + k * 7) % 400,
                "date": day,
                "expiry_date": day + timedelta(days=365),
            }
        )
for start in range(0, len(entries), 5000):
    env["crm.loyalty.entry"].create(entries[start : start + 5000])
env.flush_all()
step("loyalty members and ledger")

# ---- feedback tickets through the ORM (sequence, SLA, sentiment), then spread over the 3 years; 70 % closed
Ticket = env["crm.feedback.ticket"]
types = ["complaint", "complaint", "suggestion", "praise"]
channels = ["email", "portal", "phone"]
texts = [
    "The parcel arrived damaged and late, very disappointed.",
    "Could you offer a refill pack? It would be great.",
    "Excellent service, thank you very much!",
    "Wrong colour delivered, please exchange it.",
]
for start in range(0, n_tickets, 1000):
    Ticket.create(
        [
            {
                "subject": f"Bench ticket {i}",
                "ticket_type": types[i % 4],
                "channel": channels[i % 3],
                "partner_id": partner_ids[(i * 7919) % n_customers],
                "company_id": company.id,
                "description": f"<p>{texts[i % 4]}</p>",
            }
            for i in range(start, min(start + 1000, n_tickets))
        ]
    )
closed = env["crm.feedback.stage"].search([("is_closed", "=", True)], order="sequence, id", limit=1)
env.flush_all()  # the ORM's pending writes first, or they would overwrite the SQL below at commit
cr.execute(
    SQL(
        """
    UPDATE crm_feedback_ticket t SET create_date = d.opened, write_date = d.opened,
           stage_id = CASE WHEN d.closes THEN %(closed)s ELSE t.stage_id END,
           is_closed = d.closes,
           date_closed = CASE WHEN d.closes THEN d.opened + INTERVAL '2 days' END
      FROM (SELECT id, NOW() AT TIME ZONE 'UTC' - (MOD(id * 37, 1095) || ' days')::interval AS opened,
                   MOD(id, 10) < 7 AS closes
              FROM crm_feedback_ticket WHERE subject LIKE %(bench)s) d
     WHERE d.id = t.id
    """,
        closed=closed.id,
        bench="Bench ticket %",
    )
)
step("feedback tickets")
env.cr.commit()
# the invoices, lines and layers above were written in SQL, around the ORM hooks that keep the daily
# sales facts: build them once, as installing or upgrading the addons does
env["crm.sales.fact"]._rebuild()
env.cr.commit()
step("daily sales facts")
# planner statistics now, as a live database has them (autovacuum would only catch up minutes later,
# in the middle of the measurements)
cr.execute("ANALYZE")
# committed: the column statistics ANALYZE writes are transactional, and `odoo-bin shell` rolls back at exit
# (only the row counts would survive, and every plan over the generated tables would be a guess)
env.cr.commit()
step("analyze")
print(
    f"GENERATED customers={n_customers} companies=2 moves={n_moves} invoice_lines={n_moves * lines_per_move} "
    f"journal_items={n_moves * (lines_per_move + 1)} "
    f"deliveries={n_deliveries} members={n_members} ledger={len(entries)} tickets={n_tickets} "
    f"seconds={time.time() - started:.1f} steps={timings}"
)
