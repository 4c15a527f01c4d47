from . import crm_rfm_score
