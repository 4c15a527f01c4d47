import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_loyalty_portal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "The portal home shows the loyalty balance",
            trigger: ".o_portal_index_card a[href='/my/loyalty']:contains('1,200')",
            run: "click",
        },
        {
            content: "The balance of the customer's program",
            trigger: ".o_loyalty_balance:contains('1,200 points')",
        },
        {
            content: "and what is missing to reach the next tier",
            trigger: ".o_loyalty_next_tier:contains('3,800 more points to reach'):contains('Tour Silver')",
        },
        {
            content: "never another customer's membership",
            trigger: "body:not(:has(.o_loyalty_balance:contains('777')))",
        },
        {
            content: "Ask for the monthly statement",
            trigger: ".o_loyalty_statement button:contains('Send me a monthly statement')",
            run: "click",
        },
        {
            content: "The page says the statement is on",
            trigger: ".o_loyalty_statement_on",
        },
    ],
});
