import { Component, onMounted, onWillStart, useEffect, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { getColor, hexToRGBA } from "@web/core/colors/colors";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { Layout } from "@web/search/layout";

/** One chart of the overview (Chart.js, the library the web client bundles): a click on a bar or a point
 *  opens the records behind it (the drill-down actions the server sends with the data). */
export class CrmDashboardChart extends Component {
    static template = "crm_dashboard.Chart";
    static props = { chart: Object, onDrill: Function };

    setup() {
        this.canvasRef = useRef("canvas");
        useEffect(
            () => {
                this.renderChart();
                return () => this.chart?.destroy();
            },
            () => [this.props.chart]
        );
    }

    renderChart() {
        const spec = this.props.chart;
        const line = spec.type === "line";
        const datasets = spec.datasets.map((dataset, index) => {
            const color = getColor(index, "light", "odoo");
            return {
                label: dataset.label,
                data: dataset.data,
                backgroundColor: line ? hexToRGBA(color, 0.2) : color,
                borderColor: color,
                borderWidth: line ? 2 : 0,
                spanGaps: true,
                fill: false,
            };
        });
        const percent = (value) => `${value} %`;
        this.chart = new Chart(this.canvasRef.el, {
            type: spec.type,
            data: { labels: spec.labels, datasets },
            options: {
                maintainAspectRatio: false,
                animation: false,
                onClick: (event, elements) => {
                    if (!elements.length) {
                        return;
                    }
                    const { datasetIndex, index } = elements[0];
                    const drill = spec.datasets[datasetIndex].drills?.[index];
                    if (drill) {
                        this.props.onDrill(drill);
                    }
                },
                plugins: { legend: { display: spec.legend || spec.datasets.length > 1 } },
                scales: {
                    x: { stacked: spec.stacked },
                    y: {
                        stacked: spec.stacked,
                        ticks: spec.percent ? { callback: percent } : {},
                        max: spec.percent && !spec.unbounded ? 100 : undefined,
                    },
                },
            },
        });
    }
}

/** The Customer Relations overview: KPI tiles, charts and heat maps, each opening its records. */
export class CrmDashboard extends Component {
    static template = "crm_dashboard.Overview";
    static components = { Layout, CrmDashboardChart };
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ data: null });
        onWillStart(async () => {
            const [, data] = await Promise.all([
                loadBundle("web.chartjs_lib"),
                this.orm.call("crm.dashboard", "get_overview", []),
            ]);
            this.state.data = data;
        });
        onMounted(() => this.loadWhaleCurve());
    }

    /** The whale curve ranks every customer's figures: asked after the first paint, added to its section. */
    async loadWhaleCurve() {
        const section = this.state.data?.sections.find((s) => s.key === "segmentation");
        if (!section) {
            return;
        }
        const chart = await this.orm.call("crm.dashboard", "get_whale_curve", []);
        if (chart) {
            section.charts.push(chart);
        }
    }

    hasData(chart) {
        return chart.datasets.some((dataset) => dataset.data.some((value) => value));
    }

    drill(action) {
        if (action) {
            this.action.doAction(action);
        }
    }

    cellStyle(cell) {
        const alpha = 0.08 + 0.8 * cell.intensity;
        return `background-color: ${hexToRGBA(getColor(1, "light", "odoo"), alpha)};`;
    }
}

registry.category("actions").add("crm_dashboard.overview", CrmDashboard);
