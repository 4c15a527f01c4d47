# Copyright 2026 CRM-ERP Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# Not auto_install: Odoo would refuse to install the base addon on a server without the libraries; the
# base addon installs it when they are present (crm_customer_facts/tools/glue.py).
{
    "name": "CRM Feedback Sentiment",
    "summary": "Offline sentiment of feedback tickets and NPS comments in English and Chinese "
    "(vaderSentiment, snownlp)",
    "version": "18.0.1.0.0",
    "category": "Sales/Customer Relations",
    "website": "https://github.com/crm-erp-suite/crm-erp-suite",
    "author": "CRM-ERP Suite contributors",
    "maintainers": ["crm-erp-suite"],
    "license": "LGPL-3",
    "depends": ["crm_feedback"],
    "external_dependencies": {"python": ["vaderSentiment", "snownlp"]},
    "post_init_hook": "post_init_hook",
}
