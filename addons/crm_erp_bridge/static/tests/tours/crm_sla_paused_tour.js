import { registry } from "@web/core/registry";

// Journey 8: a support agent has asked the customer for a photo and moves the ticket to "Waiting for
// Customer": the SLA clock stops, the form says so. Walked in English and in Chinese (the labels below are
// the catalogue's translations: a missing one fails the Chinese walk).
const LABELS = {
    en_US: { onTime: "On time", paused: "Paused", waiting: "Waiting for Customer" },
    zh_CN: { onTime: "按时", paused: "已暂停", waiting: "等待客户" },
};

function slaPausedSteps(label) {
    return [
        {
            content: "Look at the SLA",
            trigger: ".o_form_view .o_notebook a.nav-link[name=sla]",
            run: "click",
        },
        {
            content: "The ticket runs against its SLA",
            trigger: `.o_form_view .o_field_widget[name=sla_status] .badge:contains('${label.onTime}')`,
        },
        {
            content: "Wait for the customer's answer",
            trigger: `.o_form_view .o_statusbar_status button:contains('${label.waiting}')`,
            run: "click",
        },
        {
            trigger: `.o_form_view .o_statusbar_status button.o_arrow_button_current:contains('${label.waiting}')`,
        },
        {
            content: "The SLA is paused since now, each running target too",
            trigger: `.o_form_view .o_field_widget[name=sla_status] .badge:contains('${label.paused}')`,
        },
        {
            trigger: ".o_form_view .o_field_widget[name=sla_paused_since]",
        },
        {
            trigger: `.o_form_view .o_field_widget[name=sla_response_status] .badge:contains('${label.paused}')`,
        },
    ];
}

registry.category("web_tour.tours").add("crm_sla_paused_tour", {
    steps: () => slaPausedSteps(LABELS.en_US),
});
registry.category("web_tour.tours").add("crm_sla_paused_tour_zh", {
    steps: () => slaPausedSteps(LABELS.zh_CN),
});
