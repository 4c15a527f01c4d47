from . import crm_lifecycle_stage
from . import crm_lifecycle_history
from . import res_partner
