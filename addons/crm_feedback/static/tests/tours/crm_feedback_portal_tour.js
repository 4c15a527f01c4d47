import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_feedback_portal_tour", {
    url: "/my/feedback",
    steps: () => [
        {
            content: "The customer sees their own ticket",
            trigger: "td:contains('TOUR-A wobbly chair')",
        },
        {
            content: "and never another customer's",
            trigger: "body:not(:has(td:contains('TOUR-B secret')))",
        },
        {
            content: "Open a new ticket",
            trigger: "a:contains('New feedback')",
            run: "click",
        },
        {
            trigger: "input[name=subject]",
            run: "edit Legs arrived broken",
        },
        {
            content: "Choose one of the customer's own orders",
            trigger: "select[name=sale_order_id]",
            run: "selectByIndex 1",
        },
        {
            trigger: "textarea[name=description]",
            run: "edit Two legs of the table are broken.",
        },
        {
            trigger: "form button[type=submit]:contains('Send')",
            run: "click",
        },
        {
            content: "The new ticket page shows the order",
            trigger: "h4:contains('Legs arrived broken')",
        },
        {
            trigger: "p:contains('Order:')",
        },
    ],
});
