# Copyright 2026 CRM-ERP Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Feedback",
    "summary": "Complaint, suggestion and praise tickets from every channel, SLAs, CSAT/NPS, "
    "sentiment, resolution through credit notes and returns",
    "version": "18.0.1.6.0",
    "category": "Sales/Customer Relations",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "author": "CRM-ERP Suite contributors",
    "maintainers": ["crm-erp-suite"],
    "license": "LGPL-3",
    "depends": ["crm_customer_facts", "mail", "rating", "portal", "resource", "sale_stock", "account"],
    "data": [
        "security/crm_feedback_security.xml",
        "security/ir.model.access.csv",
        "data/crm_feedback_data.xml",
        "views/crm_feedback_ticket_views.xml",
        "views/crm_feedback_team_views.xml",
        "views/crm_feedback_nps_views.xml",
        "views/crm_feedback_quality_views.xml",
        "views/crm_feedback_portal_templates.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/crm_feedback_menus.xml",
    ],
    "demo": ["demo/crm_feedback_demo.xml"],
    "assets": {
        "web.assets_tests": ["crm_feedback/static/tests/tours/*.js"],
    },
    "application": True,
    "post_init_hook": "post_init_hook",
}
