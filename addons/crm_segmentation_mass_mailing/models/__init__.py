from . import crm_marketing_consent, crm_rule_segment
