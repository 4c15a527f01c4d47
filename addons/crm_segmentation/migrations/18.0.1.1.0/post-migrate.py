"""18.0.1.1.0: RFM segments get a technical code (filters no longer match the translated name).
The seed data is noupdate, so the code of the seeded segments is set here from their XML ids."""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE crm_rfm_segment s
           SET code = substr(d.name, length('rfm_segment_') + 1)
          FROM ir_model_data d
         WHERE d.module = 'crm_segmentation'
           AND d.model = 'crm.rfm.segment'
           AND d.res_id = s.id
           AND s.code IS NULL
        """
    )
