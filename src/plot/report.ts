// A training report as one self-contained HTML page: model summary, hyperparameters, learning curves,
// confusion matrix, per-class metrics, sample predictions and any other charts, each chart an inline
// SVG (no scripts, no fonts or styles from the network), so the file opens offline anywhere.
import { ValueError } from '../core/index.ts';
import type { Tensor } from '../tensor/index.ts';
import type { Module } from '../nn/index.ts';
import { summary } from '../model/index.ts';
import type { History } from '../model/index.ts';
import { accuracy, confusionMatrix, precisionRecallF1, toLabels } from '../metrics/index.ts';
import type { Labels } from '../metrics/index.ts';
import { confusionMatrixPlot, isHistory, learningCurves, samplePredictions } from './charts.ts';
import type { HistoryLike } from './charts.ts';
import { toSvg } from './render.ts';
import type { PlotSpec } from './render.ts';

/** What a report shows; every part is optional. */
export interface ReportOptions {
  /** Page title (default 'neurona training report'). */
  title?: string;
  /** The trained model (its summary is printed) or a summary text. */
  model?: Module | string;
  /** The model's input shape without the batch dim, for the output shapes of the summary (e.g. [784]). */
  inputShape?: number[];
  /** Settings of the run, shown as a table. */
  hyperparameters?: Record<string, string | number | boolean | readonly (string | number)[] | null | undefined>;
  /** Per-epoch values (a History from fit, or a record of arrays) for the learning curves. */
  history?: History | HistoryLike;
  /** Test labels and predictions (labels [n] or scores [n, C]): give the accuracy, confusion matrix and per-class metrics. */
  yTrue?: Labels;
  yPred?: Labels;
  /** Display names of the classes. */
  classNames?: readonly string[];
  /** Test images with their labels and predictions, drawn as sample predictions (the first 24). */
  samples?: { images: Tensor; yTrue: Labels; yPred: Labels };
  /** More charts, each with a caption (gradient magnitudes, decision regions...). */
  charts?: { title: string; spec: PlotSpec }[];
  /** Numbers to show at the top (e.g. test accuracy, training time). */
  results?: Record<string, string | number>;
  /** A line of free text under the title. */
  note?: string;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Numbers for the results and metric tables: integers as they are, others with 4 decimals (or 4 significant digits when small). */
const fmt = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toPrecision(4)) : String(v));

const css = `
body { font-family: 'DejaVu Sans', Verdana, system-ui, sans-serif; margin: 24px auto; max-width: 1200px; padding: 0 16px; color: #222; background: #fff; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.note { color: #555; } table { border-collapse: collapse; font-size: 13px; } td, th { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: right; }
th { background: #f5f5f5; } td:first-child, th:first-child { text-align: left; }
pre { background: #f7f7f7; padding: 10px; font-size: 12px; overflow-x: auto; }
figure { margin: 12px 0; } figure svg { max-width: 100%; height: auto; } figcaption { font-size: 13px; color: #555; margin-bottom: 4px; }
.results { display: flex; gap: 24px; flex-wrap: wrap; } .results div { background: #f2f6fb; padding: 8px 14px; border-radius: 4px; }
.results b { display: block; font-size: 20px; }
`;

function table(head: string[], rows: (string | number)[][]): string {
  return `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(fmt(c))}</td>`).join('')}</tr>`).join('')}</table>`;
}

let figures = 0;

/** An inline SVG chart; its ids (clip paths, gradients) get a per-figure prefix so that charts on one page do not share them. */
async function figure(title: string, spec: PlotSpec): Promise<string> {
  const pre = `f${++figures}-`;
  const svg = (await toSvg(spec))
    .replace(/^<\?xml[^>]*>/, '')
    .replace(/\bid="([^"]+)"/g, `id="${pre}$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${pre}$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${pre}$1"`);
  return `<figure class="chart"><figcaption>${esc(title)}</figcaption>${svg}</figure>`;
}

/**
 * Builds the HTML page of a training report (a string; neurona/node's `writeReport` writes it to a
 * file). Works in browsers too.
 *
 * ```ts
 * const html = await trainingReport({ model, history, yTrue: yTest, yPred: model.predict(xTest), hyperparameters: { lr: 0.01 } });
 * ```
 */
