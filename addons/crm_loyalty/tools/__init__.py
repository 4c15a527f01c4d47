from . import points
from . import ledger_hash
