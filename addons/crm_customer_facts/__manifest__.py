# Copyright 2026 CRM-ERP Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Customer Facts",
    "summary": "The customer figures every CRM addon reads: daily sales facts, named measures, refresh queue",
    "version": "18.0.1.0.0",
    "category": "Sales/Customer Relations",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "author": "CRM-ERP Suite contributors",
    "maintainers": ["crm-erp-suite"],
    "license": "LGPL-3",
    "depends": ["sale", "account"],
    "data": [
        "security/crm_customer_facts_security.xml",
        "security/ir.model.access.csv",
        "data/crm_figures_queue_cron.xml",
        "views/crm_customer_facts_menus.xml",
        "views/res_partner_views.xml",
    ],
    "post_init_hook": "post_init_hook",
}
