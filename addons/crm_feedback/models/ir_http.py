from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _serve_fallback(cls):
        # a path with a NUL (/feedback/confirm/%00) matches no route and no attachment URL; looking one up
        # would make PostgreSQL refuse the query and the visitor get an HTTP 500 instead of the 404
        if "\x00" in request.httprequest.path:
            return None
        return super()._serve_fallback()
