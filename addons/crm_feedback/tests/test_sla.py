import importlib.util
from datetime import date, datetime, time, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import file_path

from .common import FeedbackCommon


@tagged("post_install", "-at_install")
class TestSla(FeedbackCommon):
    """SLA targets in working hours of the team's calendar (8-12 and 13-17 UTC, Monday to Friday, with the
    Wednesday of the week off), the clock stopped while the ticket waits for the customer. Every event runs
    under the same frozen clock, on the days of a Monday taken from today (no date is compared with the
    database's clock)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = date.today()
        cls.monday = today - timedelta(days=today.weekday() + 7)  # the Monday of last week
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": cls.calendar.id,
                "date_from": cls._at(2, 0),
                "date_to": cls._at(2, 23, 59),
            }
        )
        cls.sla_team = cls.env["crm.feedback.team"].create(
            {
                "name": "Care with next reply",
                "company_id": cls.company.id,
                "leader_id": cls.leader.id,
                "member_ids": [Command.set(cls.leader.ids)],
                "resource_calendar_id": cls.calendar.id,
                "sla_ids": [
                    Command.create(
                        {
                            "name": "Standard",
                            "response_hours": 4,
                            "next_response_hours": 2,
                            "resolution_hours": 16,
                        }
                    )
                ],
            }
        )
        cls.stage_waiting = cls.env.ref("crm_feedback.stage_waiting")
        cls.stage_progress = cls.env.ref("crm_feedback.stage_in_progress")

    @classmethod
    def _at(cls, day, hour, minute=0):
        """``day`` days after the Monday, at ``hour``:``minute`` UTC."""
        return datetime.combine(cls.monday + timedelta(days=day), time(hour, minute))

    def _frozen(self, day, hour, minute=0):
        return freeze_time(self._at(day, hour, minute))

    def _customer_writes(self, ticket, body="Any news?"):
        ticket.message_post(
            body=body, author_id=self.customer.id, message_type="comment", subtype_xmlid="mail.mt_comment"
        )

    def _staff_replies(self, ticket, body="We are on it."):
        ticket.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_comment")

    def _cron(self):
        return self.env["crm.feedback.ticket"]._cron_check_sla()

    def test_waiting_for_customer_stops_the_clock_on_working_hours(self):
        self.assertTrue(self.stage_waiting.sla_paused, "the shipped stage waiting for the customer stops the clock")
        with self._frozen(0, 12):  # Monday, lunch break
            ticket = self._ticket(team_id=self.sla_team.id)
        # first reply: 4 working hours, 13:00-17:00 on Monday
        self.assertEqual(ticket.sla_response_deadline, self._at(0, 17))
        # resolution: 16 working hours: Monday 4, Tuesday 8, Wednesday is a leave, Thursday 8:00-12:00
        self.assertEqual(ticket.sla_resolution_deadline, self._at(3, 12))
        self.assertEqual(ticket.sla_next_response_status, "none", "no customer message after a reply yet")
        with self._frozen(0, 16):
            ticket.stage_id = self.stage_waiting
            self.assertEqual(ticket.sla_paused_since, self._at(0, 16))
            self.assertEqual((ticket.sla_status, ticket.sla_response_status), ("paused", "paused"))
        with self._frozen(1, 9, 30):  # past the first reply deadline, but the clock stands still
            self.assertFalse(self._cron(), "no breach while the ticket waits for the customer")
        with self._frozen(1, 10):
            ticket.stage_id = self.stage_progress
        # paused Monday 16:00-17:00 and Tuesday 8:00-10:00: 3 working hours, the running deadlines move by 3 h
        self.assertEqual(ticket.sla_paused_hours, 3.0)
        self.assertFalse(ticket.sla_paused_since)
        self.assertEqual(ticket.sla_response_deadline, self._at(1, 11), "Monday 17:00 + 3 h: Tuesday 11:00")
        self.assertEqual(ticket.sla_resolution_deadline, self._at(3, 16), "Thursday 12:00 + 3 h (lunch): 16:00")
        with self._frozen(1, 10, 30):
            self.assertFalse(self._cron())
            self.assertEqual(ticket.sla_status, "at_risk")
        with self._frozen(1, 11, 30):
            self.assertEqual(self._cron(), ticket, "the cron flags the first reply once its moved deadline passed")
            self.assertFalse(self._cron(), "flagged once")
        self.assertEqual(
            (ticket.sla_response_breached, ticket.sla_next_response_breached, ticket.sla_resolution_breached),
            (True, False, False),
        )
        self.assertTrue(ticket.sla_breached, "a breached target breaches the ticket's SLA")
        self.assertEqual((ticket.sla_response_status, ticket.sla_resolution_status), ("breached", "running"))
        with self._frozen(3, 15):
            ticket.stage_id = self.stage_solved
        self.assertEqual(ticket.sla_resolution_status, "met", "solved before Thursday 16:00")
        self.assertFalse(ticket.sla_resolution_breached)

    def test_next_reply_target_after_each_customer_message(self):
        with self._frozen(0, 9):
            ticket = self._ticket(team_id=self.sla_team.id)
        with self._frozen(0, 9, 30):
            self._staff_replies(ticket)
        self.assertEqual(ticket.date_first_response, self._at(0, 9, 30))
        self.assertEqual(ticket.sla_response_status, "met")
        with self._frozen(0, 16):
            self._customer_writes(ticket)
        self.assertEqual(ticket.sla_next_response_start, self._at(0, 16))
        # 2 working hours: Monday 16:00-17:00 and Tuesday 8:00-9:00
        self.assertEqual(ticket.sla_next_response_deadline, self._at(1, 9))
        with self._frozen(0, 16, 30):
            self._customer_writes(ticket, "Hello?")
        self.assertEqual(ticket.sla_next_response_deadline, self._at(1, 9), "the first unanswered message counts")
        with self._frozen(1, 8, 30):
            self.assertFalse(self._cron())
            self.assertEqual(ticket.sla_next_response_status, "running")
            self._staff_replies(ticket, "Shipped today.")
        self.assertEqual(ticket.sla_next_response_reached, self._at(1, 8, 30))
        self.assertEqual(ticket.sla_next_response_status, "met")
        self.assertFalse(ticket.sla_next_response_start)
        with self._frozen(1, 10):
            self._customer_writes(ticket, "Not arrived.")
        self.assertEqual(ticket.sla_next_response_deadline, self._at(1, 12))
        with self._frozen(1, 11, 59):
            self.assertFalse(self._cron())
        with self._frozen(1, 12, 1):
            self.assertEqual(self._cron(), ticket)
        self.assertEqual(
            (ticket.sla_response_breached, ticket.sla_next_response_breached, ticket.sla_resolution_breached),
            (False, True, False),
        )
        self.assertTrue(ticket.sla_breached and ticket.sla_escalated)
        self.assertEqual(ticket.activity_ids.user_id, self.leader, "the leader is told")
        with self._frozen(1, 13):
            self._staff_replies(ticket, "Sorry, here it is.")
        self.assertEqual(ticket.sla_next_response_status, "breached", "a late reply stays a breach")

    def test_customer_message_while_waiting_counts_from_the_message(self):
        with self._frozen(0, 9):
            ticket = self._ticket(team_id=self.sla_team.id)
            self._staff_replies(ticket, "Could you send a photo?")
            ticket.stage_id = self.stage_waiting
        with self._frozen(0, 15):
            self._customer_writes(ticket, "Here is the photo.")
        self.assertEqual(ticket.sla_next_response_deadline, self._at(0, 17))
        self.assertEqual(ticket.sla_next_response_status, "paused")
        with self._frozen(1, 9):
            self.assertFalse(self._cron(), "past 17:00, but the ticket still waits: no breach")
            ticket.stage_id = self.stage_progress
        # resolution: paused Monday 9:00-12:00, 13:00-17:00 and Tuesday 8:00-9:00 (8 h): Thursday 9:00 + 8 h
        # (with the lunch break) is Friday 9:00
        self.assertEqual(ticket.sla_paused_hours, 8.0)
        self.assertEqual(ticket.sla_resolution_deadline, self._at(4, 9))
        # next reply: paused only since the message (Monday 15:00-17:00, Tuesday 8:00-9:00: 3 h)
        self.assertEqual(ticket.sla_next_response_deadline, self._at(1, 11))

    def test_target_reached_late_without_the_cron_is_breached(self):
        with self._frozen(0, 9):
            ticket = self._ticket(team_id=self.sla_team.id)
        with self._frozen(0, 14):  # 9:00-12:00 and 13:00-14:00: 4 working hours, on the deadline
            self._staff_replies(ticket)
        self.assertFalse(ticket.sla_response_breached)
        with self._frozen(3, 13):  # resolution: Monday 7 h, Tuesday 8 h, Wednesday off, Thursday 8:00-9:00
            self.assertEqual(ticket.sla_resolution_deadline, self._at(3, 9))
            ticket.stage_id = self.stage_solved
        self.assertTrue(ticket.sla_resolution_breached and ticket.sla_breached)
        self.assertEqual((ticket.sla_response_status, ticket.sla_resolution_status), ("met", "breached"))

    def test_closing_without_a_reply_after_the_deadline_breaches_the_first_reply(self):
        """Closing reaches the targets still running (the compliance report counts them done): past their
        deadline they are breached, not met, even when the SLA check did not run in between."""
        with self._frozen(0, 9):
            late, early = self._ticket(team_id=self.sla_team.id), self._ticket(team_id=self.sla_team.id)
        with self._frozen(0, 11):  # before the first reply deadline (4 working hours)
            early.stage_id = self.stage_solved
        with self._frozen(1, 10):  # long after it, without any reply
            late.stage_id = self.stage_solved
        self.assertFalse(late.date_first_response)
        self.assertTrue(late.sla_response_breached and late.sla_breached)
        self.assertEqual(late.sla_response_status, "breached")
        self.assertFalse(early.sla_response_breached or early.sla_breached)
        self.assertEqual(early.sla_response_status, "met")

    def test_reception_date_written_later_moves_the_deadlines(self):
        """An import writes the reception date of a ticket created today: its deadlines count from it, and
        closing it without a reply breaches the first reply."""
        with self._frozen(1, 9):
            ticket = self._ticket(team_id=self.sla_team.id)
            self.assertEqual(ticket.sla_response_deadline, self._at(1, 14))
            ticket.date_open = self._at(0, 9)
            self.assertEqual(ticket.sla_response_deadline, self._at(0, 14))  # 4 working hours, lunch at 12
        with self._frozen(1, 10):
            ticket.stage_id = self.stage_solved
        self.assertTrue(ticket.sla_response_breached)

    def test_migration_flags_the_late_target_and_pauses_waiting_tickets(self):
        with self._frozen(0, 9):
            unanswered, answered, waiting = (self._ticket(team_id=self.sla_team.id) for _i in range(3))
        with self._frozen(0, 10):
            self._staff_replies(answered)
        # as before the update: one breach flag per ticket, the waiting stage did not stop the clock
        (unanswered | answered).write({"sla_breached": True})
        self.stage_waiting.sla_paused = False
        waiting.stage_id = self.stage_waiting
        self.assertFalse(waiting.sla_paused_since)
        path = file_path("crm_feedback/migrations/18.0.1.5.0/post-migrate.py")
        spec = importlib.util.spec_from_file_location("crm_feedback_post_migrate_18_0_1_5_0", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        self.env.flush_all()  # the update runs on what the database holds
        with self._frozen(1, 9):
            migration.migrate(self.env.cr, "18.0.1.4.0")
        self.assertTrue(self.stage_waiting.sla_paused)
        self.assertEqual(
            (unanswered.sla_response_breached, unanswered.sla_resolution_breached), (True, False), "never answered"
        )
        self.assertEqual(
            (answered.sla_response_breached, answered.sla_resolution_breached), (False, True), "answered on time"
        )
        self.assertFalse(waiting.sla_response_breached or waiting.sla_resolution_breached)
        self.assertEqual(waiting.sla_paused_since, self._at(1, 9), "a waiting ticket's clock stops from the update")
