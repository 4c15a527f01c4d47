import base64
import io
import json
import zipfile

import xlsxwriter

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import html2plaintext

SKIPPED_TYPES = ("binary", "one2many", "many2many", "properties", "properties_definition")
SKIPPED_PREFIXES = ("message_", "activity_", "website_message", "rating_", "access_", "__")
SECRET_WORDS = ("token", "nonce", "password", "secret", "hash")
# computed, not stored, but about the customer: the predictions of their score
EXTRA_FIELDS = {"crm.rfm.score": ["churn_probability", "clv_12m", "prediction_note"]}


class CrmPrivacyExport(models.TransientModel):
    """Everything our addons hold about one customer (their contacts included), as a ZIP of data.json,
    data.xlsx and manifest.json; each export is written to the personal data access log."""

    _name = "crm.privacy.export"
    _description = "Customer Relations: Personal Data Export"
    _check_company_auto = True

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    reason = fields.Char(help="Why the data is exported (a request of the customer, an authority...).")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    # an attachment of the wizard: deleted with it when the transient records are vacuumed (within hours)
    file_data = fields.Binary(readonly=True, attachment=True)
    file_name = fields.Char(readonly=True)

    def action_export(self):
        self.ensure_one()
        if not self.env.user.has_group("crm_privacy.group_privacy_officer"):
            raise AccessError(_("Only privacy officers may export a customer's personal data."))
        customer = self.partner_id.commercial_partner_id
        content = self._build_zip(customer)
        self.write(
            {
                "file_data": base64.b64encode(content),
                "file_name": f"personal-data-{customer.id}-{fields.Date.context_today(self)}.zip",
            }
        )
        self.env["crm.privacy.access.log"]._log("export_personal_data", customer, reason=self.reason)
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": f"/web/content/?model={self._name}&id={self.id}&field=file_data"
            "&filename_field=file_name&download=true",
        }

    # ------------------------------------------------------------------ content
    def _sections(self, customer):
        """[(key, description, model, domain)]: where our addons hold data about ``customer``; ``domain``
        may be a callable of the records found so far ({key: records})."""
        contacts = [("partner_id.commercial_partner_id", "=", customer.id)]
        companies = self.env.companies.ids
        return [
            (
                "contacts",
                _("The customer and their contacts"),
                "res.partner",
                [("commercial_partner_id", "=", customer.id)],
            ),
            ("loyalty_memberships", _("Loyalty memberships"), "crm.loyalty.membership", contacts),
            (
                "loyalty_ledger",
                _("Loyalty ledger entries (points earned, redeemed, expired)"),
                "crm.loyalty.entry",
                contacts,
            ),
            ("tickets", _("Support tickets"), "crm.feedback.ticket", [("commercial_partner_id", "=", customer.id)]),
            (
                "ticket_messages",
                _("Messages of the support tickets"),
                "mail.message",
                lambda found: [
                    ("model", "=", "crm.feedback.ticket"),
                    ("res_id", "in", found["tickets"].ids),
                    ("message_type", "in", ("email", "comment", "email_outgoing")),
                ],
            ),
            (
                "csat_answers",
                _("Satisfaction (CSAT) ratings of the tickets"),
                "rating.rating",
                lambda found: [
                    ("res_model", "=", "crm.feedback.ticket"),
                    ("res_id", "in", found["tickets"].ids),
                    ("consumed", "=", True),
                ],
            ),
            ("nps_answers", _("Net Promoter Score (NPS) answers"), "crm.feedback.nps", contacts),
            (
                "marketing_consents",
                _("Marketing consent given and withdrawn, per channel"),
                "crm.marketing.consent",
                contacts,
            ),
            (
                "rfm_scores",
                _("RFM scores, value class and predictions (churn, lifetime value)"),
                "crm.rfm.score",
                contacts,
            ),
            ("rfm_history", _("Monthly history of the RFM segment"), "crm.rfm.snapshot", contacts),
            ("lifecycle_history", _("Lifecycle stage history"), "crm.lifecycle.history", contacts),
            (
                "segment_memberships",
                _("Rule-based segments the customer belongs to"),
                "crm.rule.segment",
                [("partner_ids.commercial_partner_id", "=", customer.id), ("company_id", "in", [*companies, False])],
            ),
            *self._registered_sections(customer),
        ]

    def _registered_sections(self, customer):
        """The sections of the models that declare what they hold about a customer, whatever addon they come
        from (addons beside this one: churn risks, value policies, segment campaigns): a model sets
        ``_crm_privacy_export = (key, description, *computed fields to export)`` and has a ``partner_id`` to the
        customer or a contact."""
        sections = []
        for name in sorted(self.env.registry):
            Model = self.env[name]
            declared = getattr(type(Model), "_crm_privacy_export", None)
            if declared and not Model._abstract and not Model._transient and "partner_id" in Model._fields:
                key, description = declared[:2]
                sections.append((key, str(description), name, [("partner_id.commercial_partner_id", "=", customer.id)]))
        return sections

    def _fields_of(self, model):
        Model = self.env[model]
        names = [
            name
            for name, field in Model._fields.items()
            if name != "id"
            and field.store
            and field.type not in SKIPPED_TYPES
            and not name.startswith(SKIPPED_PREFIXES)
            # secrets (survey and portal tokens, confirmation nonces) and fields restricted to some groups
            # (the signup token of a contact) stay out, although the reads run as superuser
            and not any(word in name for word in SECRET_WORDS)
            and not field.groups
        ]
        # computed fields worth exporting: ours listed here, the registered sections' in their declaration
        extra = [*EXTRA_FIELDS.get(model, []), *(getattr(type(Model), "_crm_privacy_export", None) or ())[2:]]
        return names + [name for name in extra if name in Model._fields and name not in names]

    @api.model
    def _value(self, field, value):
        if field.type == "many2one":
            return value[1] if value else None
        if field.type == "html":
            return html2plaintext(value) if value else None
        if field.type in ("date", "datetime"):
            return str(value) if value else None
        if value is False and field.type not in ("boolean", "integer", "float", "monetary"):
            return None
        return value

    def _collect(self, customer):
        """{key: {"description", "model", "fields", "records": [dict]}}, one search and one read per section."""
        # sudo: a privacy officer exports everything held about the customer, in models whose own rights
        # they may lack (the tickets of another team, the loyalty ledger); the reads keep to this customer,
        # their contacts and what they left in our models, in the officer's companies
        env_sudo = self.sudo().env
        companies = self.env.companies
        found = {}
        data = {}
        for key, description, model, domain in self._sections(customer):
            Model_sudo = env_sudo[model].with_context(active_test=False, allowed_company_ids=companies.ids)
            if callable(domain):
                domain = domain(found)
            if "company_id" in Model_sudo._fields and model not in ("res.partner", "crm.rule.segment"):
                domain = [*domain, ("company_id", "in", [*companies.ids, False])]
            records = Model_sudo.search(domain, order="id")
            found[key] = records
            names = ["id", *self._fields_of(model)]
            rows = records.read(names)
            data[key] = {
                "description": description,
                "model": model,
                "fields": names,
                "records": [{name: self._value(records._fields[name], row[name]) for name in names} for row in rows],
            }
        data["profitability"] = self._profitability(customer, companies)
        return data

    def _profitability(self, customer, companies):
        Fact = self.env["crm.sales.fact"]
        measures = Fact._fact_measures()
        totals = Fact._customer_totals(customer, companies, measures=list(measures))
        rows = []
        for company in companies:
            figures = totals.get((customer.id, company.id))
            if figures:
                rows.append({"company": company.name, **{name: self._plain(value) for name, value in figures.items()}})
        return {
            "description": _("Lifetime profitability figures per company (Customer Facts)"),
            "model": "crm.sales.fact",
            "fields": ["company", *measures],
            "records": rows,
        }

    @api.model
    def _plain(self, value):
        return str(value) if hasattr(value, "isoformat") else value

    def _build_zip(self, customer):
        data = self._collect(customer)
        manifest = {
            "customer": customer.display_name,
            "customer_id": customer.id,
            "generated_at": fields.Datetime.to_string(fields.Datetime.now()),
            "generated_by": self.env.user.name,
            "files": {
                "data.json": _("Every section below as a JSON object: its description, model, fields and records."),
                "data.xlsx": _("One sheet per section below, one row per record, one column per field."),
                "manifest.json": _("This file: what each file and section holds."),
            },
            "sections": {
                key: {
                    "description": section["description"],
                    "model": section["model"],
                    "records": len(section["records"]),
                    "fields": section["fields"],
                }
                for key, section in data.items()
            },
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False, default=str))
            archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False, default=str))
            archive.writestr("data.xlsx", self._workbook(data))
        return buffer.getvalue()

    @api.model
    def _workbook(self, data):
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        for key, section in data.items():
            sheet = book.add_worksheet(key[:31])
            columns = section["fields"]
            for col, name in enumerate(columns):
                sheet.write(0, col, name, header)
            for row, record in enumerate(section["records"], start=1):
                for col, name in enumerate(columns):
                    value = record.get(name)
                    if not isinstance(value, (int, float, str, bool, type(None))):
                        value = str(value)
                    sheet.write(row, col, value)
        book.close()
        return buffer.getvalue()
