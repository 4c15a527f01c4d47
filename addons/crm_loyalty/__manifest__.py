# Copyright 2026 CRM-ERP Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Loyalty",
    "summary": "Memberships, tiers, an immutable points ledger: earn on invoices, redeem on quotations, FIFO expiry",
    "version": "18.0.1.0.0",
    "category": "Sales/Customer Relations",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "author": "CRM-ERP Suite contributors",
    "maintainers": ["crm-erp-suite"],
    "license": "LGPL-3",
    "depends": ["sale_management", "account"],
    "data": [
        "security/crm_loyalty_security.xml",
        "security/ir.model.access.csv",
        "data/crm_loyalty_data.xml",
        "data/crm_loyalty_cron.xml",
        "data/mail_template_data.xml",
        "wizard/loyalty_redeem_wizard_views.xml",
        "wizard/loyalty_adjust_wizard_views.xml",
        "views/loyalty_program_views.xml",
        "views/loyalty_membership_views.xml",
        "views/loyalty_entry_views.xml",
        "views/res_partner_views.xml",
        "views/sale_order_views.xml",
        "views/crm_loyalty_menus.xml",
    ],
    "demo": ["demo/crm_loyalty_demo.xml"],
    "assets": {
        "web.assets_tests": ["crm_loyalty/static/tests/tours/*.js"],
    },
    "uninstall_hook": "uninstall_hook",
    "application": True,
}
