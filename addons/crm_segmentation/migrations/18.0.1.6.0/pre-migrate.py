"""18.0.1.6.0: the daily sales facts moved to crm_customer_facts (installed before this update), with their
multi-company rule: the rule this addon declared (noupdate, so an update would keep it) goes."""


def migrate(cr, version):
    cr.execute(
        """DELETE FROM ir_rule
            WHERE id IN (SELECT res_id FROM ir_model_data
                          WHERE module = 'crm_segmentation' AND name = 'crm_sales_fact_company_rule')"""
    )
    cr.execute("DELETE FROM ir_model_data WHERE module = 'crm_segmentation' AND name = 'crm_sales_fact_company_rule'")
