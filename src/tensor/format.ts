// Pretty printing like PyTorch's: `tensor([[ 0.1000, -2.0000], ...], requires_grad=True)`.
import type { Tensor } from './tensor.ts';

const EDGE = 3;
const THRESHOLD = 1000;

function fmtNumber(v: number, float: boolean, sci: boolean, decimals: number): string {
  if (!float) return String(v);
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (sci) return v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
  return v.toFixed(decimals);
}

/** Formats a tensor's values, dtype and autograd info the way PyTorch prints them. */
export function formatTensor(t: Tensor): string {
  const data = t.contiguousData();
  const float = t.dtype === 'float32' || t.dtype === 'float64';
  const isBool = t.dtype === 'bool';
  const summarize = t.size > THRESHOLD;
  // Choose one format for all shown values: integers print as "1.", large ranges in scientific.
  let allInt = true;
  let maxAbs = 0;
  let minAbs = Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) continue;
    if (!Number.isInteger(v)) allInt = false;
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a > 0 && a < minAbs) minAbs = a;
  }
  const sci = float && !allInt && (maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity) || maxAbs / minAbs > 1000);
  const decimals = allInt ? 0 : 4;
  const fmt = (v: number): string => {
    if (isBool) return v ? 'True' : 'False';
    if (float && allInt && Number.isFinite(v)) return `${v}.`;
    return fmtNumber(v, float, sci, decimals);
  };
  let width = 0;
  for (let i = 0; i < data.length; i++) width = Math.max(width, fmt(data[i]!).length);

  const strides: number[] = [];
  let acc = 1;
  for (let i = t.ndim - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= t.shape[i]!;
  }
  const indent = 'tensor('.length;
  const rec = (dim: number, at: number): string => {
    const n = t.shape[dim]!;
    const idx = summarize && n > 2 * EDGE ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)] : [...Array(n).keys()];
    if (dim === t.ndim - 1) {
      return `[${idx.map((i) => (i < 0 ? '...' : fmt(data[at + i]!).padStart(width))).join(', ')}]`;
    }
    const sep = `,${'\n'.repeat(t.ndim - dim - 1)}${' '.repeat(indent + dim + 1)}`;
    return `[${idx.map((i) => (i < 0 ? '...' : rec(dim + 1, at + i * strides[dim]!))).join(sep)}]`;
  };
  const body = t.ndim === 0 ? fmt(data[0]!) : rec(0, 0);
  const extras: string[] = [];
  if (t.size === 0) extras.push(`size=(${t.shape.join(', ')}${t.ndim === 1 ? ',' : ''})`);
  if (t.dtype !== 'float32' && t.dtype !== 'bool') extras.push(`dtype=${t.dtype}`);
  if (t.gradFn) extras.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) extras.push('requires_grad=True');
  return `tensor(${body}${extras.length ? ', ' + extras.join(', ') : ''})`;
}
