// Text reports: scikit-learn's classification_report layout, and a confusion matrix as an aligned table.
import { ShapeError, ValueError, fmtShape } from '../core/index.ts';
import { Tensor } from '../tensor/index.ts';
import { classCounts, toLabels, uniqueLabels } from './classification.ts';
import type { Labels } from './classification.ts';

/**
 * `x` with `digits` decimals as Python's format(x, '.Nf') writes it: like toFixed, except that an
 * exact tie (0.125 to 2 digits) rounds to the even digit.
 */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const a = Math.abs(x);
  if (a >= 1e21) return x.toFixed(digits);
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const exact = a.toFixed(100);
  const dot = exact.indexOf('.');
  const frac = exact.slice(dot + 1);
  if (frac[digits] === '5' && /^0*$/.test(frac.slice(digits + 1))) {
    const kept = digits === 0 ? exact.slice(0, dot) : exact.slice(0, dot + 1 + digits);
    const last = Number(kept[kept.length - 1]);
    if (last % 2 === 0) return sign + kept;
  }
  return sign + a.toFixed(digits);
}

/** Options of `classificationReport`. */
export interface ClassificationReportOptions {
  /** Display names of the classes, one per label (default: the label numbers). */
  targetNames?: readonly string[];
  /** Decimals of the scores (default 2). */
  digits?: number;
  /** The classes to report, in order (default: classes in yTrue or yPred, or 0..targetNames.length-1). */
  labels?: readonly number[];
}

/**
 * A text report of per-class precision, recall, F1 and support, then the accuracy, macro average
 * and support-weighted average rows, laid out like scikit-learn's classification_report (zero
 * division gives 0). `yPred` may be labels [n] or scores [n, C].
 *
 * ```ts
 * console.log(classificationReport(yTest, logits, { targetNames: ['cat', 'dog'] }));
 * //               precision    recall  f1-score   support
 * //
 * //          cat       0.90      0.85      0.87        20
 * // ...
 * ```
 */
export function classificationReport(yTrue: Labels, yPred: Labels, opts: ClassificationReportOptions = {}): string {
  const op = 'classificationReport';
  const { targetNames, digits = 2 } = opts;
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) throw new ValueError(`${op}: digits an integer in [0, 20]; got ${digits}`);
  const t = toLabels(op, 'yTrue', yTrue);
  const p = toLabels(op, 'yPred', yPred, true);
  if (t.length !== p.length) throw new ShapeError(`${op}: yTrue and yPred with one entry per sample; got ${t.length} and ${p.length}`);
  if (t.length === 0) throw new ValueError(`${op}: at least one sample; got empty yTrue and yPred`);
  const present = uniqueLabels(t, p);
  let labels: number[];
  if (opts.labels !== undefined) {
    labels = [...opts.labels];
    labels.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 0) throw new ValueError(`${op}: labels of non-negative integers; got ${v} at position ${i}`);
    });
    if (labels.length === 0 || new Set(labels).size !== labels.length) throw new ValueError(`${op}: labels non-empty and without repeats; got [${labels.join(', ')}]`);
  } else if (targetNames && targetNames.length > present.length && present[present.length - 1]! < targetNames.length) {
    // Names for every class 0..K-1, but some classes absent from this data: report them all.
    labels = targetNames.map((_, i) => i);
  } else labels = present;
  if (targetNames && targetNames.length !== labels.length) {
    throw new ValueError(
      `${op}: one target name per reported class (${labels.length}: [${labels.join(', ')}]); got ${targetNames.length} names. Pass labels to choose the classes`,
    );
  }
  const names = targetNames ? [...targetNames] : labels.map(String);

  const { tp, predicted, support } = classCounts(t, p, labels);
  const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  const prec = labels.map((_, k) => ratio(tp[k]!, predicted[k]!));
  const rec = labels.map((_, k) => ratio(tp[k]!, support[k]!));
  const f1 = labels.map((_, k) => ratio(2 * tp[k]!, predicted[k]! + support[k]!));
  const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);
  const total = sum(support);

  const width = Math.max(...names.map((s) => s.length), 'weighted avg'.length, digits);
  const num = (v: number): string => ` ${formatFixed(v, digits).padStart(9)}`;
  const row = (name: string, ps: number, rs: number, fs: number, s: number): string =>
    `${name.padStart(width)} ${num(ps)}${num(rs)}${num(fs)} ${String(s).padStart(9)}\n`;

  let out = `${''.padStart(width)} ${['precision', 'recall', 'f1-score', 'support'].map((h) => ` ${h.padStart(9)}`).join('')}\n\n`;
  labels.forEach((_, k) => (out += row(names[k]!, prec[k]!, rec[k]!, f1[k]!, support[k]!)));
  out += '\n';
  // scikit-learn prints "accuracy" for the micro average when every class present is reported.
  const microIsAccuracy = present.every((c) => labels.includes(c));
  const TP = sum(tp);
  const microF1 = ratio(2 * TP, sum(predicted) + total);
  if (microIsAccuracy) out += `${'accuracy'.padStart(width)} ${' '.repeat(10)}${' '.repeat(10)}${num(microF1)} ${String(total).padStart(9)}\n`;
  else out += row('micro avg', ratio(TP, sum(predicted)), ratio(TP, total), microF1, total);
  const n = labels.length;
  out += row('macro avg', sum(prec) / n, sum(rec) / n, sum(f1) / n, total);
  const w = (a: number[]): number => ratio(sum(a.map((v, k) => v * support[k]!)), total);
  out += row('weighted avg', w(prec), w(rec), w(f1), total);
  return out;
}

/**
 * A confusion matrix (rows true, columns predicted) as an aligned text table, with class names
 * (`labels`, default 0..K-1) heading the rows and columns.
 *
 * ```ts
 * formatConfusionMatrix(confusionMatrix(yTrue, yPred), ['cat', 'dog']);
 * // true\pred  cat  dog
 * //       cat    5    1
 * //       dog    0    3
 * ```
 */
export function formatConfusionMatrix(cm: Tensor | readonly (readonly number[])[], labels?: readonly (string | number)[]): string {
  const op = 'formatConfusionMatrix';
  let rows: number[][];
  if (cm instanceof Tensor) {
    if (cm.ndim !== 2 || cm.shape[0] !== cm.shape[1]) throw new ShapeError(`${op}: a square matrix [K, K]; got shape ${fmtShape(cm.shape)}`);
    rows = cm.toArray() as number[][];
  } else {
    rows = cm.map((r) => [...r]);
    if (rows.some((r) => r.length !== rows.length)) throw new ShapeError(`${op}: a square matrix [K, K]; got ${rows.length} rows of lengths [${rows.map((r) => r.length).join(',')}]`);
  }
  const k = rows.length;
  if (labels && labels.length !== k) throw new ValueError(`${op}: one label per class (${k}); got ${labels.length}`);
  const names = (labels ?? rows.map((_, i) => i)).map(String);
  const corner = 'true\\pred';
  const first = Math.max(corner.length, ...names.map((s) => s.length));
  const cells = rows.map((r) => r.map((v) => (Number.isInteger(v) ? String(v) : formatFixed(v, 2))));
  const col = Math.max(...names.map((s) => s.length), ...cells.flat().map((s) => s.length));
  const line = (head: string, items: string[]): string => [head.padStart(first), ...items.map((s) => s.padStart(col))].join('  ');
  return [line(corner, names), ...cells.map((r, i) => line(names[i]!, r))].join('\n');
}
