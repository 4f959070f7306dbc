/**
 * The few panel shapes Klaxon's dashboard is made of, on top of the Grafana Foundation SDK's builders.
 * Every panel and every query names the dashboard's data-source variable, so the same JSON works on any
 * Grafana whose Prometheus scrapes Klaxon, whatever that data source is called there.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type Threshold,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** The dashboard's one template variable: which Prometheus to query. */
export const DATASOURCE_VARIABLE = 'datasource';
export const datasource: common.DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };

/** One PromQL query and the legend of the series it returns. */
export interface Query {
  expr: string;
  legend: string;
}

interface PanelSpec {
  title: string;
  /** Shown on the panel's (i) icon: what the numbers mean and where they come from. */
  description: string;
  unit: string;
  queries: Query[];
  /** Grid columns out of 24. */
  width?: number;
  height?: number;
}

/** Colour steps from the lowest value up: [from, colour]; the first starts at minus infinity (null). */
export type Steps = [number | null, string][];

function thresholds(steps: Steps): ThresholdsConfigBuilder {
  const list: Threshold[] = steps.map(([value, color]) => ({ value, color }));
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(list);
}

// Range queries draw a line over time; instant queries give the one value a stat or bar gauge shows.
function targets(queries: Query[], kind: 'range' | 'instant'): DataqueryBuilder[] {
  return queries.map((q, i) => {
    const target = new DataqueryBuilder()
      .refId(String.fromCharCode(65 + i))
      .expr(q.expr)
      .legendFormat(q.legend)
      .datasource(datasource);
    return kind === 'range' ? target.range() : target.instant();
  });
}

/** Returns a time-series panel: one line per series, optionally stacked (parts of a whole). */
export function timeSeries(
  spec: PanelSpec & { stacked?: boolean; thresholds?: Steps },
): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(datasource)
    .unit(spec.unit)
    .min(0)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8)
    .fillOpacity(spec.stacked ? 40 : 10)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    )
    .targets(targets(spec.queries, 'range'));
  if (spec.stacked) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (spec.thresholds)
    panel
      .thresholds(thresholds(spec.thresholds))
      .thresholdsStyle(
        new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed),
      );
  return panel;
}

/** Returns a stat panel: the latest value of each series, coloured by the thresholds. */
export function statPanel(spec: PanelSpec & { thresholds?: Steps }): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(datasource)
    .unit(spec.unit)
    .span(spec.width ?? 6)
    .height(spec.height ?? 5)
    .graphMode(common.BigValueGraphMode.None)
    .colorMode(common.BigValueColorMode.Value)
    .textMode(common.BigValueTextMode.ValueAndName)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(thresholds(spec.thresholds ?? [[null, 'green']]))
    .targets(targets(spec.queries, 'instant'));
}

/** Returns a bar gauge: one bar per series (a severity, a channel), for values over the whole range. */
export function barGauge(
  spec: PanelSpec & { min?: number; max?: number; thresholds?: Steps },
): bargauge.PanelBuilder {
  const panel = new bargauge.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(datasource)
    .unit(spec.unit)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8)
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Basic)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(thresholds(spec.thresholds ?? [[null, 'blue']]))
    .targets(targets(spec.queries, 'instant'));
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  return panel;
}

/** Green at zero, red from one: for counts where any is worth a look. */
export const RED_FROM_ONE: Steps = [
  [null, 'green'],
  [1, 'red'],
];
