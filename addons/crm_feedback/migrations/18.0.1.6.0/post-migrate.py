def migrate(cr, version):
    """Tickets closed without a reply (or with a next reply due) after the target's deadline were counted met:
    closing reaches every running target, so those past their deadline at closing are flagged breached."""
    if not version:
        return
    cr.execute(
        """
        UPDATE crm_feedback_ticket
           SET sla_response_breached = TRUE, sla_breached = TRUE
         WHERE sla_id IS NOT NULL AND is_closed AND date_closed IS NOT NULL
           AND date_first_response IS NULL AND NOT COALESCE(sla_response_breached, FALSE)
           AND sla_response_deadline < date_closed
        """
    )
    cr.execute(
        """
        UPDATE crm_feedback_ticket
           SET sla_next_response_breached = TRUE, sla_breached = TRUE
         WHERE sla_id IS NOT NULL AND is_closed AND date_closed IS NOT NULL
           AND sla_next_response_start IS NOT NULL AND NOT COALESCE(sla_next_response_breached, FALSE)
           AND sla_next_response_deadline < date_closed
        """
    )
