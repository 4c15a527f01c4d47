# Copyright 2026 CRM-ERP Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Privacy Lookup",
    "summary": "Odoo's Privacy Lookup files an erasure request for our customers' records instead of deleting them",
    "version": "18.0.1.0.0",
    "category": "Hidden",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "author": "CRM-ERP Suite contributors",
    "maintainers": ["crm-erp-suite"],
    "license": "LGPL-3",
    "depends": ["crm_privacy", "privacy_lookup"],
    "auto_install": True,
}
