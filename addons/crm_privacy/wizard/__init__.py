from . import crm_privacy_export
from . import crm_accounting_export
