# Copyright 2026 CRM-ERP Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Retention",
    "summary": "Churn early warning that acts: a daily risk score with its reasons for every active customer, "
    "win-back actions (an activity, a points offer through the ledger), a random holdout and the save rate "
    "with and without action",
    "version": "18.0.1.0.0",
    "category": "Sales/Customer Relations",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "author": "CRM-ERP Suite contributors",
    "maintainers": ["crm-erp-suite"],
    "license": "LGPL-3",
    "depends": ["crm_erp_bridge"],
    "data": [
        "security/crm_retention_security.xml",
        "security/ir.model.access.csv",
        "data/crm_retention_cron.xml",
        "views/crm_churn_risk_views.xml",
        "views/crm_churn_save_report_views.xml",
        "views/res_config_settings_views.xml",
        "views/crm_retention_menus.xml",
    ],
}
