from . import accounting_export
from . import accounting_export_whale
