# Copyright 2026 CRM-ERP Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Overview Dashboard",
    "summary": "The Customer Relations overview at a glance: loyalty, segmentation and feedback KPIs and "
    "charts, each drilling down to its records",
    "version": "18.0.1.0.0",
    "category": "Sales/Customer Relations",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "author": "CRM-ERP Suite contributors",
    "maintainers": ["crm-erp-suite"],
    "license": "LGPL-3",
    "depends": ["crm_erp_bridge"],
    "data": [
        "views/crm_dashboard_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "crm_dashboard/static/src/dashboard/*",
        ],
        "web.assets_tests": ["crm_dashboard/static/tests/tours/*.js"],
    },
}
