"""18.0.1.3.0: the sentiment analysers (VADER and SnowNLP, Python libraries outside Odoo's requirements) moved to the
addon crm_feedback_sentiment, installed automatically with crm_feedback when those libraries are present.
An update (``-u``) installs no new auto-install addon by itself: mark it to install here when its libraries
are present, and Odoo installs it in the same run, after the addons being updated. The stored sentiments
are left as they are."""

import logging

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    glue = env["ir.module.module"].search([("name", "=", "crm_feedback_sentiment"), ("state", "=", "uninstalled")])
    if not glue:
        return
    try:
        with cr.savepoint():
            glue.button_install()
    except UserError as exc:  # a library missing: tickets are no longer analysed
        _logger.warning("crm_feedback: tickets and NPS answers will not be analysed for sentiment: %s", exc)
