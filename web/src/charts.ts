// ECharts with only the parts the console draws (bars, lines, custom waterfall shapes), so the
// bundle carries no more of the library than it uses.

import { BarChart, LineChart } from "echarts/charts";
import { BrushComponent, GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, BrushComponent, CanvasRenderer]);

export { echarts };

/** Each level's colour, the same in every chart and badge. */
export const LEVEL_COLOURS: Record<string, string> = {
  CRITICAL: "#7f1d1d", ERROR: "#dc2626", WARNING: "#f59e0b", NOTICE: "#0ea5e9", INFO: "#3b82f6",
  DEBUG: "#94a3b8", TRACE: "#cbd5e1", UNKNOWN: "#a78bfa",
};

/** Levels from the most severe down, as stacks and legends list them. */
export const LEVEL_ORDER = ["CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG", "TRACE", "UNKNOWN"];
