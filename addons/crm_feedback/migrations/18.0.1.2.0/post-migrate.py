def migrate(cr, version):
    """Tickets filed before sender verification existed keep the contact they had: they count as verified."""
    if not version:
        return
    cr.execute("UPDATE crm_feedback_ticket SET verified = TRUE WHERE verified IS NULL")
