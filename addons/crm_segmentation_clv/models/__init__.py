from . import crm_rfm_score
from . import res_company
