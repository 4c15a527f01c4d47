# Copyright 2026 CRM-ERP Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM-ERP Bridge",
    "summary": "360-degree customer view, profitability with real COGS, loyalty liability in the "
    "ledger, credit control, accountant XLSX exports",
    "version": "18.0.1.3.0",
    "category": "Sales/Customer Relations",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "author": "CRM-ERP Suite contributors",
    "maintainers": ["crm-erp-suite"],
    "license": "LGPL-3",
    "depends": ["crm_loyalty", "crm_segmentation", "crm_feedback", "sale_stock", "stock_account"],
    "data": [
        "security/crm_erp_bridge_security.xml",
        "security/ir.model.access.csv",
        "data/crm_erp_bridge_cron.xml",
        "views/res_partner_views.xml",
        "views/customer_profitability_views.xml",
        "wizard/accounting_export_views.xml",
        "views/accounting_export_archive_views.xml",
        "views/res_config_settings_views.xml",
        "views/sale_order_views.xml",
        "views/loyalty_program_views.xml",
        "views/loyalty_accrual_views.xml",
        "views/loyalty_liability_report_views.xml",
        "views/loyalty_goodwill_views.xml",
        "views/service_recovery_report_views.xml",
        "views/crm_feedback_ticket_views.xml",
        "views/crm_feedback_nps_views.xml",
        "views/crm_erp_bridge_menus.xml",
    ],
    "demo": ["demo/crm_erp_bridge_sales_demo.xml", "demo/crm_erp_bridge_demo.xml"],
    "assets": {
        "web.assets_tests": ["crm_erp_bridge/static/tests/tours/*.js"],
    },
    "external_dependencies": {"python": ["xlsxwriter"]},
    "post_init_hook": "post_init_hook",
}
