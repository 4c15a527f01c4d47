from . import test_customer_totals
