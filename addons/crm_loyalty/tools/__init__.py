from . import points
from . import sql
from . import ledger_hash
