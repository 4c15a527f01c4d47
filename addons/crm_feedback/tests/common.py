import re

from odoo import Command

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class FeedbackCommon(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env.user.groups_id |= (
            env.ref("crm_feedback.group_feedback_manager")
            | env.ref("sales_team.group_sale_manager")
            | env.ref("stock.group_stock_manager")
        )
        cls.company = cls.company_data["company"]
        cls.calendar = env["resource.calendar"].create(
            {
                "name": "Weekdays 8-17 UTC",
                "tz": "UTC",
                "company_id": cls.company.id,
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"{day} {period}",
                            "dayofweek": str(day),
                            "hour_from": start,
                            "hour_to": end,
                            "day_period": period,
                        }
                    )
                    for day in range(5)
                    for start, end, period in ((8, 12, "morning"), (13, 17, "afternoon"))
                ],
            }
        )
        cls.leader = env["res.users"].create(
            {
                "name": "Team Leader",
                "login": "fb_leader",
                "email": "leader@example.com",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [Command.set([env.ref("crm_feedback.group_feedback_user").id])],
            }
        )
        cls.team = env["crm.feedback.team"].create(
            {
                "name": "Care",
                "company_id": cls.company.id,
                "leader_id": cls.leader.id,
                "member_ids": [Command.set(cls.leader.ids)],
                "resource_calendar_id": cls.calendar.id,
                "alias_name": "care-test",
                "sla_ids": [
                    Command.create(
                        {"name": "Complaints", "ticket_type": "complaint", "response_hours": 4, "resolution_hours": 16}
                    )
                ],
            }
        )
        cls.customer = env["res.partner"].create(
            {"name": "Unhappy Ltd", "is_company": True, "email": "unhappy@example.com"}
        )
        cls.other_customer = env["res.partner"].create({"name": "Other Ltd", "is_company": True})
        cls.stage_solved = env.ref("crm_feedback.stage_solved")

    @classmethod
    def _ticket(cls, **vals):
        base = {
            "subject": "Broken chair",
            "description": "<p>The chair is broken.</p>",
            "partner_id": cls.customer.id,
            "team_id": cls.team.id,
            "company_id": cls.company.id,
        }
        base.update(vals)
        return cls.env["crm.feedback.ticket"].create(base)


def confirmation_url(test, ticket):
    """The confirmation link queued for this ticket (the last one sent), as a path."""
    mails = test.env["mail.mail"].search([("model", "=", ticket._name), ("res_id", "=", ticket.id)], order="id desc")
    mail = mails.filtered(lambda m: "/feedback/confirm/" in str(m.body_html))[:1]
    test.assertTrue(mail, "a confirmation e-mail is queued")
    test.assertEqual(mail.email_to, ticket.email_from)
    return re.search(r'href="[^"]*?(/feedback/confirm/[^"]+)"', str(mail.body_html)).group(1)


def confirm_from_mail(test, ticket):
    """Open the e-mailed confirmation link of an HttpCase's ticket and press its button."""
    url = confirmation_url(test, ticket)
    page = test.url_open(url)
    test.assertEqual(page.status_code, 200)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    resp = test.url_open(url, data={"csrf_token": csrf})
    test.assertEqual(resp.status_code, 200)
    ticket.invalidate_recordset()
    return resp
