# Copyright 2026 CRM-ERP Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# Not auto_install: Odoo would refuse to install the base addon on a server without the libraries; the
# base addon installs it when they are present (crm_customer_facts/tools/glue.py).
{
    "name": "CRM Segmentation CLV",
    "summary": "Churn and customer lifetime value predicted by BG/NBD and Gamma-Gamma (numpy, scipy)",
    "version": "18.0.1.1.0",
    "category": "Sales/Customer Relations",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "author": "CRM-ERP Suite contributors",
    "maintainers": ["crm-erp-suite"],
    "license": "LGPL-3",
    "depends": ["crm_segmentation"],
    "external_dependencies": {"python": ["numpy", "scipy"]},
    "post_init_hook": "post_init_hook",
}
