# Copyright 2026 CRM-ERP Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Demo Story",
    "summary": "Demo data with a story: two years of a tea merchant's customers (champions, loyal, new, at "
    "risk, lost) through real invoices, payments, points, tickets and surveys",
    "version": "18.0.1.0.0",
    "category": "Sales/Customer Relations",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "author": "CRM-ERP Suite contributors",
    "maintainers": ["crm-erp-suite"],
    "license": "LGPL-3",
    "depends": ["crm_dashboard"],
    "demo": ["demo/crm_demo_story.xml"],
}
