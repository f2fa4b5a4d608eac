// Matching lines over time, stacked by level. Dragging across the chart selects a stretch and
// zooms the search into it (the range in the URL becomes absolute); a click on a bar zooms into
// that bar.

import { useEffect, useRef } from "preact/hooks";
import type { Histogram as HistogramData } from "../../api";
import { echarts, LEVEL_COLOURS, LEVEL_ORDER } from "../../charts";
import { formatNumber, language, t } from "../../i18n";
import { formatTime } from "../../timerange";

export function Histogram({ data, onZoom }: { data: HistogramData | null; onZoom: (start: Date, end: Date) => void }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const zoom = useRef(onZoom);
  zoom.current = onZoom;
  const step = useRef(0); // seconds per bar of the data shown

  useEffect(() => {
    const c = echarts.init(element.current!, undefined, { renderer: "canvas" });
    chart.current = c;
    const resize = () => c.resize();
    window.addEventListener("resize", resize);
    c.on("brushEnd", (event: any) => {
      const area = event.areas?.[0];
      if (!area?.coordRange) return;
      const [start, end] = area.coordRange as [number, number];
      c.dispatchAction({ type: "brush", areas: [] });
      if (end - start >= 1) zoom.current(new Date(start), new Date(end));
    });
    c.on("click", (event: any) => {
      const start = new Date(event.value[0] - step.current * 500); // bars stand at the middle of their bucket
      zoom.current(start, new Date(start.getTime() + step.current * 1000));
    });
    return () => {
      window.removeEventListener("resize", resize);
      c.dispose();
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c || !data) return;
    const levels = LEVEL_ORDER.filter((level) => data.buckets.some((b) => b.levels[level]));
    const others = [...new Set(data.buckets.flatMap((b) => Object.keys(b.levels)))].filter((l) => !LEVEL_ORDER.includes(l));
    const seconds = data.interval_seconds;
    step.current = seconds;
    c.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 28, bottom: 24 },
      legend: { top: 0, right: 8, itemWidth: 10, itemHeight: 10, textStyle: { fontSize: 11 } },
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        formatter: (items: any[]) => {
          const when = formatTime(new Date(items[0].value[0]).toISOString(), false);
          const rows = items.filter((i) => i.value[1] > 0)
            .map((i) => `${i.marker}${i.seriesName}: ${formatNumber(i.value[1])}`);
          return [when, ...rows].join("<br/>");
        },
      },
      xAxis: { type: "time", min: data.buckets[0] ? Date.parse(data.buckets[0].time) : undefined,
               max: data.buckets.length ? Date.parse(data.buckets[data.buckets.length - 1].time) + seconds * 1000 : undefined,
               axisLabel: { hideOverlap: true, fontSize: 11 } },
      yAxis: { type: "value", minInterval: 1, splitNumber: 3, axisLabel: { fontSize: 11 } },
      brush: { toolbox: [], xAxisIndex: 0, brushType: "lineX", brushMode: "single", transformable: false,
               brushStyle: { color: "rgba(59,130,246,0.15)", borderColor: "#3b82f6" } },
      series: [...levels, ...others].map((level) => ({
        name: level, type: "bar", stack: "levels", barCategoryGap: "10%", large: true,
        itemStyle: { color: LEVEL_COLOURS[level] ?? "#64748b" },
        data: data.buckets.map((b) => [Date.parse(b.time) + (seconds * 1000) / 2, b.levels[level] ?? 0]),
      })),
    }, { notMerge: true });
    // Dragging draws a selection without choosing a tool first.
    c.dispatchAction({ type: "takeGlobalCursor", key: "brush", brushOption: { brushType: "lineX", brushMode: "single" } });
  }, [data, language.value]);

  return (
    <div class="histogram-wrap">
      <div class="histogram-caption">
        {data ? t("discover.histogramCaption", { total: formatNumber(data.total), step: stepText(data.interval_seconds) }) : " "}
      </div>
      <div ref={element} class="histogram" data-testid="histogram" title={t("discover.zoomHint")} />
    </div>
  );
}

function stepText(seconds: number): string {
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
