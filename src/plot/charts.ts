// The ready-made charts, each a function from neurona objects (History, tensors, a model, a
// GradientRecorder) to a Vega-Lite spec. Render with toSvg, or savePlot / writeReport in neurona/node.
import { ShapeError, ValueError } from '../core/index.ts';
import { Tensor, linspace, noGrad } from '../tensor/index.ts';
import { Module } from '../nn/index.ts';
import { History } from '../model/index.ts';
import { toLabels } from '../metrics/index.ts';
import type { Labels } from '../metrics/index.ts';
import { chartConfig, finish, meanStd, numbers, palette, pngDataUrl, points } from './common.ts';
import { imageGrid } from './image.ts';
import type { ImageGridOptions, RgbaImage } from './image.ts';
import { GradientRecorder } from './gradients.ts';
import type { PlotSpec } from './render.ts';

type Row = Record<string, number | string | boolean | null>;

/** Size and title options shared by the charts. */
export interface ChartOptions {
  title?: string;
  /** Width of one panel in pixels (default 360). */
  width?: number;
  /** Height of one panel in pixels (default 240). */
  height?: number;
}

const W = 360;
const H = 240;

function colorScale(domain: readonly (string | number)[]): { domain: (string | number)[]; range: string[] } {
  return { domain: [...domain], range: domain.map((_, i) => palette[i % palette.length]!) };
}

// ---------------------------------------------------------------------------------------------
// Learning curves and line plots

/** Per-epoch values by log key, as History.history holds them. */
export type HistoryLike = History | Record<string, readonly number[]>;

/** Options of {@link learningCurves}. */
export interface LearningCurveOptions extends ChartOptions {
  /** Metrics to plot, one panel each (default: every key of the history, `val_` keys joined to theirs, `lr` left out). */
  metrics?: string[];
  /** Log-scale y for these metrics (or all with true). */
  logY?: boolean | string[];
}

/** True for a History (also one from another copy of neurona, where instanceof fails). */
export function isHistory(h: unknown): h is History {
  if (h instanceof History) return true;
  const o = h as { history?: unknown; epoch?: unknown } | null;
  return typeof o === 'object' && o !== null && typeof o.history === 'object' && o.history !== null && !Array.isArray(o.history) && Array.isArray(o.epoch);
}

function historyRecord(h: HistoryLike): { epochs: number[] | null; values: Record<string, readonly number[]> } {
  if (isHistory(h)) return { epochs: h.epoch.map((e) => e + 1), values: h.history };
  if (h === null || typeof h !== 'object') throw new ValueError(`learningCurves: a History or a record of per-epoch arrays; got ${String(h)}`);
  return { epochs: null, values: h };
}

/**
 * Learning curves: one panel per metric (loss, accuracy, ...), training and validation (`val_` keys)
 * as two lines. A band of ± one standard deviation is drawn around a curve when the record has a
 * `<key>_std` array (e.g. the spread of the batch losses within each epoch), or, given several
 * histories (runs), around their mean.
 *
 * ```ts
 * learningCurves(model.fit(x, y, { epochs: 20, validationSplit: 0.2 }));
 * learningCurves([run1, run2, run3]);                         // mean ± std over runs
 * learningCurves({ loss: means, loss_std: stds, val_loss: vm, val_loss_std: vs });
 * ```
 */
