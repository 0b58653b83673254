// Vega-Lite specs to SVG with Vega's headless renderer (no DOM and no canvas, so the same call works in
// Node and in browsers). Vega and Vega-Lite are loaded on the first render, so importing neurona does
// not pay for them.
import type { TopLevelSpec } from 'vega-lite';

/** A chart: a Vega-Lite specification (JSON; paste it into the Vega editor to explore it). */
export type PlotSpec = TopLevelSpec;

type VegaModules = [typeof import('vega'), typeof import('vega-lite')];
let modules: Promise<VegaModules> | null = null;

function load(): Promise<VegaModules> {
  modules ??= Promise.all([import('vega'), import('vega-lite')]);
  return modules;
}

/** Compiles a Vega-Lite spec to the Vega spec it stands for. */
export async function toVega(spec: PlotSpec): Promise<object> {
  const [, vl] = await load();
  return vl.compile(spec).spec;
}

/**
 * Renders a chart to an SVG document (a string), as browsers and `savePlot` (neurona/node) show it.
 *
 * ```ts
 * const svg = await toSvg(learningCurves(history));
 * ```
 */
export async function toSvg(spec: PlotSpec): Promise<string> {
  const [vega, vl] = await load();
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none', logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
