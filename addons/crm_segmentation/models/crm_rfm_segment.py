from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CrmRfmSegment(models.Model):
    """Named RFM segment: a rectangle of the R score x FM score grid (FM = rounded mean of F and M)."""

    _name = "crm.rfm.segment"
    _description = "RFM Segment"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Technical key of a seeded segment: filters and code use it, never the translated name.",
    )
    sequence = fields.Integer(default=10)
    r_min = fields.Integer(string="R from", required=True, default=1)
    r_max = fields.Integer(string="R to", required=True, default=5)
    fm_min = fields.Integer(string="FM from", required=True, default=1)
    fm_max = fields.Integer(string="FM to", required=True, default=5)
    description = fields.Text(translate=True)
    action_hint = fields.Char(string="Recommended Treatment", translate=True)
    color = fields.Integer()

    _sql_constraints = [
        (
            "range_valid",
            (
                "CHECK(r_min BETWEEN 1 AND 5 AND r_max BETWEEN 1 AND 5 AND r_min <= r_max "
                "AND fm_min BETWEEN 1 AND 5 AND fm_max BETWEEN 1 AND 5 AND fm_min <= fm_max)"
            ),
            "Score ranges go from 1 to 5, the lower bound first.",
        ),
    ]

    @api.constrains("r_min", "r_max", "fm_min", "fm_max")
    def _check_no_overlap(self):
        segments = self.search([])
        for seg in self:
            for other in segments - seg:
                if (
                    seg.r_min <= other.r_max
                    and other.r_min <= seg.r_max
                    and seg.fm_min <= other.fm_max
                    and other.fm_min <= seg.fm_max
                ):
                    raise ValidationError(
                        _(
                            "The RFM segments %(a)s and %(b)s overlap: each score cell belongs to one segment.",
                            a=seg.name,
                            b=other.name,
                        )
                    )
