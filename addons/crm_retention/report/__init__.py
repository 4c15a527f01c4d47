from . import crm_churn_save_report
