"""18.0.1.5.0: the reason of a lifecycle stage move is rendered in the reader's language from the kind of move
and the stage (``reason_display``); the stored ``reason`` keeps only text typed by the user. Clear the
sentences stored by the automatic rules and the default "Moved by hand" in the language that wrote them."""

from odoo.tools.translate import code_translations


def migrate(cr, version):
    cr.execute("UPDATE crm_lifecycle_history SET reason = NULL WHERE mode = 'auto' AND reason IS NOT NULL")
    cr.execute("SELECT code FROM res_lang WHERE active")
    defaults = {"Moved by hand"}
    for (lang,) in cr.fetchall():
        translated = code_translations.get_python_translations("crm_segmentation", lang).get("Moved by hand")
        if translated:
            defaults.add(translated)
    cr.execute(
        "UPDATE crm_lifecycle_history SET reason = NULL WHERE mode = 'manual' AND reason = ANY(%s)",
        [list(defaults)],
    )
