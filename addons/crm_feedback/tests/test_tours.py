from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestFeedbackTours(HttpCase):
    """Journey 4 in a real browser: a portal customer opens a ticket on one of their orders and sees only
    their own tickets."""

    def test_portal_customer_opens_a_ticket(self):
        env = self.env
        company_a = env["res.partner"].create({"name": "Tour A Co", "is_company": True})
        company_b = env["res.partner"].create({"name": "Tour B Co", "is_company": True})
        alice = env["res.partner"].create({"name": "Tour Alice", "parent_id": company_a.id, "email": "ta@a.example"})
        new_test_user(env, login="tour_alice", password="tour_alice1", groups="base.group_portal", partner_id=alice.id)
        order_a = env["sale.order"].create({"partner_id": company_a.id, "client_order_ref": "TOUR-A-ORDER"})
        order_a.action_confirm()
        order_b = env["sale.order"].create({"partner_id": company_b.id, "client_order_ref": "TOUR-B-ORDER"})
        order_b.action_confirm()
        Ticket = env["crm.feedback.ticket"]
        Ticket.create({"subject": "TOUR-A wobbly chair", "description": "<p>A</p>", "partner_id": alice.id})
        Ticket.create({"subject": "TOUR-B secret", "description": "<p>B</p>", "partner_id": company_b.id})

        self.start_tour("/my/feedback", "crm_feedback_portal_tour", login="tour_alice")

        created = Ticket.search([("subject", "=", "Legs arrived broken")])
        self.assertRecordValues(
            created,
            [
                {
                    "channel": "portal",
                    "partner_id": alice.id,
                    "commercial_partner_id": company_a.id,
                    "sale_order_id": order_a.id,
                }
            ],
        )
