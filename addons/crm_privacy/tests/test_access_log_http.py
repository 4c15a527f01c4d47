from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestAccessLogHttp(HttpCase):
    """The web client opening a customer's 360 panel: web_read runs on a read-only cursor first (Odoo 18
    serves it from a replica when there is one, simulated in tests); the log row is written all the same."""

    def test_web_client_360_read_is_logged(self):
        salesman = new_test_user(self.env, login="privacy_http_sales", groups="sales_team.group_sale_salesman")
        customer = self.env["res.partner"].create({"name": "Http Customer", "is_company": True})
        self.authenticate("privacy_http_sales", "privacy_http_sales")
        result = self.make_jsonrpc_request(
            "/web/dataset/call_kw/res.partner/web_read",
            {
                "model": "res.partner",
                "method": "web_read",
                "args": [customer.ids],
                "kwargs": {"specification": {"name": {}, "crm360_revenue_total": {}}},
            },
        )
        self.assertEqual(result[0]["name"], "Http Customer")
        log = self.env["crm.privacy.access.log"].sudo().search([("partner_ids", "in", customer.ids)])
        self.assertEqual(len(log), 1)
        self.assertEqual((log.action, log.user_id), ("view_360", salesman))
