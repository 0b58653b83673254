// Classification metrics with scikit-learn's semantics: accuracy, confusion matrix, precision/recall/F1.
import { DTypeError, ShapeError, ValueError, fmtShape } from '../core/index.ts';
import { Tensor } from '../tensor/index.ts';

/** Class labels: an int tensor [n] (or float with integer values), or an array of numbers. */
export type Labels = Tensor | readonly number[];

/** How per-class scores are combined: over all samples (micro), plain mean (macro), support-weighted mean, or the positive class only (binary). */
export type Average = 'micro' | 'macro' | 'weighted' | 'binary';

/** Options of the precision/recall/F1 functions. */
export interface ScoreOptions {
  /** Averaging, or null for per-class arrays (default 'macro'). */
  average?: Average | null;
  /** The classes to score, in order (default: the sorted classes in yTrue or yPred). */
  labels?: readonly number[];
  /** The positive class for average 'binary' (default 1). */
  posLabel?: number;
}

/** Averaged scores; `support` is the number of true samples of the scored classes. */
export interface Scores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Per-class scores, one entry per label of `labels`. */
export interface PerClassScores {
  labels: number[];
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
}

/**
 * Labels as an Int32Array, checking they are non-negative integers. With `scores`, a 2-D float
 * tensor [n, C] is taken as per-class scores and reduced with argmax over dim 1.
 */
export function toLabels(op: string, name: string, y: Labels, scores = false): Int32Array {
  let vals: ArrayLike<number>;
  if (y instanceof Tensor) {
    if (y.ndim === 2 && scores) {
      if (y.dtype !== 'float32' && y.dtype !== 'float64') {
        throw new DTypeError(`${op}: ${name} as labels [n] or float scores [n, C]; got a 2-D ${y.dtype} tensor of shape ${fmtShape(y.shape)}`);
      }
      if (y.shape[1] === 1) {
        throw new ShapeError(`${op}: ${name} as scores [n, C] with C >= 2; got shape ${fmtShape(y.shape)}. For one sigmoid output, threshold it: ${name}.gt(0.5).int().reshape([-1])`);
      }
      return y.argmax(1).contiguousData() as Int32Array;
    }
    if (y.ndim !== 1) {
      throw new ShapeError(`${op}: ${name} as 1-d labels [n]${scores ? ' or scores [n, C]' : ''}; got shape ${fmtShape(y.shape)}`);
    }
    vals = y.contiguousData();
  } else if (Array.isArray(y)) {
    vals = y as readonly number[];
  } else {
    throw new ValueError(`${op}: ${name} as a tensor or an array of class labels; got ${y === null ? 'null' : typeof y}`);
  }
  if (vals instanceof Int32Array) {
    for (let i = 0; i < vals.length; i++) if (vals[i]! < 0) throw new ValueError(`${op}: ${name} of non-negative class labels; got ${vals[i]} at position ${i}`);
    return vals;
  }
  const out = new Int32Array(vals.length);
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i]!;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      const hint = typeof v === 'number' && v > 0 && v < 1 ? '. For probabilities, pass scores [n, C] or threshold them first' : '';
      throw new ValueError(`${op}: ${name} of non-negative integer class labels; got ${v} at position ${i}${hint}`);
    }
    out[i] = v;
  }
  return out;
}

/** Both label arrays, checked for equal length (yPred may be scores [n, C]). */
function pair(op: string, yTrue: Labels, yPred: Labels): [Int32Array, Int32Array] {
  const t = toLabels(op, 'yTrue', yTrue);
  const p = toLabels(op, 'yPred', yPred, true);
  if (t.length !== p.length) throw new ShapeError(`${op}: yTrue and yPred with one entry per sample; got ${t.length} and ${p.length}`);
  if (t.length === 0) throw new ValueError(`${op}: at least one sample; got empty yTrue and yPred`);
  return [t, p];
}