export function learningCurves(h: HistoryLike | HistoryLike[], opts: LearningCurveOptions = {}): PlotSpec {
  const runs = (Array.isArray(h) ? h : [h]).map(historyRecord);
  if (!runs.length) throw new ValueError('learningCurves: at least one history; got an empty array');
  const multi = runs.length > 1;
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.values)))].filter((k) => !k.endsWith('_std') && k !== 'lr');
  const metrics = opts.metrics ?? [...new Set(keys.map((k) => k.replace(/^val_/, '')))];
  if (!metrics.length) throw new ValueError('learningCurves: a history with at least one metric; got none');
  // One colour scale for all panels (they share it): the splits present in any of them.
  const splits = ['train', 'validation'].filter((sp) => metrics.some((m) => keys.includes(sp === 'train' ? m : `val_${m}`)));
  const panels = metrics.map((metric) => {
    const rows: Row[] = [];
    const log = opts.logY === true || (Array.isArray(opts.logY) && opts.logY.includes(metric));
    for (const [key, split] of [[metric, 'train'], [`val_${metric}`, 'validation']] as const) {
      const series = runs.map((r) => r.values[key]).filter((v): v is readonly number[] => Array.isArray(v));
      if (!series.length) continue;
      const n = Math.max(...series.map((s) => s.length));
      for (let e = 0; e < n; e++) {
        const vals = series.map((s) => s[e]).filter((v): v is number => v !== undefined && Number.isFinite(v));
        if (!vals.length) continue;
        let mean: number;
        let std: number | null = null;
        if (multi) [mean, std] = meanStd(vals);
        else {
          mean = vals[0]!;
          const s = runs[0]!.values[`${key}_std`]?.[e];
          if (s !== undefined && Number.isFinite(s)) std = s;
        }
        if (log && !(mean > 0)) continue;
        const epoch = runs[0]!.epochs?.[e] ?? e + 1;
        let lo = std === null ? null : mean - std;
        if (lo !== null && log && lo <= 0) lo = mean / 10;
        rows.push({ epoch, split, mean, lo, hi: std === null ? null : mean + std });
      }
    }
    if (!rows.length) throw new ValueError(`learningCurves: values for '${metric}' in the history; got keys ${keys.join(', ')}`);
    const x = { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } };
    const color = { field: 'split', type: 'nominal', title: null, scale: { domain: splits, range: splits.map((s) => (s === 'train' ? palette[0]! : palette[1]!)) } };
    const y = { field: 'mean', type: 'quantitative', title: metric, scale: log ? { type: 'log' } : { zero: false } };
    const epochs = new Set(rows.map((r) => r.epoch)).size;
    const layer: Record<string, unknown>[] = [];
    if (rows.some((r) => r.lo !== null)) {
      layer.push({
        // The band's colour field is a copy of split, so its (hidden) legend is not merged with the lines'.
        transform: [{ filter: 'datum.lo != null' }, { calculate: 'datum.split', as: 'band' }],
        mark: { type: 'area', opacity: 0.2 },
        encoding: { x, y: { field: 'lo', type: 'quantitative', scale: y.scale }, y2: { field: 'hi' }, fill: { ...color, field: 'band', legend: null } },
      });
    }
    layer.push({ mark: { type: 'line', point: epochs <= 30, strokeWidth: 2 }, encoding: { x, y, color } });
    return { title: metric, width: opts.width ?? W, height: opts.height ?? H, data: { values: rows }, layer };
  });
  const title = opts.title ?? (multi ? `learning curves (mean ± std over ${runs.length} runs)` : undefined);
  return finish({ ...(title ? { title } : {}), hconcat: panels });
}

/** A curve: y values (x = 0, 1, 2, ...) or explicit x and y. */
export type Series = readonly number[] | { x: readonly number[]; y: readonly number[] };

/** Options of {@link linePlot}. */
export interface LinePlotOptions extends ChartOptions {
  xTitle?: string;
  yTitle?: string;
  logY?: boolean;
  /** First x when series are plain arrays (default 0). */
  x0?: number;
  /** Longer series are thinned to about this many points, evenly (default 1000). */
  maxPoints?: number;
}

/**
 * Curves by name on one chart, e.g. a loss and the weights of an RNN over training. Non-finite values
 * (and non-positive ones on a log scale) are left out, so a diverging run shows where it diverged.
 */
