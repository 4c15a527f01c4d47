import { registry } from "@web/core/registry";

// The manager opens the Customer Relations overview and drills down from the RFM grid to the customers.
registry.category("web_tour.tours").add("crm_dashboard_tour", {
    url: "/odoo/action-crm_dashboard.crm_dashboard_action",
    steps: () => [
        {
            content: "The tiles are painted",
            trigger: ".o_crm_dashboard_tile_scored .o_crm_dashboard_value",
        },
        {
            content: "The charts are drawn",
            trigger: ".o_crm_dashboard_points_by_month canvas",
        },
        {
            content: "The RFM grid: recency 5, frequency & monetary 5",
            trigger: ".o_crm_dashboard_rfm_grid tbody tr:first-child td:last-child",
            run: "click",
        },
        {
            content: "The customers of that cell are listed",
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "Back to the overview through the breadcrumb",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "The overview is shown again",
            trigger: ".o_crm_dashboard_rfm_grid",
        },
        {
            content: "The whale curve, asked after the first paint, is drawn with its reading",
            trigger: ".o_crm_dashboard_whale_curve canvas",
        },
        {
            trigger: ".o_crm_dashboard_whale_curve .o_crm_dashboard_caption",
        },
    ],
});
