"""18.0.1.6.0: the churn and lifetime value models (BG/NBD and Gamma-Gamma, on scientific Python libraries) moved to the
addon crm_segmentation_clv, installed automatically with crm_segmentation when those libraries are present.
An update (``-u``) installs no new auto-install addon by itself: mark it to install here when its libraries
are present, and Odoo installs it in the same run, after the addons being updated. The stored predictions
are left as they are."""

import logging

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    glue = env["ir.module.module"].search([("name", "=", "crm_segmentation_clv"), ("state", "=", "uninstalled")])
    if not glue:
        return
    try:
        with cr.savepoint():
            glue.button_install()
    except UserError as exc:  # a library missing: the segmentation works on, without predictions
        _logger.warning("crm_segmentation: churn and lifetime value will not be predicted: %s", exc)
