import { registry } from "@web/core/registry";

// Journey 10: a marketing user opens a rule segment, creates its mailing list (filled at once with the
// members who consent to e-mail marketing), looks at the list's contacts (the consenting member only) and
// opens a new mailing to that list.
registry.category("web_tour.tours").add("crm_segment_mailing_tour", {
    steps: () => [
        {
            content: "The segment's members",
            trigger: ".o_form_view .o_field_widget[name=name] input:value(Tour Tea Lovers)",
        },
        {
            content: "Create the segment's mailing list",
            trigger: ".o_form_view .o_form_statusbar button[name=action_create_mailing_list]",
            run: "click",
        },
        {
            content: "The list is linked and synced",
            trigger: ".o_form_view .o_field_widget[name=mailing_list_id] input:value(Tour Tea Lovers)",
        },
        {
            content: "Only the consenting member is on the list",
            trigger: ".o_form_view button[name=action_view_mailing_contacts]:contains('1')",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Tour Ann Consenting')",
        },
        {
            content: "The member without consent is not on the list",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Tour Bob Silent')))",
        },
        {
            content: "Back to the segment",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Tour Tea Lovers')",
            run: "click",
        },
        {
            content: "A new mailing to the segment's list",
            trigger: ".o_form_view .o_form_statusbar button[name=action_new_mailing]",
            run: "click",
        },
        {
            content: "The mailing goes to the segment's list",
            trigger: ".o_form_view .o_field_widget[name=contact_list_ids] .o_tag:contains('Tour Tea Lovers')",
        },
        {
            content: "Write its subject",
            trigger: ".o_form_view .o_field_widget[name=subject] input",
            run: "edit Our spring teas are here",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=subject] input:value(Our spring teas are here)",
        },
        {
            content: "The body's templates are offered",
            trigger: ":iframe .o_mail_theme_selector_new",
        },
    ],
});
