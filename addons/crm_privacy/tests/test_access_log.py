from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.crm_privacy.models.res_partner import LOGGED_360

from .common import PrivacyCommon


@tagged("post_install", "-at_install")
class TestAccessLog(PrivacyCommon):
    def _logs(self, action, customer=None):
        domain = [("action", "=", action)]
        if customer:
            domain.append(("partner_ids", "in", customer.ids))
        return self.Log.sudo().search(domain)

    def test_salesperson_opening_360_is_logged_once(self):
        customer = self.customer.with_user(self.salesman)
        customer.web_read({"name": {}, "email": {}})
        self.assertFalse(self._logs("view_360", self.customer), "no 360 figure asked: nothing logged")
        customer.web_read({"name": {}, "crm360_revenue_total": {}, "crm360_refreshed_at": {}})
        log = self._logs("view_360", self.customer)
        self.assertEqual(len(log), 1)
        self.assertEqual(log.user_id, self.salesman)
        self.assertEqual(log.partner_ids, self.customer)
        self.assertEqual(log.partner_count, 1)
        self.assertEqual(log.company_id, self.company)
        # the same request reads again (the dashboard after the form): no second row
        customer.web_read({"crm360_receivable": {}})
        self.contact.with_user(self.salesman).read(["crm360_overdue"])
        self.assertEqual(len(self._logs("view_360", self.customer)), 1)
        # the compute alone (other code reading the figures) logs nothing
        other = self.env["res.partner"].create({"name": "Computed Only"})
        other.with_user(self.salesman).crm360_revenue_total  # noqa: B018
        self.assertFalse(self._logs("view_360", other))
        # the salesperson cannot read the log of their own access
        with self.assertRaises(AccessError):
            self.Log.with_user(self.salesman).search([])
        with self.assertRaises(AccessError):
            log.with_user(self.salesman).read(["partner_ids"])
        self.assertEqual(log.with_user(self.officer).partner_ids, self.customer)

    def test_search_read_and_export_are_logged_set_based(self):
        """Every way a client reads the figures is logged, in one row for the customers of the call."""
        other = self.env["res.partner"].create({"name": "Second Customer Ltd", "is_company": True})
        customers = self.customer | other
        partners = self.env["res.partner"].with_user(self.salesman)
        # an RPC client's search_read (no read() on the way): one row listing both customers
        rows = partners.search_read([("id", "in", customers.ids)], ["name", "crm360_revenue_total"])
        self.assertEqual(len(rows), 2)
        log = self._logs("view_360")
        self.assertEqual(len(log), 1, "one insert for the list of customers")
        self.assertEqual(log.partner_ids, customers)
        self.assertEqual(log.partner_count, 2)
        # the web client's list (web_search_read) in the same request: already logged
        partners.web_search_read([("id", "in", customers.ids)], {"crm360_receivable": {}})
        self.assertEqual(len(self._logs("view_360")), 1)
        # a search_read without the figures logs nothing
        self.env.cr.cache.pop(LOGGED_360, None)
        partners.search_read([("id", "in", customers.ids)], ["name"])
        self.assertEqual(len(self._logs("view_360")), 1)
        # an export of the figures, in a new request
        self.salesman.groups_id |= self.env.ref("base.group_allow_export")
        third = self.env["res.partner"].create({"name": "Third Customer Ltd", "is_company": True})
        third.with_user(self.salesman).export_data(["name", "crm360_receivable"])
        exported = self._logs("view_360", third)
        self.assertEqual(len(exported), 1)
        self.assertEqual(exported.partner_ids, third)
        self.assertEqual(exported.user_id, self.salesman)
        # an export without the figures logs nothing
        fourth = self.env["res.partner"].create({"name": "Fourth Customer Ltd", "is_company": True})
        fourth.with_user(self.salesman).export_data(["name"])
        self.assertFalse(self._logs("view_360", fourth))

    def test_contact_logs_its_customer(self):
        self.contact.with_user(self.salesman).web_read({"crm360_revenue_12m": {}})
        self.assertEqual(self._logs("view_360").partner_ids, self.customer)

    def test_append_only(self):
        log = self.Log._log("view_360", self.customer)
        officer_log = log.with_user(self.officer)
        with self.assertRaises(AccessError):
            officer_log.write({"reason": "tampered"})
        with self.assertRaises(AccessError):
            officer_log.unlink()
        with self.assertRaises(AccessError):
            self.Log.with_user(self.officer).create({"action": "view_360"})
        # even with write and delete rights granted by mistake, only the superuser changes or deletes rows
        self.env["ir.model.access"].create(
            {
                "name": "too wide",
                "model_id": self.env["ir.model"]._get_id("crm.privacy.access.log"),
                "group_id": self.env.ref("crm_privacy.group_privacy_officer").id,
                "perm_read": True,
                "perm_write": True,
                "perm_unlink": True,
            }
        )
        with self.assertRaises(AccessError):
            officer_log.write({"reason": "tampered"})
        with self.assertRaises(AccessError):
            officer_log.unlink()
        self.assertFalse(log.reason)
        self.assertTrue(log.exists())

    def test_multi_company(self):
        other_company = self.env["res.company"].create({"name": "Other Company"})
        self.officer.company_ids |= other_company
        here = self.Log._log("view_360", self.customer)
        there = self.Log.with_company(other_company)._log("view_360", self.customer)
        self.assertEqual(there.company_id, other_company)
        officer_logs = self.Log.with_user(self.officer).with_context(allowed_company_ids=self.company.ids)
        self.assertEqual(officer_logs.search([("id", "in", (here | there).ids)]), here)

    def test_retention_deletes_only_old_rows(self):
        other_company = self.env["res.company"].create({"name": "Other Company", "privacy_log_retention_days": 500})
        self.assertEqual(self.company.privacy_log_retention_days, 365, "a year by default")
        now = fields.Datetime.now()
        old, recent, just_kept = (self.Log._log("view_360", self.customer) for _i in range(3))
        kept_elsewhere = self.Log.with_company(other_company)._log("view_360", self.customer)
        # the rows' dates: superuser only (the log's dates are never changed otherwise)
        old.sudo().date = now - timedelta(days=400)
        recent.sudo().date = now - timedelta(days=10)
        just_kept.sudo().date = now - timedelta(days=364)
        kept_elsewhere.sudo().date = now - timedelta(days=400)
        older = self.Log._log("view_360", self.customer)
        older.sudo().date = now - timedelta(days=800)
        # batches of one: the cron goes on until nothing old remains
        self.Log._cron_purge(batch_size=1)
        self.assertFalse((old | older).exists())
        self.assertEqual((recent | just_kept | kept_elsewhere).exists(), recent | just_kept | kept_elsewhere)

    def test_retention_progress_batches(self):
        now = fields.Datetime.now()
        logs = self.Log.browse([self.Log._log("view_360", self.customer).id for _i in range(3)])
        logs.sudo().date = now - timedelta(days=400)
        self.assertEqual(self.Log._purge(batch_size=2), (2, 1))
        self.assertEqual(self.Log._purge(batch_size=2), (1, 0))
        self.assertFalse(logs.exists())

    def test_accounting_workbook_is_logged(self):
        today = fields.Date.context_today(self.env.user)
        wizard = (
            self.env["crm.accounting.export"]
            .with_user(self.accountant)
            .create({"date_from": today.replace(month=1, day=1), "date_to": today})
        )
        wizard.action_export()
        log = self._logs("accounting_workbook")
        self.assertEqual(len(log), 1)
        self.assertEqual(log.user_id, self.accountant)
        self.assertEqual(log.company_id, self.company)
        self.env["crm.accounting.export"]._cron_export()
        self.assertEqual(len(self._logs("accounting_workbook")), 1 + self.env["res.company"].search_count([]))
