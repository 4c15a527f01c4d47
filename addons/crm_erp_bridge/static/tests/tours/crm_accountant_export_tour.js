import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Journey 5: an accountant runs the loyalty liability roll-forward export and downloads the workbook.
registry.category("web_tour.tours").add("crm_accountant_export_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("account.menu_finance", "Open Invoicing"),
        {
            content: "Invoicing > Reporting",
            trigger: ".o_main_navbar .o_menu_sections button:contains('Reporting')",
            run: "click",
        },
        {
            trigger: ".dropdown-item:contains('Customer Relations Export')",
            run: "click",
        },
        {
            content: "Only the loyalty program to report on",
            trigger: ".modal div[name=program_ids] input",
            run: "edit Tour Liability Club",
        },
        {
            trigger: ".ui-menu-item a:contains('Tour Liability Club')",
            run: "click",
        },
        {
            trigger: ".modal div[name=program_ids] .o_tag:contains('Tour Liability Club')",
        },
        {
            content: "Export and download the workbook",
            trigger: ".modal footer button[name=action_export]",
            run: "click",
        },
        {
            content: "The file is ready for download from the server",
            trigger: "body",
            async run() {
                // the click only sends the export: wait (up to 20 s) for the server to have written the file
                let result = [];
                for (let attempt = 0; attempt < 100 && !result?.length; attempt++) {
                    if (attempt) {
                        await new Promise((resolve) => setTimeout(resolve, 200));
                    }
                    result = await rpc("/web/dataset/call_kw/crm.accounting.export/search_read", {
                        model: "crm.accounting.export",
                        method: "search_read",
                        args: [[["file_name", "!=", false]], ["id", "file_name"]],
                        kwargs: { order: "id desc", limit: 1 },
                    });
                }
                if (!result?.length || !result[0].file_name.endsWith(".xlsx")) {
                    throw new Error("no exported workbook found");
                }
                const download = await fetch(
                    `/web/content/?model=crm.accounting.export&id=${result[0].id}&field=file_data&filename_field=file_name&download=true`
                );
                const disposition = download.headers.get("Content-Disposition") || "";
                if (!download.ok || !disposition.includes(".xlsx")) {
                    throw new Error(`download failed: ${download.status} ${disposition}`);
                }
                document.body.classList.add("o_crm_export_downloaded");
            },
        },
        {
            trigger: "body.o_crm_export_downloaded",
        },
    ],
});
