from . import accounting_export
