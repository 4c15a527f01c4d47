from . import crm_feedback_team
from . import crm_feedback_stage
from . import crm_feedback_ticket
from . import res_partner