export function linePlot(series: Record<string, Series>, opts: LinePlotOptions = {}): PlotSpec {
  const names = Object.keys(series);
  if (!names.length) throw new ValueError('linePlot: at least one series; got none');
  const rows: Row[] = [];
  for (const name of names) {
    const s = series[name]!;
    const ys = Array.isArray(s) ? (s as readonly number[]) : (s as { y: readonly number[] }).y;
    const xs = Array.isArray(s) ? null : (s as { x: readonly number[] }).x;
    if (xs && xs.length !== ys.length) throw new ShapeError(`linePlot: x and y of '${name}' of the same length; got ${xs.length} and ${ys.length}`);
    const stride = Math.max(1, Math.ceil(ys.length / (opts.maxPoints ?? 1000)));
    ys.forEach((v, i) => {
      if ((i % stride === 0 || i === ys.length - 1) && Number.isFinite(v) && (!opts.logY || v > 0)) rows.push({ x: xs ? xs[i]! : (opts.x0 ?? 0) + i, y: v, series: name });
    });
  }
  const n = rows.length / names.length;
  return finish({
    ...(opts.title ? { title: opts.title } : {}),
    width: opts.width ?? W,
    height: opts.height ?? H,
    data: { values: rows },
    mark: { type: 'line', point: n <= 30, strokeWidth: 2 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: opts.xTitle ?? 'x' },
      y: { field: 'y', type: 'quantitative', title: opts.yTitle ?? (names.length === 1 ? names[0] : 'value'), scale: opts.logY ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, scale: colorScale(names), legend: names.length > 1 ? {} : null },
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Distributions and points

/** Options of {@link histogram}. */
export interface HistogramOptions extends ChartOptions {
  /** Number of equal-width bins (default 30). */
  bins?: number;
  /** One bar per distinct value (class labels, counts) instead of bins. */
  discrete?: boolean;
  /** With `discrete`: values to show even when absent (e.g. all classes 0..9), in order. */
  classes?: readonly number[];
  xTitle?: string;
}

/**
 * A histogram of values (a tensor of any shape, or an array), or of several groups overlaid
 * (`{ 'layer 1': w1, 'layer 2': w2 }`). `discrete` counts each distinct value (labels).
 */
export function histogram(values: Tensor | readonly number[] | Record<string, Tensor | readonly number[]>, opts: HistogramOptions = {}): PlotSpec {
  const groups: [string, number[]][] =
    values instanceof Tensor || Array.isArray(values)
      ? [['values', numbers('histogram', 'values', values as Tensor | readonly number[]).filter(Number.isFinite)]]
      : Object.entries(values as Record<string, Tensor | readonly number[]>).map(([k, v]) => [k, numbers('histogram', k, v).filter(Number.isFinite)]);
  if (!groups.length || groups.every(([, v]) => !v.length)) throw new ValueError('histogram: at least one finite value; got none');
  const names = groups.map(([k]) => k);
  const several = groups.length > 1;
  const color = { field: 'group', type: 'nominal', title: null, scale: colorScale(names), legend: several ? {} : null };
  const base = { ...(opts.title ? { title: opts.title } : {}), width: opts.width ?? W, height: opts.height ?? H };
  if (opts.discrete) {
    const rows: Row[] = [];
    for (const [g, v] of groups) {
      const counts = new Map<number, number>((opts.classes ?? []).map((c) => [c, 0]));
      for (const x of v) counts.set(x, (counts.get(x) ?? 0) + 1);
      for (const [x, c] of [...counts].sort((a, b) => a[0] - b[0])) rows.push({ value: x, count: c, group: g });
    }
    return finish({
      ...base,
      data: { values: rows },
      mark: { type: 'bar', opacity: several ? 0.7 : 1 },
      encoding: {
        x: { field: 'value', type: 'ordinal', title: opts.xTitle ?? 'value', axis: { labelAngle: 0 } },
        ...(several ? { xOffset: { field: 'group' } } : {}),
        y: { field: 'count', type: 'quantitative', title: 'count', axis: { tickMinStep: 1, format: 'd' } },
        color,
      },
    });
  }
  const bins = opts.bins ?? 30;
  if (!Number.isInteger(bins) || bins < 1) throw new ValueError(`histogram: bins as a positive integer; got ${bins}`);
  let lo = Infinity;
  let hi = -Infinity;
  for (const [, v] of groups) for (const x of v) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
  if (!(hi > lo)) [lo, hi] = [lo - 0.5, lo + 0.5];
  const width = (hi - lo) / bins;
  const rows: Row[] = [];
  for (const [g, v] of groups) {
    const counts = new Array<number>(bins).fill(0);
    for (const x of v) counts[Math.min(bins - 1, Math.floor((x - lo) / width))]!++;
    counts.forEach((c, i) => rows.push({ lo: lo + i * width, hi: lo + (i + 1) * width, count: c, group: g }));
  }
  return finish({
    ...base,
    data: { values: rows },
    mark: { type: 'rect', opacity: several ? 0.55 : 1, stroke: 'white', strokeWidth: several ? 0 : 0.5 },
    encoding: {
      x: { field: 'lo', type: 'quantitative', title: opts.xTitle ?? 'value', scale: { zero: false, nice: false } },
      x2: { field: 'hi' },
      y: { field: 'count', type: 'quantitative', title: 'count', stack: null },
      color,
    },
  });
}

/** Options of {@link scatterPlot}. */
export interface ScatterOptions extends ChartOptions {
  /** Display names of the classes (default: the label numbers). */
  classNames?: readonly string[];
  xTitle?: string;
  yTitle?: string;
  /** Legend title (default 'class'). */
  labelTitle?: string;
}

/** Rows {x, y, label} of 2-D points, and a colour scale giving class k the colour palette[k % 10]. */
function classRows(op: string, x: Tensor, labels: Labels | undefined, classNames?: readonly string[]): { rows: Row[]; scale: { domain: string[]; range: string[] } } {
  const pts = points(op, x);
  const lab = labels === undefined ? null : toLabels(op, 'labels', labels);
  if (lab && lab.length !== pts.length) throw new ShapeError(`${op}: one label per point (${pts.length}); got ${lab.length}`);
  const name = (k: number): string => classNames?.[k] ?? String(k);
  const rows = pts.map(([a, b], i) => ({ x: a, y: b, label: lab ? name(lab[i]!) : 'points' }));
  const classes = lab ? [...new Set(lab)].sort((a, b) => a - b) : [0];
  return { rows, scale: { domain: lab ? classes.map(name) : ['points'], range: classes.map((k) => palette[k % palette.length]!) } };
}

/** A scatter of 2-D points [N, 2] coloured by class label (true or predicted classes). */
export function scatterPlot(x: Tensor, labels?: Labels, opts: ScatterOptions = {}): PlotSpec {
  const { rows, scale } = classRows('scatterPlot', x, labels, opts.classNames);
  return finish({
    ...(opts.title ? { title: opts.title } : {}),
    width: opts.width ?? 300,
    height: opts.height ?? 300,
    data: { values: rows },
    mark: { type: 'circle', size: rows.length > 500 ? 14 : 30, opacity: 0.8 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: opts.xTitle ?? 'x1', scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', title: opts.yTitle ?? 'x2', scale: { zero: false } },
      color: { field: 'label', type: 'nominal', title: opts.labelTitle ?? 'class', scale, legend: labels === undefined ? null : {} },
    },
  });
}

/** Options of {@link decisionBoundary}. */
export interface DecisionBoundaryOptions extends ScatterOptions {
  /** Grid cells per axis (default 150). */
  resolution?: number;
  /** For one output column: class 1 where the output exceeds this (default 0.5, for a sigmoid; use 0 for a logit). */
  threshold?: number;
  /** Margin around the points, as a fraction of their range (default 0.1). */
  margin?: number;
}

/**
 * The decision regions of a classifier over 2-D inputs, under the scatter of a dataset: the model is
 * evaluated (in eval mode, without gradients) on a grid covering the points; several output columns
 * mean argmax, one column means `output > threshold`. `model` is a module or a function of a batch.
 */
export function decisionBoundary(model: Module | ((x: Tensor) => Tensor), x: Tensor, y: Labels, opts: DecisionBoundaryOptions = {}): PlotSpec {
  const op = 'decisionBoundary';
  const pts = points(op, x);
  const res = opts.resolution ?? 150;
  if (!Number.isInteger(res) || res < 2 || res > 1000) throw new ValueError(`${op}: resolution an integer in [2, 1000]; got ${res}`);
  const margin = opts.margin ?? 0.1;
  const range = (k: 0 | 1): [number, number] => {
    let lo = Math.min(...pts.map((p) => p[k]));
    let hi = Math.max(...pts.map((p) => p[k]));
    if (!(hi > lo)) [lo, hi] = [lo - 1, hi + 1];
    const m = (hi - lo) * margin;
    return [lo - m, hi + m];
  };
  const [x0, x1] = range(0);
  const [y0, y1] = range(1);
  // Cell centres, row 0 at the top (y1) so the grid is also the picture.
  const grid = new Float32Array(res * res * 2);
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res; c++) {
      grid[2 * (r * res + c)] = x0 + ((c + 0.5) / res) * (x1 - x0);
      grid[2 * (r * res + c) + 1] = y1 - ((r + 0.5) / res) * (y1 - y0);
    }
  }
  const gx = Tensor.fromData(grid, [res * res, 2], 'float32');
  let out: Tensor;
  if (model instanceof Module) {
    const modes = model.modules().map((m) => m.training);
    model.eval();
    try {
      out = noGrad(() => model.forward(gx));
    } finally {
      model.modules().forEach((m, i) => (m.training = modes[i]!));
    }
  } else out = noGrad(() => model(gx));
  if (out.shape[0] !== res * res || out.ndim > 2) throw new ShapeError(`${op}: model outputs [N] or [N, C] for N inputs; got [${out.shape.join(', ')}] for N = ${res * res}`);
  const classes: ArrayLike<number> = out.ndim === 2 && out.shape[1]! > 1 ? out.argmax(1).contiguousData() : Array.from(out.contiguousData(), (v) => (Number(v) > (opts.threshold ?? 0.5) ? 1 : 0));
  const { rows, scale } = classRows(op, x, y, opts.classNames);
  // Region colours: the class colour of the scatter, faded towards white.
  const image: RgbaImage = { width: res, height: res, data: new Uint8Array(res * res * 4) };
  for (let i = 0; i < res * res; i++) {
    const hex = palette[classes[i]! % palette.length]!;
    for (let ch = 0; ch < 3; ch++) image.data[4 * i + ch] = Math.round(parseInt(hex.slice(1 + 2 * ch, 3 + 2 * ch), 16) * 0.35 + 255 * 0.65);
    image.data[4 * i + 3] = 255;
  }
  const w = opts.width ?? 320;
  const h = opts.height ?? 320;
  const axis = (lo: number, hi: number, title: string) => ({ title, scale: { domain: [lo, hi], nice: false, zero: false } });
  return finish({
    title: opts.title ?? 'decision regions',
    width: w,
    height: h,
    layer: [
      {
        data: { values: [{ url: pngDataUrl(image) }] },
        mark: { type: 'image', width: w, height: h, aspect: false, align: 'left', baseline: 'top' },
        encoding: { url: { field: 'url', type: 'nominal' }, x: { value: 0 }, y: { value: 0 } },
      },
      {
        data: { values: rows },
        mark: { type: 'circle', size: rows.length > 500 ? 14 : 30, opacity: 0.9, stroke: 'white', strokeWidth: 0.4 },
        encoding: {
          x: { field: 'x', type: 'quantitative', ...axis(x0, x1, opts.xTitle ?? 'x1') },
          y: { field: 'y', type: 'quantitative', ...axis(y0, y1, opts.yTitle ?? 'x2') },
          color: { field: 'label', type: 'nominal', title: opts.labelTitle ?? 'class', scale },
        },
      },
    ],
  });
}

// ---------------------------------------------------------------------------------------------
// Classification results

/** Options of {@link confusionMatrixPlot}. */
export interface ConfusionMatrixOptions extends ChartOptions {
  /** Display names of the classes (default 0..C-1). */
  labels?: readonly (string | number)[];
  /** Colour by the share of each true class (row) instead of the count; cells still show counts. */
  normalize?: boolean;
}

/** A confusion matrix [C, C] (rows: true class, columns: predicted) as a heatmap with the counts written in. */
export function confusionMatrixPlot(cm: Tensor | readonly (readonly number[])[], opts: ConfusionMatrixOptions = {}): PlotSpec {
  const m: number[][] = cm instanceof Tensor ? (cm.ndim === 2 ? (cm.toArray() as number[][]) : []) : cm.map((r) => [...r]);
  const c = m.length;
  if (!c || m.some((r) => r.length !== c)) throw new ShapeError(`confusionMatrixPlot: a square matrix [C, C]; got ${cm instanceof Tensor ? `[${cm.shape.join(', ')}]` : `${c} rows of lengths ${m.map((r) => r.length).join(', ')}`}`);
  const names = (opts.labels ?? m.map((_, i) => i)).map(String);
  if (names.length !== c) throw new ValueError(`confusionMatrixPlot: one label per class (${c}); got ${names.length}`);
  const rows: Row[] = [];
  let max = 0;
  m.forEach((r, i) => {
    const total = r.reduce((a, b) => a + b, 0) || 1;
    r.forEach((v, j) => {
      const share = opts.normalize ? v / total : v;
      max = Math.max(max, share);
      rows.push({ true: names[i]!, predicted: names[j]!, count: v, value: share });
    });
  });
  const cell = Math.max(18, Math.min(44, Math.floor(400 / c)));
  const axis = (field: string) => ({ field, type: 'ordinal', sort: names, axis: { labelAngle: 0 } });
  return finish({
    title: opts.title ?? 'confusion matrix',
    width: opts.width ?? cell * c,
    height: opts.height ?? cell * c,
    data: { values: rows },
    encoding: { x: { ...axis('predicted'), title: 'predicted' }, y: { ...axis('true'), title: 'true' } },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'value', type: 'quantitative', title: opts.normalize ? 'share of row' : 'count', scale: { scheme: 'blues' } } } },
      {
        mark: { type: 'text', fontSize: c > 12 ? 8 : 11 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: `datum.value > ${max / 2}`, value: 'white' }, value: 'black' },
        },
      },
    ],
  });
}

