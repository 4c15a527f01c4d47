from . import test_customer_totals
from . import test_marketing_consent
