"""One owner per customer figure: the SQL of our addons that reads invoices (account_move, account_move_line)
is the sources of the customer figures (crm_customer_facts) and a short list of named, non-customer-figure
reads; every other screen, report and export reads the figures through crm.sales.fact's API.

Static: every string literal of the addons' Python code (tests and migrations aside) that names one of the
tables in a FROM or JOIN is found with the function it belongs to, and compared with the list below."""

import ast
import re

from conftest import REPO

INVOICE_TABLES = re.compile(r"\b(FROM|JOIN)\s+(account_move_line|account_move)\b", re.IGNORECASE)
FACT_TABLE = re.compile(r"\b(FROM|JOIN|INTO|UPDATE)\s+crm_sales_fact\b", re.IGNORECASE)

ALLOWED = {
    # the sources of the customer figures, registered by name
    ("crm_customer_facts/models/crm_sales_fact.py", "_fact_source_invoices"): "source: invoices (invoice count)",
    ("crm_customer_facts/models/crm_sales_fact.py", "_fact_source_invoice_lines"): "source: invoice lines",
    # the payment delay cost (crm_erp_bridge): invoices' receivable items paid after their due date
    ("crm_erp_bridge/models/crm_sales_fact.py", "_fact_source_late_payments"): "source: late payments",
    # which days to recompute when a product becomes a loyalty reward (keys, no figure)
    ("crm_customer_facts/models/crm_sales_fact.py", "_refresh_products"): "keys of the rows to refresh",
    # confirmed orders not invoiced yet, counted with the facts when a company asks (RFM's extra rows): only
    # whether an order has a posted invoice is read
    ("crm_segmentation/models/crm_rfm_score.py", "_pending_orders_sql"): "orders without a posted invoice",
    # accounting's own figures, not customer figures: the receivable aging and the liability account balance
    ("crm_erp_bridge/wizard/accounting_export.py", "_aging_rows"): "receivable aging (open items)",
    ("crm_erp_bridge/report/loyalty_liability_report.py", "_table_query"): "liability account balance",
    # the churn signals' overdue receivable: posted customer invoices' open receivable items past due (the
    # conditions of the ORM read it replaced, in the signals' one query: bench/RESULTS.md, 2026-11-30 e)
    ("crm_retention/models/crm_churn_risk.py", "_signal_query"): "overdue receivable (open items)",
    # the monthly tie-out of the loyalty liability: the GL balance of the program's liability account at each
    # month end, and in the workbook the items posted to that account outside any accrual (by hand)
    ("crm_erp_bridge/models/loyalty_program.py", "_liability_tie_out"): "liability account balance",
    ("crm_erp_bridge/wizard/accounting_export.py", "_tie_out_rows"): "liability account items posted by hand",
}


def _reads(pattern=INVOICE_TABLES):
    found = set()
    for path in sorted((REPO / "addons").glob("*/**/*.py")):
        relative = path.relative_to(REPO / "addons").as_posix()
        if "/tests/" in relative or "/migrations/" in relative:
            continue
        tree = ast.parse(path.read_text(), str(path))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and pattern.search(node.value):
                    found.add((relative, function.name))
    return found


def test_only_the_sources_read_invoices():
    reads = _reads()
    assert reads - set(ALLOWED) == set(), "read invoices outside the customer figures' sources"
    # the list stays true: an entry whose code no longer reads invoices goes
    assert set(ALLOWED) - reads == set(), "allowed reads that no longer exist"


def test_the_check_sees_a_read():
    """The scan finds a read in a string: it is not blind (a test that could not fail would be worthless)."""
    assert ("crm_customer_facts/models/crm_sales_fact.py", "_fact_source_invoice_lines") in _reads()


def test_only_the_owner_touches_the_facts_table():
    """Consumers read the facts through the API (``_customer_totals``, ``_daily_rows_sql``), never the table."""
    owners = {module for module, _function in _reads(FACT_TABLE)}
    assert owners == {"crm_customer_facts/models/crm_sales_fact.py"}
