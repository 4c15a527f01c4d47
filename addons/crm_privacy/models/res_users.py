from odoo import models

# context key of an erasure: the login it gives the archived portal user is no security update for anybody
ERASING = "crm_privacy_erasing"


class ResUsers(models.Model):
    _inherit = "res.users"

    def _notify_security_setting_update(self, subject, content, mail_values=None, **kwargs):
        """No "Login Changed" e-mail for a login an erasure changed: it would quote the erased name."""
        if self.env.context.get(ERASING):
            return
        return super()._notify_security_setting_update(subject, content, mail_values=mail_values, **kwargs)
