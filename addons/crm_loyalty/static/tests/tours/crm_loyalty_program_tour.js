import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Journey 1: an administrator configures a loyalty program with tiers and enrols a customer.
registry.category("web_tour.tours").add("crm_loyalty_program_tour", {
    url: "/odoo/action-crm_loyalty.crm_loyalty_program_action",
    steps: () => [
        {
            content: "Create a program",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_form_view div[name=name] input",
            run: "edit Tour Club",
        },
        {
            trigger: ".o_form_view div[name=earn_rate] input",
            run: "edit 2",
        },
        {
            trigger: ".o_form_view div[name=point_value] input",
            run: "edit 0.05",
        },
        {
            content: "Add the Silver tier",
            trigger: "div[name=tier_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: "div[name=tier_ids] .o_selected_row div[name=name] input",
            run: "edit Tour Silver",
        },
        {
            trigger: "div[name=tier_ids] .o_selected_row div[name=threshold] input",
            run: "edit 100",
        },
        {
            trigger: "div[name=tier_ids] .o_selected_row div[name=multiplier] input",
            run: "edit 1.5",
        },
        {
            content: "Add the Gold tier",
            trigger: "div[name=tier_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: "div[name=tier_ids] .o_data_row:eq(1).o_selected_row div[name=name] input",
            run: "edit Tour Gold",
        },
        {
            trigger: "div[name=tier_ids] .o_selected_row div[name=threshold] input",
            run: "edit 500",
        },
        {
            trigger: "div[name=tier_ids] .o_selected_row div[name=multiplier] input",
            run: "edit 2",
        },
        ...stepUtils.saveForm(),
        {
            content: "Open the (empty) member list of the program",
            trigger: ".o_form_view .oe_stat_button[name=action_view_members]",
            run: "click",
        },
        {
            content: "Enrol a customer",
            trigger: ".o_control_panel_main_buttons .o-kanban-button-new, .o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            content: "The program is the one we came from",
            trigger: ".o_form_view div[name=program_id] input:value('Tour Club')",
        },
        {
            trigger: ".o_form_view div[name=partner_id] input",
            run: "edit Tour Member",
        },
        {
            trigger: ".ui-menu-item a:contains('Tour Member')",
            run: "click",
        },
        ...stepUtils.saveForm(),
        {
            content: "The member number is given on save",
            trigger: ".o_form_view .oe_title h1 span:contains('-0000')",
        },
    ],
});
