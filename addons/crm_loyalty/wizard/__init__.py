from . import loyalty_redeem_wizard
from . import loyalty_adjust_wizard
from . import loyalty_ledger_check