function maxOf(a: Int32Array): number {
  let m = -1;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

/**
 * The fraction of samples whose predicted class equals the true one. `yPred` may be labels [n] or
 * scores [n, C] (argmax over dim 1).
 *
 * ```ts
 * accuracy([0, 1, 2, 2], [0, 2, 2, 2]); // 0.75
 * ```
 */
export function accuracy(yTrue: Labels, yPred: Labels): number {
  const [t, p] = pair('accuracy', yTrue, yPred);
  let ok = 0;
  for (let i = 0; i < t.length; i++) if (t[i] === p[i]) ok++;
  return ok / t.length;
}

/**
 * The confusion matrix C (int32 [K, K]): C[i][j] counts samples of true class i predicted as j
 * (rows true, columns predicted, like scikit-learn). K defaults to the largest label + 1.
 */
export function confusionMatrix(yTrue: Labels, yPred: Labels, numClasses?: number): Tensor {
  const [t, p] = pair('confusionMatrix', yTrue, yPred);
  const seen = Math.max(maxOf(t), maxOf(p)) + 1;
  const k = numClasses ?? seen;
  if (!Number.isInteger(k) || k < 1) throw new ValueError(`confusionMatrix: numClasses a positive integer; got ${k}`);
  if (seen > k) throw new ValueError(`confusionMatrix: labels in [0, ${k}) for numClasses=${k}; got label ${seen - 1}. Pass a larger numClasses`);
  const cm = new Int32Array(k * k);
  for (let i = 0; i < t.length; i++) cm[t[i]! * k + p[i]!]!++;
  return Tensor.fromData(cm, [k, k], 'int32');
}

/** Per-class counts for `labels`: true positives, predicted count, true count (support). */
export function classCounts(t: Int32Array, p: Int32Array, labels: readonly number[]): { tp: number[]; predicted: number[]; support: number[] } {
  const k = Math.max(maxOf(t), maxOf(p), ...labels) + 1;
  const tp = new Float64Array(k);
  const pc = new Float64Array(k);
  const tc = new Float64Array(k);
  for (let i = 0; i < t.length; i++) {
    tc[t[i]!]!++;
    pc[p[i]!]!++;
    if (t[i] === p[i]) tp[t[i]!]!++;
  }
  return { tp: labels.map((c) => tp[c]!), predicted: labels.map((c) => pc[c]!), support: labels.map((c) => tc[c]!) };
}

/** The sorted classes present in either array. */
export function uniqueLabels(t: Int32Array, p: Int32Array): number[] {
  const s = new Set<number>(t);
  for (const v of p) s.add(v);
  return [...s].sort((a, b) => a - b);
}

function checkLabels(op: string, labels: readonly number[]): number[] {
  if (!Array.isArray(labels) || labels.length === 0) throw new ValueError(`${op}: labels a non-empty array of class labels; got ${JSON.stringify(labels)}`);
  labels.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0) throw new ValueError(`${op}: labels of non-negative integers; got ${v} at position ${i}`);
  });
  if (new Set(labels).size !== labels.length) throw new ValueError(`${op}: labels without repeats; got [${labels.join(', ')}]`);
  return [...labels];
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** scikit-learn's precision_recall_fscore_support (beta 1; zero division gives 0). */
function scores(op: string, yTrue: Labels, yPred: Labels, opts: ScoreOptions): Scores | PerClassScores {
  const { average = 'macro', posLabel = 1 } = opts;
  const [t, p] = pair(op, yTrue, yPred);
  const present = uniqueLabels(t, p);
  let labels = opts.labels === undefined ? present : checkLabels(op, opts.labels);
  if (average === 'binary') {
    if (present.length > 2) {
      throw new ValueError(`${op}: at most 2 classes for average 'binary'; got ${present.length} ([${present.join(', ')}]). Choose average 'macro', 'micro' or 'weighted'`);
    }
    if (present.length === 2 && !present.includes(posLabel)) {
      throw new ValueError(`${op}: posLabel one of the classes [${present.join(', ')}]; got ${posLabel}`);
    }
    labels = [posLabel];
  }
  const { tp, predicted, support } = classCounts(t, p, labels);
  const precision = labels.map((_, k) => ratio(tp[k]!, predicted[k]!));
  const recall = labels.map((_, k) => ratio(tp[k]!, support[k]!));
  const f1 = labels.map((_, k) => ratio(2 * tp[k]!, predicted[k]! + support[k]!));
  const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);
  const total = sum(support);
  if (average === null) return { labels, precision, recall, f1, support };
  if (average === 'micro') {
    const TP = sum(tp);
    return { precision: ratio(TP, sum(predicted)), recall: ratio(TP, total), f1: ratio(2 * TP, sum(predicted) + total), support: total };
  }
  if (average === 'macro' || average === 'binary') {
    return { precision: sum(precision) / labels.length, recall: sum(recall) / labels.length, f1: sum(f1) / labels.length, support: total };
  }
  if (average === 'weighted') {
    const w = (a: number[]): number => ratio(sum(a.map((v, k) => v * support[k]!)), total);
    return { precision: w(precision), recall: w(recall), f1: w(f1), support: total };
  }
  throw new ValueError(`${op}: average one of 'macro', 'micro', 'weighted', 'binary' or null; got ${JSON.stringify(average)}`);
}

