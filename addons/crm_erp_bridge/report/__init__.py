from . import customer_profitability
