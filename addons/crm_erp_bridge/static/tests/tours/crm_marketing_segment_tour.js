import { registry } from "@web/core/registry";

// Journey 6: a marketing user opens the segmentation dashboard, filters the Champions and schedules a
// follow-up activity for each of them.
registry.category("web_tour.tours").add("crm_marketing_segment_tour", {
    url: "/odoo/action-crm_segmentation.crm_rfm_dashboard_action",
    steps: () => [
        {
            content: "The dashboard opens on the R x F grid",
            trigger: ".o_pivot_view .o_pivot",
        },
        {
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Filter the Champions",
            trigger: ".o_filter_menu .o-dropdown-item:contains('Champions')",
            run: "click",
        },
        {
            trigger: ".o_searchview_facet:contains('Champions')",
        },
        {
            content: "See them as a list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Tour Champion A')",
        },
        {
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Schedule a follow-up for every selected champion",
            trigger: "button[name=action_schedule_followups]",
            run: "click",
        },
        {
            trigger: ".o_notification:contains('follow-up activities scheduled')",
        },
    ],
});