/**
 * Precision tp/(tp+fp), recall tp/(tp+fn) and F1 2tp/(2tp+fp+fn) per class, averaged by
 * `average` (default 'macro'; null gives per-class arrays), like scikit-learn's
 * precision_recall_fscore_support. A zero denominator gives 0.
 *
 * ```ts
 * precisionRecallF1([0, 1, 2, 2, 2], [0, 0, 2, 2, 1], { average: 'macro' }); // { precision: 0.5, recall: 0.556, f1: 0.489, support: 5 }
 * ```
 */
export function precisionRecallF1(yTrue: Labels, yPred: Labels, opts: ScoreOptions & { average: null }): PerClassScores;
export function precisionRecallF1(yTrue: Labels, yPred: Labels, opts?: ScoreOptions & { average?: Average }): Scores;
export function precisionRecallF1(yTrue: Labels, yPred: Labels, opts?: ScoreOptions): Scores | PerClassScores;
export function precisionRecallF1(yTrue: Labels, yPred: Labels, opts: ScoreOptions = {}): Scores | PerClassScores {
  return scores('precisionRecallF1', yTrue, yPred, opts);
}

function pick(op: string, key: 'precision' | 'recall' | 'f1', yTrue: Labels, yPred: Labels, opts: ScoreOptions): number | number[] {
  const s = scores(op, yTrue, yPred, opts);
  return s[key];
}

/** Precision tp/(tp+fp), averaged by `average` (default 'macro'; null: per class). */
export function precision(yTrue: Labels, yPred: Labels, opts: ScoreOptions & { average: null }): number[];
export function precision(yTrue: Labels, yPred: Labels, opts?: ScoreOptions & { average?: Average }): number;
export function precision(yTrue: Labels, yPred: Labels, opts: ScoreOptions = {}): number | number[] {
  return pick('precision', 'precision', yTrue, yPred, opts);
}

/** Recall tp/(tp+fn), averaged by `average` (default 'macro'; null: per class). */
export function recall(yTrue: Labels, yPred: Labels, opts: ScoreOptions & { average: null }): number[];
export function recall(yTrue: Labels, yPred: Labels, opts?: ScoreOptions & { average?: Average }): number;
export function recall(yTrue: Labels, yPred: Labels, opts: ScoreOptions = {}): number | number[] {
  return pick('recall', 'recall', yTrue, yPred, opts);
}

/** F1 = 2tp/(2tp+fp+fn), the harmonic mean of precision and recall, averaged by `average` (default 'macro'; null: per class). */
export function f1Score(yTrue: Labels, yPred: Labels, opts: ScoreOptions & { average: null }): number[];
export function f1Score(yTrue: Labels, yPred: Labels, opts?: ScoreOptions & { average?: Average }): number;
export function f1Score(yTrue: Labels, yPred: Labels, opts: ScoreOptions = {}): number | number[] {
  return pick('f1Score', 'f1', yTrue, yPred, opts);
}
