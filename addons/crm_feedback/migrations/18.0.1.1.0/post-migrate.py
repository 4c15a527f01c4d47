"""18.0.1.1.0: a ticket's start time is its own stored ``date_open`` ("Received On", by the application's
clock) instead of ``create_date`` (the database's clock). Odoo fills the new column of existing tickets with
the time of the upgrade; they were received when they were created."""


def migrate(cr, version):
    cr.execute("UPDATE crm_feedback_ticket SET date_open = create_date WHERE create_date IS NOT NULL")
