from . import crm_feedback_quality
