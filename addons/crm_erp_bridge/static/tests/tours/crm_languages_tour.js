import { browser } from "@web/core/browser/browser";
import { rpcBus } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";

// Issue 24: walk every screen of the Customer Relations app and check that its chrome (menus, breadcrumbs,
// column headers, labels, buttons, facets, kanban columns) holds no text of the other language.
// Record data (partner names, amounts, cell contents) is not chrome and is not checked.

const CHROME_SELECTORS = [
    ".o_main_navbar .o_menu_brand",
    ".o_main_navbar .o_menu_sections button",
    ".o_main_navbar .dropdown-item",
    ".o_control_panel .breadcrumb-item",
    ".o_control_panel .o_last_breadcrumb_item",
    ".o_control_panel .o_searchview_facet .o_searchview_facet_label",
    ".o_control_panel .o_searchview input[placeholder]",
    ".o_control_panel .btn",
    ".o_list_table thead th",
    ".o_list_table tfoot td.o_list_footer_label",
    ".o_kanban_header_title .o_column_title",
    ".o_form_label",
    ".o_pivot thead th.o_pivot_measure_row",
    ".o_graph_renderer .btn",
    ".o_view_nocontent",
    ".o_content .btn",
    ".modal .modal-title",
    ".modal .modal-footer .btn",
    ".o_form_view .o_notebook_headers .nav-link",
    ".o_form_view .o_form_statusbar .o_statusbar_buttons .btn",
    ".o_form_view .oe_stat_button .o_stat_text",
    ".o_form_view .o_horizontal_separator",
    ".o-mail-Chatter-topbar .btn",
];

const CJK = /[\u4e00-\u9fff]/;
// Words a Chinese screen may show in Latin letters: acronyms of the trade, file formats, units.
// FM: the combined frequency-monetary score of RFM (its bounds are "FM 起" / "FM 止").
const ALLOWED_LATIN = new Set([
    "RFM", "FM", "NPS", "CSAT", "CLV", "SLA", "XLSX", "ID", "BG", "NBD", "CSV", "PDF", "USD", "EUR", "CNY",
]);

function latinWords(text) {
    return (text.match(/[A-Za-z]{2,}/g) || []).filter((word) => !ALLOWED_LATIN.has(word.toUpperCase()));
}

function offendersOf(text, lang) {
    if (lang === "en_US") {
        return CJK.test(text) ? [text] : [];
    }
    return latinWords(text).length ? [text] : [];
}

function chromeTexts({ onForm = false } = {}) {
    const texts = [];
    for (const el of document.querySelectorAll(CHROME_SELECTORS.join(","))) {
        if (el.closest(".o_data_row, .o_kanban_record, .o_group_header, .o_field_widget")) {
            continue; // record data
        }
        if (onForm && el.closest(".o_last_breadcrumb_item")) {
            continue; // the record's name
        }
        const text = (el.matches("input") ? el.getAttribute("placeholder") : el.innerText || "").trim();
        const title = (el.getAttribute("title") || el.getAttribute("data-tooltip") || "").trim();
        for (const t of [text, title]) {
            if (t) {
                texts.push(t.replace(/\s+/g, " "));
            }
        }
    }
    return texts;
}

function leafMenus(tree, path = []) {
    const here = [...path, tree.name];
    if (!tree.childrenTree?.length) {
        return tree.actionID ? [{ menu: tree, path: here }] : [];
    }
    return tree.childrenTree.flatMap((child) => leafMenus(child, here));
}

function allMenuNames(tree) {
    return [tree.name, ...(tree.childrenTree || []).flatMap(allMenuNames)];
}

async function nextFrame() {
    await new Promise((resolve) => browser.setTimeout(resolve));
    await new Promise((resolve) => requestAnimationFrame(resolve));
}

// The engine allows a step at most a minute: one step per screen, from a walk prepared in the first step.
const MAX_SCREENS = 80;
let walk = null;

