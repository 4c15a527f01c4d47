# Copyright 2026 CRM-ERP Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM-ERP Bridge",
    "summary": "360-degree customer view, profitability with real COGS, loyalty liability in the "
    "ledger, credit control, accountant XLSX exports",
    "version": "18.0.1.0.0",
    "category": "Sales/Customer Relations",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "author": "CRM-ERP Suite contributors",
    "maintainers": ["crm-erp-suite"],
    "license": "LGPL-3",
    "depends": ["crm_loyalty", "crm_segmentation", "crm_feedback", "sale_stock", "stock_account"],
    "data": [
        "security/ir.model.access.csv",
        "views/res_partner_views.xml",
        "views/crm_erp_bridge_menus.xml",
    ],
    "installable": True,
    "auto_install": False,
}
