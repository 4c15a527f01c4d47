# Copyright 2026 CRM-ERP Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Segmentation Mass Mailing",
    "summary": "Rule segments feed mailing lists kept in sync, with the customers' e-mail marketing consent",
    "version": "18.0.1.0.0",
    "category": "Hidden",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "author": "CRM-ERP Suite contributors",
    "maintainers": ["crm-erp-suite"],
    "license": "LGPL-3",
    "depends": ["crm_segmentation", "mass_mailing"],
    "data": ["views/crm_rule_segment_views.xml"],
    "assets": {
        "web.assets_tests": ["crm_segmentation_mass_mailing/static/tests/tours/*.js"],
    },
    "auto_install": True,
}
