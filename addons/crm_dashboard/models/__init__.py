from . import crm_dashboard
