import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Journey 3: a support agent takes a complaint from the kanban, replies, issues a credit note from it
// and closes it (the customer's satisfaction request is queued).
registry.category("web_tour.tours").add("crm_agent_ticket_tour", {
    url: "/odoo/action-crm_feedback.crm_feedback_ticket_action",
    steps: () => [
        {
            content: "Take the complaint from the kanban",
            trigger: ".o_kanban_view .o_kanban_record:contains('Tour lamp arrived broken')",
            run: "click",
        },
        {
            content: "Assign it to myself",
            trigger: ".o_form_view div[name=user_id] input",
            run: "edit Tour Agent",
        },
        {
            trigger: ".ui-menu-item a:contains('Tour Agent')",
            run: "click",
        },
        ...stepUtils.saveForm(),
        {
            content: "Reply to the customer",
            trigger: ".o-mail-Chatter button.o-mail-Chatter-sendMessage",
            run: "click",
        },
        {
            trigger: ".o-mail-Composer-input",
            run: "edit We are sorry: a credit note follows today.",
        },
        {
            trigger: ".o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            trigger: ".o-mail-Message:contains('a credit note follows today')",
        },
        {
            content: "Issue the credit note through Odoo's reversal wizard",
            trigger: ".o_form_view .o_form_statusbar button[name=action_create_credit_note]",
            run: "click",
        },
        {
            trigger: ".modal div[name=reason] input",
            run: "edit Broken lamp",
        },
        {
            trigger: ".modal footer button[name=refund_moves]",
            run: "click",
        },
        {
            content: "The draft credit note opens",
            trigger: ".o_form_view .o_breadcrumb .active:contains('Credit Note')",
        },
        {
            content: "Back to the ticket",
            trigger: ".o_breadcrumb ol.breadcrumb li:last-child a",
            run: "click",
        },
        {
            trigger: ".o_form_view .oe_stat_button[name=action_view_credit_notes]:contains('1')",
        },
        {
            content: "Close the ticket",
            trigger: ".o_form_view .o_statusbar_status button:contains('Solved')",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Solved')",
        },
        {
            content: "The stage change is saved (the statusbar saves it): its tracking shows in the chatter",
            trigger: ".o-mail-Message:contains('Solved')",
        },
    ],
});
