# Copyright 2026 CRM-ERP Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Value Policy",
    "summary": "Treat customers by their value: a policy table from value class, RFM segment, loyalty tier and "
    "CLV band to SLA, ticket priority and team, credit tolerance, redemption and goodwill caps and an earning "
    "multiplier, resolved per customer with its history",
    "version": "18.0.1.0.0",
    "category": "Sales/Customer Relations",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "author": "CRM-ERP Suite contributors",
    "maintainers": ["crm-erp-suite"],
    "license": "LGPL-3",
    "depends": ["crm_erp_bridge"],
    "data": [
        "security/crm_value_policy_security.xml",
        "security/ir.model.access.csv",
        "data/crm_value_policy_cron.xml",
        "views/crm_value_policy_views.xml",
        "views/crm_value_policy_history_views.xml",
        "views/res_partner_views.xml",
        "views/crm_feedback_ticket_views.xml",
        "views/crm_value_policy_menus.xml",
    ],
    "demo": ["demo/crm_value_policy_demo.xml"],
    "post_init_hook": "post_init_hook",
}
