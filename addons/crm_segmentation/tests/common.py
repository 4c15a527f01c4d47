from odoo import Command, fields

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class SegmentationCommon(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # evaluate lifecycle stages at posting time even when crm_erp_bridge defers them to its queue
        cls.env = cls.env(context=dict(cls.env.context, crm_lifecycle_sync=True))
        cls.env.user.groups_id |= cls.env.ref("sales_team.group_sale_manager")
        cls.company = cls.company_data["company"]
        cls.company.rfm_window_months = 24
        cls.product = cls.env["product.product"].create({"name": "Tea", "list_price": 10, "taxes_id": False})

    @classmethod
    def _customer(cls, name):
        return cls.env["res.partner"].create({"name": name, "is_company": True})

    @classmethod
    def _invoice(cls, partner, date, amount, move_type="out_invoice", currency=None):
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": fields.Date.to_date(date),
                "currency_id": (currency or cls.company.currency_id).id,
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": cls.product.id, "quantity": 1, "price_unit": amount, "tax_ids": False}
                    )
                ],
            }
        )
        move.action_post()
        return move
