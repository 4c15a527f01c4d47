from . import accounting_export
from . import accounting_export_whale
from . import loyalty_uplift_report
from . import crm_segment_action_wizard
