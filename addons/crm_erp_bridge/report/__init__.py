from . import customer_profitability
from . import crm_clv_contribution
from . import loyalty_liability_report
from . import service_recovery_report
from . import crm_whale_curve
from . import crm_feedback_sla_compliance
