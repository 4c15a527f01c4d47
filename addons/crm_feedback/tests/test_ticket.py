import ast
import importlib.util
from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import file_path, mute_logger

from .common import FeedbackCommon

INCOMING = """Return-Path: {email_from}
From: {email_from}
To: care-test@{domain}
Subject: {subject}
Message-ID: {msg_id}
{extra}Content-Type: text/plain; charset=utf-8

{body}
"""


@tagged("post_install", "-at_install")
class TestTicket(FeedbackCommon):
    def _receive(self, email_from, subject, body, msg_id, extra=""):
        domain = self.team.alias_domain_id.name or "example.com"
        raw = INCOMING.format(
            email_from=email_from, domain=domain, subject=subject, body=body, msg_id=msg_id, extra=extra
        )
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            return self.env["mail.thread"].message_process(
                "crm.feedback.ticket", raw, custom_values={"team_id": self.team.id}
            )

    def test_email_to_ticket_and_reply_threading(self):
        ticket_id = self._receive(
            "Unknown Person <new.person@example.org>",
            "Late delivery",
            "My order is two weeks late. Very disappointed.",
            "<first@example.org>",
        )
        ticket = self.env["crm.feedback.ticket"].browse(ticket_id)
        self.assertEqual((ticket.channel, ticket.subject, ticket.team_id), ("email", "Late delivery", self.team))
        self.assertEqual(ticket.partner_id.email, "new.person@example.org", "unknown sender becomes a contact")
        self.assertIn("two weeks late", ticket.description)
        self.assertTrue(ticket.name.startswith("FB"))
        self._receive(
            "Unknown Person <new.person@example.org>",
            "Re: Late delivery",
            "Any news?",
            "<second@example.org>",
            extra="In-Reply-To: <first@example.org>\nReferences: <first@example.org>\n",
        )
        self.assertEqual(self.env["crm.feedback.ticket"].search_count([("partner_id", "=", ticket.partner_id.id)]), 1)
        self.assertIn("Any news?", ticket.message_ids[0].body)
        # known sender is matched, not duplicated
        known = self.env["crm.feedback.ticket"].browse(
            self._receive("unhappy@example.com", "Invoice", "Wrong amount", "<third@example.org>")
        )
        self.assertEqual(known.partner_id, self.customer)
        # the first public reply of an employee is the first response
        self.assertFalse(ticket.date_first_response)
        ticket.message_post(body="We are on it", message_type="comment", subtype_xmlid="mail.mt_comment")
        self.assertTrue(ticket.date_first_response)

    def test_response_resolution_times_and_sla_compliance(self):
        with freeze_time("2026-11-23 09:00:00"):
            ticket = self._ticket()
            other = self._ticket(subject="Second")
        # the start time comes from the same (frozen) clock as every later event, not the database's
        self.assertEqual(ticket.date_open, datetime(2026, 11, 23, 9, 0))
        self.assertEqual((ticket.sla_success, other.sla_success), (100.0, 100.0))
        with freeze_time("2026-11-23 11:30:00"):
            ticket.message_post(body="On it", message_type="comment", subtype_xmlid="mail.mt_comment")
        with freeze_time("2026-11-24 09:00:00"):
            ticket.stage_id = self.stage_solved
        self.assertEqual(ticket.response_hours, 2.5)
        self.assertEqual(ticket.resolution_hours, 24.0)
        other.sudo().write({"sla_breached": True})
        self.assertEqual(other.sla_success, 0.0)
        groups = self.env["crm.feedback.ticket"]._read_group(
            [("id", "in", (ticket | other).ids)], [], ["sla_success:avg", "response_hours:avg"]
        )
        self.assertEqual(groups[0][0], 50.0, "half of the tickets kept their SLA")

    def test_sla_deadlines_skip_weekend_and_breach_cron_once(self):
        with freeze_time("2026-11-20 16:00:00"):  # a Friday, one working hour left
            ticket = self._ticket()
        self.assertEqual(ticket.priority, "2", "the negative description already raised the priority")
        self.assertEqual(ticket.sla_response_deadline, datetime(2026, 11, 23, 11, 0))  # Monday 11:00
        self.assertEqual(ticket.sla_resolution_deadline, datetime(2026, 11, 24, 16, 0))  # 16 working hours
        with freeze_time("2026-11-23 10:00:00"):
            self.assertFalse(self.env["crm.feedback.ticket"]._cron_check_sla())
            self.assertEqual(ticket.sla_status, "at_risk")
        with freeze_time("2026-11-23 12:00:00"):
            breached = self.env["crm.feedback.ticket"]._cron_check_sla()
            self.assertEqual(breached, ticket)
            self.assertFalse(self.env["crm.feedback.ticket"]._cron_check_sla(), "escalation happens once")
        self.assertTrue(ticket.sla_breached)
        self.assertEqual(ticket.priority, "3", "escalation raises the priority one step")
        activity = ticket.activity_ids
        self.assertEqual((len(activity), activity.user_id), (1, self.leader))
        self.assertEqual(ticket.sla_status, "breached")

    def test_sla_counted_from_reception_on_team_change(self):
        """Deadlines set when the ticket moves to a team count from its reception, not from the move."""
        with freeze_time("2026-11-23 09:00:00"):  # a Monday
            ticket = self._ticket(team_id=False)
        self.assertFalse(ticket.sla_id)
        with freeze_time("2026-11-24 09:00:00"):
            ticket.team_id = self.team
            self.assertEqual(ticket.sla_response_deadline, datetime(2026, 11, 23, 14, 0))
            self.assertEqual(ticket.sla_status, "at_risk")

    def test_migration_fills_date_open_from_create_date(self):
        ticket = self._ticket()
        self.env.cr.execute("UPDATE crm_feedback_ticket SET date_open = '2000-01-01' WHERE id = %s", [ticket.id])
        path = file_path("crm_feedback/migrations/18.0.1.1.0/post-migrate.py")
        spec = importlib.util.spec_from_file_location("crm_feedback_post_migrate_18_0_1_1_0", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.0.0")
        ticket.invalidate_recordset(["date_open", "create_date"])
        self.assertEqual(ticket.date_open, ticket.create_date)

    def test_team_alias_defaults_are_merged(self):
        """Defaults given to a team's alias are kept; the team and company are added to them."""
        team = self.env["crm.feedback.team"].create(
            {
                "name": "Suggestions",
                "company_id": self.company.id,
                "alias_name": "ideas-test",
                "alias_defaults": "{'ticket_type': 'suggestion', 'priority': '0'}",
            }
        )
        self.assertEqual(
            ast.literal_eval(team.alias_defaults),
            {"ticket_type": "suggestion", "priority": "0", "team_id": team.id, "company_id": self.company.id},
        )
        team.alias_defaults = repr({"ticket_type": "question", "team_id": team.id, "company_id": self.company.id})
        team.write({"alias_name": "ideas-renamed"})
        self.assertEqual(ast.literal_eval(team.alias_defaults)["ticket_type"], "question")

    def test_csat_request_and_rating(self):
        ticket = self._ticket()
        mails_before = self.env["mail.mail"].search_count([])
        ticket.stage_id = self.stage_solved
        self.assertTrue(ticket.date_closed)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before + 1)
        mail = self.env["mail.mail"].search([], order="id desc", limit=1)
        self.assertIn("/rate/", mail.body_html)
        rating = ticket.rating_ids
        self.assertEqual(rating.partner_id, self.customer)
        ticket.rating_apply(5, token=rating.access_token, feedback="Quick and kind")
        self.assertEqual(ticket.rating_last_value, 5)

    def test_nps(self):
        Nps = self.env["crm.feedback.nps"]
        answers = Nps.create(
            [
                {"partner_id": self.customer.id, "company_id": self.company.id, "score": s, "team_id": self.team.id}
                for s in (10, 9, 8, 7, 6, 0)
            ]
        )
        self.assertEqual(
            answers.mapped("score_class"), ["promoter", "promoter", "passive", "passive", "detractor", "detractor"]
        )
        self.assertEqual(Nps._nps([("id", "in", answers.ids)]), 0.0)
        self.assertAlmostEqual(Nps._nps([("id", "in", answers[:3].ids)]), 200 / 3)
        self.assertEqual(Nps._nps([("id", "=", 0)]), 0.0)
        with self.assertRaises(ValidationError):
            Nps.create({"partner_id": self.customer.id, "score": 11})
        with self.assertRaises(ValidationError):
            Nps.create({"partner_id": self.customer.id, "score": -1})
        self.assertEqual(Nps.search_count([("partner_id", "=", self.customer.id)]), 6)

    def test_bad_input(self):
        Ticket = self.env["crm.feedback.ticket"]
        with self.assertRaises(ValidationError):
            self._ticket(description="<p>  </p>")
        foreign = self.env["sale.order"].create({"partner_id": self.other_customer.id})
        with self.assertRaises(ValidationError):
            self._ticket(sale_order_id=foreign.id)
        self.assertFalse(Ticket.search([("partner_id", "=", self.customer.id)]))

    def test_credit_note_from_ticket(self):
        product = self.env["product.product"].create({"name": "Chair", "list_price": 100, "taxes_id": False})
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_line_ids": [
                    Command.create({"product_id": product.id, "quantity": 10, "price_unit": 100, "tax_ids": False})
                ],
            }
        )
        invoice.action_post()
        ticket = self._ticket(invoice_id=invoice.id)
        action = ticket.action_create_credit_note()
        wizard = Form(self.env["account.move.reversal"].with_context(**action["context"]))
        wizard.reason = "broken chairs"
        wizard.save().refund_moves()
        refund = ticket.credit_note_ids
        self.assertEqual((len(refund), refund.move_type, refund.reversed_entry_id), (1, "out_refund", invoice))
        # partial: credit 3 chairs of 10
        refund.invoice_line_ids.quantity = 3
        refund.action_post()
        self.assertEqual(refund.amount_total, 300)
        self.assertEqual(ticket.resolution_cost, 300)
        self.assertEqual(ticket.credit_note_count, 1)

    def test_return_from_ticket(self):
        product = self.env["product.product"].create({"name": "Lamp", "is_storable": True, "list_price": 50})
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        self.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 10)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "warehouse_id": warehouse.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 4})],
            }
        )
        order.action_confirm()
        delivery = order.picking_ids
        delivery.move_ids.quantity = 4
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        ticket = self._ticket(picking_id=delivery.id, sale_order_id=order.id, ticket_type="return")
        action = ticket.action_create_return()
        wizard = self.env["stock.return.picking"].browse(action["res_id"]).with_context(**action["context"])
        wizard.product_return_moves.quantity = 1
        wizard.action_create_returns()
        returned = ticket.return_picking_ids
        self.assertEqual(len(returned), 1)
        self.assertEqual(returned.move_ids.product_uom_qty, 1)
        self.assertEqual(returned.return_id, delivery)
        replacement = self.env["sale.order"].browse(ticket.action_create_replacement()["res_id"])
        self.assertEqual(replacement.feedback_ticket_id, ticket)

    def test_access_by_team(self):
        outsider = new_test_user(
            self.env,
            login="fb_outsider",
            groups="crm_feedback.group_feedback_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        ticket = self._ticket()
        self.assertEqual(ticket.with_user(self.leader).subject, "Broken chair")
        with self.assertRaises(AccessError):
            ticket.with_user(outsider).read(["subject"])
        with self.assertRaises(AccessError):
            ticket.with_user(self.leader).unlink()
        plain = new_test_user(self.env, login="fb_plain", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["crm.feedback.ticket"].with_user(plain).search([])
