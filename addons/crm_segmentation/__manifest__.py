# Copyright 2026 CRM-ERP Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Segmentation",
    "summary": "RFM scoring, rule segments, value classes, lifecycle stages, churn and CLV",
    "version": "18.0.1.6.0",
    "category": "Sales/Customer Relations",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "author": "CRM-ERP Suite contributors",
    "maintainers": ["crm-erp-suite"],
    "license": "LGPL-3",
    "depends": ["crm_customer_facts", "crm", "sale_management", "account"],
    "data": [
        "security/crm_segmentation_security.xml",
        "security/ir.model.access.csv",
        "data/crm_lifecycle_stage_data.xml",
        "data/crm_rfm_segment_data.xml",
        "views/crm_lifecycle_stage_views.xml",
        "views/crm_rfm_views.xml",
        "views/crm_rule_segment_views.xml",
        "views/res_config_settings_views.xml",
        "views/profiling_explanation_templates.xml",
        "views/res_partner_views.xml",
        "views/crm_segmentation_menus.xml",
    ],
    "demo": ["demo/crm_segmentation_demo.xml"],
    "post_init_hook": "post_init_hook",
    "application": True,
}