/** Options of {@link samplePredictions}. */
export interface SamplePredictionOptions extends ImageGridOptions {
  title?: string;
  /** Display names of the classes. */
  classNames?: readonly string[];
}

/**
 * Images with their true and predicted classes written under each (green when right, red when wrong):
 * `images` as imageGrid takes them ([N, H*W], [N, H, W], [N, C, H, W]).
 */
export function samplePredictions(images: Tensor, yTrue: Labels, yPred: Labels, opts: SamplePredictionOptions = {}): PlotSpec {
  const op = 'samplePredictions';
  const t = toLabels(op, 'yTrue', yTrue);
  const p = toLabels(op, 'yPred', yPred, true);
  const n = images.shape[0]!;
  if (t.length !== n || p.length !== n) throw new ShapeError(`${op}: one true and one predicted label per image (${n}); got ${t.length} and ${p.length}`);
  const cols = opts.cols ?? Math.min(n, 8);
  const scale = opts.scale ?? 2;
  const name = (k: number): string => opts.classNames?.[k] ?? String(k);
  const rows: Row[] = [];
  let cw = 0;
  let ch = 0;
  for (let i = 0; i < n; i++) {
    const img = imageGrid(images.narrow(0, i, 1), { ...opts, padding: 0, scale, cols: 1 });
    [cw, ch] = [Math.max(cw, img.width), Math.max(ch, img.height)];
    rows.push({ url: pngDataUrl(img), i, text: `${name(t[i]!)} → ${name(p[i]!)}`, ok: t[i] === p[i] });
  }
  const gapX = Math.max(12, 60 - cw);
  const cellW = cw + gapX;
  const cellH = ch + 22;
  for (const r of rows) {
    const i = r.i as number;
    r.px = (i % cols) * cellW + gapX / 2;
    r.py = Math.floor(i / cols) * cellH;
  }
  const px = { field: 'px', type: 'quantitative', scale: null };
  return finish({
    title: opts.title ?? 'sample predictions (true → predicted)',
    width: cols * cellW,
    height: Math.ceil(n / cols) * cellH,
    data: { values: rows },
    layer: [
      { mark: { type: 'image', width: cw, height: ch, align: 'left', baseline: 'top' }, encoding: { url: { field: 'url', type: 'nominal' }, x: px, y: { field: 'py', type: 'quantitative', scale: null } } },
      {
        transform: [{ calculate: `datum.px + ${cw / 2}`, as: 'tx' }, { calculate: `datum.py + ${ch + 14}`, as: 'ty' }],
        mark: { type: 'text', fontSize: 11, align: 'center' },
        encoding: {
          x: { field: 'tx', type: 'quantitative', scale: null },
          y: { field: 'ty', type: 'quantitative', scale: null },
          text: { field: 'text', type: 'nominal' },
          color: { condition: { test: 'datum.ok', value: '#2e7d32' }, value: '#c62828' },
        },
      },
    ],
    view: { stroke: null },
  });
}

