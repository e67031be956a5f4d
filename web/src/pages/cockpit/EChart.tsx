import { BarChart, LineChart, MapChart, PieChart } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { type CSSProperties, useEffect, useRef } from 'react';

// Only what the cockpit draws: this module (and so ECharts) is in the cockpit's chunk alone.
echarts.use([
  BarChart,
  LineChart,
  PieChart,
  MapChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  VisualMapComponent,
  AriaComponent,
  CanvasRenderer,
]);

export { echarts };

export type ChartClick = { seriesIndex?: number; dataIndex: number; name: string; data?: unknown };

/**
 * One ECharts chart. The container carries `data-chart-ready="true"` once the chart has finished
 * its first rendering (the bench and the browser tests wait for it), and a label for screen readers.
 */
export function EChart({
  option,
  onClick,
  label,
  testId,
  style,
}: {
  option: echarts.EChartsCoreOption;
  onClick?: (p: ChartClick) => void;
  label: string;
  testId: string;
  style?: CSSProperties;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onClick);
  click.current = onClick;

  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const c = echarts.init(node, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (p) => click.current?.(p as unknown as ChartClick));
    c.on('finished', () => node.setAttribute('data-chart-ready', 'true'));
    const resize = new ResizeObserver(() => c.resize());
    resize.observe(node);
    return () => {
      resize.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(
      { aria: { enabled: true }, animationDuration: 400, ...option },
      { notMerge: true },
    );
  }, [option]);

  return (
    <div
      ref={el}
      role="img"
      aria-label={label}
      data-testid={testId}
      style={{ width: '100%', height: 300, cursor: onClick ? 'pointer' : undefined, ...style }}
    />
  );
}