function startWalk(lang) {
    const env = odoo.__WOWL_DEBUG__.root.env;
    const menuService = env.services.menu;
    const app = menuService.getApps().find((a) => a.xmlid === "crm_customer_facts.menu_crm_relations_root");
    if (!app) {
        throw new Error("the Customer Relations app is not in the app menu");
    }
    const tree = menuService.getMenuAsTree(app.id);
    const screens = leafMenus(tree, []);
    if (screens.length < 10 || screens.length > MAX_SCREENS) {
        throw new Error(`${screens.length} screens found in Customer Relations: expected 10 to ${MAX_SCREENS}`);
    }
    walk = { lang, env, menuService, screens, next: 0, pending: 0, updates: 0, report: new Map() };
    walk.onRequest = () => walk.pending++;
    walk.onResponse = () => walk.pending--;
    walk.onUpdate = () => walk.updates++;
    rpcBus.addEventListener("RPC:REQUEST", walk.onRequest);
    rpcBus.addEventListener("RPC:RESPONSE", walk.onResponse);
    env.bus.addEventListener("ACTION_MANAGER:UI-UPDATED", walk.onUpdate);
    flag("app menu", allMenuNames(tree));
}

function flag(screen, texts) {
    for (const text of texts.flatMap((t) => offendersOf(t, walk.lang))) {
        if (!walk.report.has(screen)) {
            walk.report.set(screen, new Set());
        }
        walk.report.get(screen).add(text);
    }
}

/** Wait until the action manager shows a new screen and its data has come; false after `timeout` ms. */
async function screenLoaded(before, timeout) {
    const start = Date.now();
    while (walk.updates === before || walk.pending > 0) {
        if (Date.now() - start > timeout) {
            return false;
        }
        await nextFrame();
    }
    await nextFrame();
    await nextFrame();
    return true;
}

async function walkNextScreen() {
    if (walk.next >= walk.screens.length) {
        return;
    }
    const { menu, path } = walk.screens[walk.next++];
    const screen = path.slice(1).join(" / ");
    const before = walk.updates;
    walk.menuService.selectMenu(menu);
    if (!(await screenLoaded(before, 40000))) {
        throw new Error(`screen "${screen}" did not load in 40 s`);
    }
    browser.console.log(`crm_languages_tour ${walk.lang}: ${screen}`);
    flag(screen, chromeTexts());
    // and the form of its first record, where the screen lists records (labels, tabs, buttons)
    if (document.querySelector(".modal")) {
        return;
    }
    const record = document.querySelector(
        ".o_list_view .o_data_row td.o_data_cell, .o_kanban_view .o_kanban_record:not(.o_kanban_ghost)"
    );
    if (!record) {
        return;
    }
    const beforeForm = walk.updates;
    record.click();
    if ((await screenLoaded(beforeForm, 8000)) && document.querySelector(".o_form_view")) {
        browser.console.log(`crm_languages_tour ${walk.lang}: ${screen} / form`);
        flag(`${screen} / form`, chromeTexts({ onForm: true }));
    }
}

function endWalk() {
    rpcBus.removeEventListener("RPC:REQUEST", walk.onRequest);
    rpcBus.removeEventListener("RPC:RESPONSE", walk.onResponse);
    walk.env.bus.removeEventListener("ACTION_MANAGER:UI-UPDATED", walk.onUpdate);
    if (walk.next !== walk.screens.length) {
        throw new Error(`${walk.next} of ${walk.screens.length} screens walked`);
    }
    if (walk.report.size) {
        const lines = [...walk.report].map(
            ([screen, texts]) => `  ${screen}: ${[...texts].map((t) => JSON.stringify(t)).join(", ")}`
        );
        const other = walk.lang === "en_US" ? "Chinese" : "English";
        throw new Error(
            `${other} text in the ${walk.lang} screens of Customer Relations:\n${lines.join("\n")}`
        );
    }
    browser.console.log(`crm_languages_tour ${walk.lang}: ${walk.screens.length} screens walked`);
    document.body.classList.add("o_crm_languages_walked");
}

for (const lang of ["en_US", "zh_CN"]) {
    registry.category("web_tour.tours").add(`crm_languages_tour_${lang}`, {
        url: "/odoo",
        steps: () => [
            {
                content: `List the screens of Customer Relations (${lang})`,
                trigger: ".o_main_navbar",
                run: () => startWalk(lang),
            },
            ...Array.from({ length: MAX_SCREENS }, (_, index) => ({
                content: `Screen ${index + 1}, if the app has that many`,
                // "body": a wizard screen leaves a dialog open, and the engine waits for triggers inside it
                trigger: "body",
                timeout: 60000,
                run: walkNextScreen,
            })),
            {
                content: "No text of the other language on any screen",
                trigger: "body",
                run: endWalk,
            },
            {
                trigger: "body.o_crm_languages_walked",
            },
        ],
    });
}