/** Options of {@link imagePlot}. */
export interface ImagePlotOptions {
  title?: string;
}

/** A picture (an image grid: samples, reconstructions, filters, feature maps) as a chart, for reports and savePlot. */
export function imagePlot(image: RgbaImage, opts: ImagePlotOptions = {}): PlotSpec {
  return finish({
    ...(opts.title ? { title: opts.title } : {}),
    width: image.width,
    height: image.height,
    data: { values: [{ url: pngDataUrl(image) }] },
    mark: { type: 'image', width: image.width, height: image.height, align: 'left', baseline: 'top' },
    encoding: { url: { field: 'url', type: 'nominal' }, x: { value: 0 }, y: { value: 0 } },
    view: { stroke: null },
  });
}

// ---------------------------------------------------------------------------------------------
// Activations and gradients

/** Activation functions by name, for {@link activationPlot}. */
export const activationFunctions: Record<string, (x: Tensor) => Tensor> = {
  sigmoid: (x) => x.sigmoid(),
  tanh: (x) => x.tanh(),
  relu: (x) => x.relu(),
  leakyRelu: (x) => x.leakyRelu(0.1),
  elu: (x) => x.elu(),
  selu: (x) => x.selu(),
  gelu: (x) => x.gelu(),
  softplus: (x) => x.softplus(),
};

