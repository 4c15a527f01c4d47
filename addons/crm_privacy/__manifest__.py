# Copyright 2026 CRM-ERP Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Privacy",
    "summary": "Privacy by design for the customer relations: privacy officers, an append-only access log "
    "of 360 views, personal data exports and accounting workbooks, export of one customer's data",
    "version": "18.0.1.0.0",
    "category": "Sales/Customer Relations",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "author": "CRM-ERP Suite contributors",
    "maintainers": ["crm-erp-suite"],
    "license": "LGPL-3",
    "depends": ["crm_erp_bridge", "mail"],
    "data": [
        "security/crm_privacy_security.xml",
        "security/ir.model.access.csv",
        "data/crm_privacy_cron.xml",
        "views/crm_privacy_access_log_views.xml",
        "views/crm_privacy_erasure_request_views.xml",
        "views/res_config_settings_views.xml",
        "wizard/crm_privacy_export_views.xml",
        "views/res_partner_views.xml",
        "views/portal_templates.xml",
        "views/crm_privacy_menus.xml",
    ],
    "external_dependencies": {"python": ["xlsxwriter"]},
}
