// What the chart builders share: the look (config, palette), number extraction from tensors, layout
// helpers that combine charts, and the PNG data URLs that put pictures inside a chart.
import { ShapeError, ValueError } from '../core/index.ts';
import { Tensor } from '../tensor/index.ts';
import { encodePng } from './image.ts';
import type { RgbaImage } from './image.ts';
import type { PlotSpec } from './render.ts';

/** The category colours (Vega's tableau10), in order: class k is drawn in `palette[k % 10]`. */
export const palette = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];

/** The config every ready-made chart carries: white background, quiet grid, readable titles. */
export const chartConfig = {
  background: 'white',
  font: 'DejaVu Sans, Verdana, sans-serif',
  view: { stroke: '#ccc' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 300 },
  title: { fontSize: 14, anchor: 'start' as const },
};

const schema = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Adds the schema and the shared config to a spec. */
export function finish(spec: Record<string, unknown>): PlotSpec {
  return { $schema: schema, ...spec, config: chartConfig } as PlotSpec;
}

/** Numbers of a tensor or an array (any shape, flattened). */
export function numbers(op: string, name: string, v: Tensor | readonly number[]): number[] {
  if (v instanceof Tensor) return Array.from(v.contiguousData(), Number);
  if (!Array.isArray(v)) throw new ValueError(`${op}: ${name} as a tensor or an array of numbers; got ${typeof v}`);
  return v.map(Number);
}

/** Rows of a [N, 2] tensor as points. */
export function points(op: string, x: Tensor): [number, number][] {
  if (x.ndim !== 2 || x.shape[1] !== 2) throw new ShapeError(`${op}: x as [N, 2] points; got [${x.shape.join(', ')}]`);
  const d = x.contiguousData();
  return Array.from({ length: x.shape[0]! }, (_, i) => [Number(d[2 * i]), Number(d[2 * i + 1])]);
}

function strip(spec: PlotSpec): Record<string, unknown> {
  const { $schema: _s, config: _c, ...rest } = spec as unknown as Record<string, unknown>;
  return rest;
}

const independent = { scale: { color: 'independent', fill: 'independent', strokeDash: 'independent' }, legend: { color: 'independent', fill: 'independent', strokeDash: 'independent' } };

/** Charts side by side (each keeps its own scales and legends). */
export function hconcat(...specs: PlotSpec[]): PlotSpec {
  return finish({ hconcat: specs.map(strip), resolve: independent });
}

/** Charts one above the other (each keeps its own scales and legends). */
export function vconcat(...specs: PlotSpec[]): PlotSpec {
  return finish({ vconcat: specs.map(strip), resolve: independent });
}

/** A picture as a `data:image/png;base64,...` URL (an image mark's url, an <img> src). */
export function pngDataUrl(image: RgbaImage): string {
  const bytes = encodePng(image);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:image/png;base64,${btoa(s)}`;
}

/** The mean and population standard deviation of some numbers. */
export function meanStd(v: readonly number[]): [number, number] {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return [m, Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length)];
}
