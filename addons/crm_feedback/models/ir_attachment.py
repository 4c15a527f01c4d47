from odoo import _, api, models
from odoo.exceptions import ValidationError

from ..tools import uploads

TICKET = "crm.feedback.ticket"


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    @api.model_create_multi
    def create(self, vals_list):
        attachments = super().create(vals_list)
        attachments._check_feedback_customer_file()
        return attachments

    def write(self, vals):
        res = super().write(vals)
        if vals.get("res_model") == TICKET or "raw" in vals or "datas" in vals:
            self._check_feedback_customer_file()
        return res

    def _check_feedback_customer_file(self):
        """A file a customer (portal or public user) attaches to a feedback ticket, through the forms or core's
        chatter upload: a JPEG, PNG or WebP image or a PDF document by its content, at most MAX_FILE_BYTES.
        Staff and the mail gateway attach what they need."""
        if not self.env.user.share:
            return
        # sudo: the check reads the file just written by this very user, whatever their read rights
        for attachment_sudo in self.sudo().filtered(lambda a: a.res_model == TICKET and a.type == "binary"):
            data = attachment_sudo.raw or b""
            if len(data) > uploads.MAX_FILE_BYTES or not uploads.sniff(data):
                raise ValidationError(
                    _(
                        "%(name)s cannot be attached to feedback: send JPEG, PNG or WebP images or PDF documents "
                        "of at most %(max)s MB.",
                        name=uploads.shown_name(attachment_sudo.name),
                        max=uploads.MAX_FILE_BYTES // (1024 * 1024),
                    )
                )
