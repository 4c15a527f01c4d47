"""Glue addons of optional Python libraries (sentiment analysers, the CLV models).

They are not ``auto_install``: Odoo refuses to install an addon when one of the auto-install addons it
would pull in lacks an external dependency, so a merchant without the libraries could not install the base
addon at all. Their base addon marks them to install instead (on installation and on update), when their
libraries are present; Odoo installs them in the same run."""

import logging

from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


def install_glue(env, name):
    """Mark the glue addon ``name`` to install if it is not, and its libraries are present; log otherwise."""
    glue = env["ir.module.module"].search([("name", "=", name), ("state", "=", "uninstalled")])
    if not glue:
        return False
    try:
        with env.cr.savepoint():
            glue.button_install()
    except UserError as exc:  # a library missing: the base addon works on without what the glue adds
        _logger.warning("%s is not installed, its optional libraries are missing: %s", name, exc)
        return False
    return True