export async function trainingReport(o: ReportOptions): Promise<string> {
  const title = o.title ?? 'neurona training report';
  const parts: string[] = [`<h1>${esc(title)}</h1>`];
  if (o.note) parts.push(`<p class="note">${esc(o.note)}</p>`);
  const results: Record<string, string | number> = { ...o.results };
  if ((o.yTrue === undefined) !== (o.yPred === undefined)) throw new ValueError('trainingReport: yTrue and yPred together; got only one of them');
  let t: number[] | null = null;
  let p: number[] | null = null;
  if (o.yTrue !== undefined && o.yPred !== undefined) {
    t = Array.from(toLabels('trainingReport', 'yTrue', o.yTrue));
    p = Array.from(toLabels('trainingReport', 'yPred', o.yPred, true));
    if (!('accuracy' in results) && !('test accuracy' in results)) results['accuracy'] = accuracy(t, p);
  }
  if (Object.keys(results).length) {
    parts.push(`<div class="results">${Object.entries(results).map(([k, v]) => `<div>${esc(k)}<b>${esc(fmt(v))}</b></div>`).join('')}</div>`);
  }
  if (o.hyperparameters) {
    const rows = Object.entries(o.hyperparameters).filter(([, v]) => v !== undefined).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]);
    parts.push(`<h2>Hyperparameters</h2>${table(['setting', 'value'], rows)}`);
  }
  if (o.model !== undefined) {
    parts.push(`<h2>Model</h2><pre>${esc(typeof o.model === 'string' ? o.model : summary(o.model, o.inputShape ? { inputShape: [o.inputShape] } : {}))}</pre>`);
  }
  if (o.history) {
    const h = o.history;
    const keys = Object.keys(isHistory(h) ? h.history : h);
    const caption = keys.some((k) => k.startsWith('val_')) ? 'per epoch, training and validation' : 'per epoch, training';
    if (keys.length) parts.push(`<h2>Learning curves</h2>${await figure(caption, learningCurves(h))}`);
  }
  if (t && p) {
    const names = o.classNames;
    const scores = precisionRecallF1(t, p, { average: null });
    const label = (k: number): string => names?.[k] ?? String(k);
    const classes = Math.max(...scores.labels) + 1;
    const cm = confusionMatrix(t, p, Math.max(classes, names?.length ?? 0));
    const cmLabels = Array.from({ length: cm.shape[0]! }, (_, k) => label(k));
    parts.push(`<h2>Confusion matrix</h2>${await figure('rows: true class, columns: predicted class', confusionMatrixPlot(cm, { labels: cmLabels }))}`);
    const macro = precisionRecallF1(t, p, { average: 'macro' });
    const weighted = precisionRecallF1(t, p, { average: 'weighted' });
    const f4 = (v: number): string => v.toFixed(4);
    const rows: string[][] = scores.labels.map((k, i) => [label(k), f4(scores.precision[i]!), f4(scores.recall[i]!), f4(scores.f1[i]!), String(scores.support[i]!)]);
    rows.push(['macro avg', f4(macro.precision), f4(macro.recall), f4(macro.f1), String(macro.support)], ['weighted avg', f4(weighted.precision), f4(weighted.recall), f4(weighted.f1), String(weighted.support)]);
    parts.push(`<h2>Per-class metrics</h2>${table(['class', 'precision', 'recall', 'f1-score', 'support'], rows)}`);
  }
  if (o.samples) {
    const n = Math.min(24, o.samples.images.shape[0]!);
    const lab = (y: Labels, scores: boolean): number[] => Array.from(toLabels('trainingReport', 'samples', y, scores)).slice(0, n);
    const spec = samplePredictions(o.samples.images.narrow(0, 0, n), lab(o.samples.yTrue, false), lab(o.samples.yPred, true), { classNames: o.classNames, cols: 12 });
    parts.push(`<h2>Sample predictions</h2>${await figure('true → predicted (green: right, red: wrong)', spec)}`);
  }
  if (o.charts?.length) {
    parts.push('<h2>More charts</h2>');
    for (const c of o.charts) parts.push(await figure(c.title, c.spec));
  }
  parts.push(`<p class="note">Written by neurona. Every chart is an inline SVG rendered by Vega from a Vega-Lite spec; the page loads nothing from the network.</p>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${css}</style></head>
<body>
${parts.join('\n')}
</body></html>
`;
}
