import { registry } from "@web/core/registry";

// The customer's own loyalty page, walked in English and in Chinese (the labels below are the catalogue's
// translations: a missing one fails the Chinese walk).
const LABELS = {
    en_US: { missing: "3,800 more points to reach", optIn: "Send me a monthly statement" },
    zh_CN: { missing: "积分即可升至", optIn: "给我发送月度对账单" },
};

function portalLoyaltySteps(label) {
    return [
        {
            content: "The portal home shows the loyalty balance",
            trigger: ".o_portal_index_card a[href='/my/loyalty']:contains('1,200')",
            run: "click",
        },
        {
            content: "The balance of the customer's program",
            trigger: ".o_loyalty_balance:contains('1,200')",
        },
        {
            content: "and what is missing to reach the next tier",
            trigger: `.o_loyalty_next_tier:contains('3,800'):contains('${label.missing}'):contains('Tour Silver')`,
        },
        {
            content: "never another customer's membership",
            trigger: "body:not(:has(.o_loyalty_balance:contains('777')))",
        },
        {
            content: "Ask for the monthly statement",
            trigger: `.o_loyalty_statement button:contains('${label.optIn}')`,
            run: "click",
        },
        {
            content: "The page says the statement is on",
            trigger: ".o_loyalty_statement_on",
        },
    ];
}

registry.category("web_tour.tours").add("crm_loyalty_portal_tour", {
    url: "/my",
    steps: () => portalLoyaltySteps(LABELS.en_US),
});
registry.category("web_tour.tours").add("crm_loyalty_portal_tour_zh", {
    url: "/my",
    steps: () => portalLoyaltySteps(LABELS.zh_CN),
});