/** Options of {@link activationPlot}. */
export interface ActivationPlotOptions extends ChartOptions {
  /** x range (default [-5, 5]). */
  range?: [number, number];
  /** Points per curve (default 201). */
  points?: number;
  /** Panels per row (default 4). */
  columns?: number;
}

/**
 * Activation functions and their derivatives, one panel each; the derivative comes from autograd
 * (backward of sum f(x)), so a custom function is plotted the same way. `fns` are names from
 * {@link activationFunctions} or functions by name.
 *
 * ```ts
 * activationPlot(['sigmoid', 'tanh', 'relu', 'selu']);
 * activationPlot({ swish: (x) => x.mul(x.sigmoid()) });
 * ```
 */
export function activationPlot(fns: readonly string[] | Record<string, (x: Tensor) => Tensor>, opts: ActivationPlotOptions = {}): PlotSpec {
  const table: [string, (x: Tensor) => Tensor][] = Array.isArray(fns)
    ? (fns as readonly string[]).map((n) => {
        const f = activationFunctions[n];
        if (!f) throw new ValueError(`activationPlot: an activation among ${Object.keys(activationFunctions).join(', ')} (or a function); got '${n}'`);
        return [n, f];
      })
    : Object.entries(fns as Record<string, (x: Tensor) => Tensor>);
  if (!table.length) throw new ValueError('activationPlot: at least one function; got none');
  const [a, b] = opts.range ?? [-5, 5];
  const n = opts.points ?? 201;
  if (!(b > a) || !Number.isInteger(n) || n < 2) throw new ValueError(`activationPlot: range [a, b] with b > a and an integer points >= 2; got [${a}, ${b}] and ${n}`);
  const rows: Row[] = [];
  for (const [name, f] of table) {
    const x = linspace(a, b, n, { dtype: 'float64' }).requiresGrad_();
    const y = f(x);
    if (y.size !== n) throw new ShapeError(`activationPlot: '${name}' maps [${n}] to [${n}]; got [${y.shape.join(', ')}]`);
    y.sum().backward();
    const xs = x.contiguousData();
    const ys = y.contiguousData();
    const ds = x.grad!.contiguousData();
    for (let i = 0; i < n; i++) {
      rows.push({ fn: name, x: Number(xs[i]), value: Number(ys[i]), curve: 'f(x)' });
      rows.push({ fn: name, x: Number(xs[i]), value: Number(ds[i]), curve: "f'(x)" });
    }
  }
  return finish({
    title: opts.title ?? 'activation functions and their derivatives (autograd)',
    data: { values: rows },
    facet: { field: 'fn', type: 'nominal', title: null, sort: table.map(([k]) => k), header: { labelFontSize: 13 } },
    columns: Math.min(opts.columns ?? 4, table.length),
    spec: {
      width: opts.width ?? 200,
      height: opts.height ?? 160,
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: 'x' },
        y: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'curve', type: 'nominal', title: null, scale: colorScale(['f(x)', "f'(x)"]) },
        strokeDash: { field: 'curve', type: 'nominal', title: null, scale: { domain: ['f(x)', "f'(x)"], range: [[1, 0], [5, 3]] } },
      },
    },
    resolve: { scale: { y: 'independent' } },
  });
}

