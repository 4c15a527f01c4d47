import { registry } from "@web/core/registry";
import tourUtils from "@sale/js/tours/tour_utils";

// Journey 2: a salesperson opens a customer (360 panel), creates a quotation, redeems points, confirms.
registry.category("web_tour.tours").add("crm_salesperson_redeem_tour", {
    steps: () => [
        {
            content: "Open the 360° page of the customer",
            trigger: ".o_form_view .o_notebook_headers a[name=crm360]",
            run: "click",
        },
        {
            content: "The panel shows the loyalty balance",
            trigger: ".o_form_view div[name=loyalty_balance]:contains('1,000.00')",
        },
        {
            trigger: ".o_form_view div[name=loyalty_tier_id]:contains('Tour Silver')",
        },
        {
            content: "Go to the customer's sales",
            trigger: ".o_form_view .oe_stat_button[name=action_view_sale_order]",
            run: "click",
        },
        {
            content: "New quotation",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            content: "The customer is already set",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value('Tour Shopper')",
        },
        ...tourUtils.addProduct("Tour Desk"),
        {
            trigger: ".o_form_view div[name=order_line] .o_data_row:contains('200.00')",
        },
        {
            content: "Redeem points (saves the quotation first)",
            trigger: ".o_form_view .o_form_statusbar button[name=action_open_loyalty_redeem]",
            run: "click",
        },
        {
            trigger: ".modal div[name=max_points]:contains('1,000.00')",
        },
        {
            trigger: ".modal div[name=points] input",
            run: "edit 800 && press Tab",
        },
        {
            content: "The discount is shown before applying it",
            trigger: ".modal div[name=amount]:contains('8.00')",
        },
        {
            trigger: ".modal footer button[name=action_apply]",
            run: "click",
        },
        {
            content: "The reward line is on the quotation",
            trigger: ".o_form_view div[name=loyalty_points_redeemed]:contains('800.00')",
        },
        {
            trigger: ".o_form_view div[name=order_line] .o_data_row:contains('-8.00')",
        },
        {
            content: "Confirm the order",
            trigger: ".o_form_view .o_form_statusbar button[name=action_confirm]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=sale]",
        },
    ],
});
