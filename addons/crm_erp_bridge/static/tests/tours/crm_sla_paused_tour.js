import { registry } from "@web/core/registry";

// Journey 8: a support agent has asked the customer for a photo and moves the ticket to "Waiting for
// Customer": the SLA clock stops, the form says so.
registry.category("web_tour.tours").add("crm_sla_paused_tour", {
    steps: () => [
        {
            content: "Look at the SLA",
            trigger: ".o_form_view .o_notebook a.nav-link[name=sla]",
            run: "click",
        },
        {
            content: "The ticket runs against its SLA",
            trigger: ".o_form_view .o_field_widget[name=sla_status] .badge:contains('On time')",
        },
        {
            content: "Wait for the customer's answer",
            trigger: ".o_form_view .o_statusbar_status button:contains('Waiting for Customer')",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Waiting for Customer')",
        },
        {
            content: "The SLA is paused since now, each running target too",
            trigger: ".o_form_view .o_field_widget[name=sla_status] .badge:contains('Paused')",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=sla_paused_since]",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=sla_response_status] .badge:contains('Paused')",
        },
    ],
});