/** Options of {@link gradientMagnitudes}. */
export interface GradientPlotOptions extends ChartOptions {
  /** Gradients (mean |dW|, default) or weights (mean |W|). */
  quantity?: 'grad' | 'weight';
  /** 'layers': one point per layer (input side first), averaged over training or the last record; 'training': one line per layer over the records. */
  view?: 'layers' | 'training';
  /** For view 'layers': average over all records (default) or the last one. */
  at?: 'mean' | 'last';
  /** Log-scale y (default true: vanishing gradients span orders of magnitude). */
  logY?: boolean;
}

/**
 * Per-layer gradient (or weight) magnitudes from a {@link GradientRecorder}: across the layers (the
 * vanishing-gradient picture; pass several recorders by name to compare, e.g. sigmoid vs ReLU) or
 * over training, one line per layer.
 */
export function gradientMagnitudes(rec: GradientRecorder | Record<string, GradientRecorder>, opts: GradientPlotOptions = {}): PlotSpec {
  const q = opts.quantity ?? 'grad';
  const log = opts.logY ?? true;
  const label = q === 'grad' ? 'mean |dW|' : 'mean |W|';
  const runs: [string, GradientRecorder][] = rec instanceof GradientRecorder ? [['run', rec]] : Object.entries(rec);
  if (!runs.length) throw new ValueError('gradientMagnitudes: at least one GradientRecorder; got none');
  // Layers numbered from the input; a module path is added when it says more than a Sequential index.
  const layerName = (names: string[], i: number): string => {
    const n = names[i]!.replace(/\.weight$/, '');
    return /^\d+$/.test(n) ? String(i + 1) : `${i + 1}: ${n}`;
  };
  const keep = (v: number): boolean => Number.isFinite(v) && (!log || v > 0);
  const y = { field: 'value', type: 'quantitative', title: label, scale: log ? { type: 'log' } : { zero: true }, axis: log ? { format: '~e' } : {} };
  if ((opts.view ?? 'layers') === 'layers') {
    const rows: Row[] = [];
    let order: string[] = [];
    // Runs of one architecture share layer names; otherwise the layers are matched by position.
    const same = runs.every(([, r]) => r.names.join() === runs[0]![1].names.join());
    for (const [run, r] of runs) {
      const means = r.layerMeans(q, opts.at ?? 'mean');
      const names = r.names.map((_, i) => (same ? layerName(r.names, i) : String(i + 1)));
      if (names.length > order.length) order = names;
      means.forEach((v, i) => keep(v) && rows.push({ run, layer: names[i]!, index: i + 1, value: v }));
    }
    const runNames = runs.map(([k]) => k);
    return finish({
      title: opts.title ?? `${label} per layer${opts.at === 'last' ? ', last record' : ', mean over training'}`,
      width: opts.width ?? W,
      height: opts.height ?? H,
      data: { values: rows },
      mark: { type: 'line', point: { size: 50 }, strokeWidth: 2 },
      encoding: {
        x: { field: 'layer', type: 'ordinal', sort: order, title: 'layer (input → output)', axis: { labelAngle: 0 } },
        y,
        color: { field: 'run', type: 'nominal', title: null, scale: colorScale(runNames), legend: runs.length > 1 ? {} : null },
      },
    });
  }
  const panels = runs.map(([run, r]) => {
    if (!r.records.length) r.flush();
    const byEpoch = r.records.every((x, i) => i === 0 || x.epoch > r.records[i - 1]!.epoch) && r.records.some((x) => x.epoch > 0);
    const names = r.names.map((_, i) => layerName(r.names, i));
    const rows: Row[] = [];
    for (const rec0 of r.records) rec0[q].forEach((v, i) => keep(v) && rows.push({ t: byEpoch ? rec0.epoch : rec0.step, layer: names[i]!, value: v }));
    return {
      title: runs.length > 1 ? run : (opts.title ?? `${label} per layer over training`),
      width: opts.width ?? W,
      height: opts.height ?? H,
      data: { values: rows },
      mark: { type: 'line', point: r.records.length <= 30, strokeWidth: 2 },
      encoding: {
        x: { field: 't', type: 'quantitative', title: byEpoch ? 'epoch' : 'step' },
        y,
        color: { field: 'layer', type: 'nominal', title: 'layer', sort: names, scale: { scheme: 'viridis' } },
      },
    };
  });
  return finish(panels.length === 1 ? panels[0]! : { ...(opts.title ? { title: opts.title } : {}), hconcat: panels });
}

/** The shared chart config, for specs written by hand that should look like the ready-made ones. */
export { chartConfig };
