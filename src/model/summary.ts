// summary(): a Keras-style table of layers, output shapes and parameter counts, for any module.
import { isFloat } from '../core/index.ts';
import { Tensor, noGrad, zeros } from '../tensor/index.ts';
import { Module } from '../nn/index.ts';

export interface SummaryRow {
  name: string;
  type: string;
  outputShape: string;
  params: number;
}

/** Parameter counts of a module: trainable (requiresGrad), and non-trainable (frozen + float buffers, as Keras counts moving statistics). */
export function countParams(m: Module): { total: number; trainable: number; nonTrainable: number } {
  let trainable = 0;
  let nonTrainable = 0;
  for (const p of m.parameters()) {
    if (p.requiresGrad) trainable += p.size;
    else nonTrainable += p.size;
  }
  for (const [, b] of m.namedBuffers()) if (isFloat(b.dtype)) nonTrainable += b.size;
  return { total: trainable + nonTrainable, trainable, nonTrainable };
}

function ownCount(m: Module): number {
  const c = countParams(m);
  return c.total;
}

/**
 * The rows of a summary: for a model with a known input shape (or `inputShape` given, without the
 * batch dim) the layers' output shapes come from one forward pass on a dummy batch of one.
 */
export function summaryRows(m: Module & { layerList?: () => [string, Module][]; outputShapesFor?: (s: number[][]) => Map<Module, number[]> }, inputShape?: number[][]): SummaryRow[] {
  const layers = m.layerList ? m.layerList() : m.namedChildren();
  let shapes = new Map<Module, number[]>();
  if (inputShape && m.outputShapesFor) shapes = m.outputShapesFor(inputShape);
  else if (inputShape && layers.length) {
    // Sequential-style: feed each child the previous child's output.
    const modes = m.modules().map((x) => x.training);
    m.eval();
    try {
      noGrad(() => {
        let x: Tensor = zeros([1, ...inputShape[0]!]);
        for (const [, l] of layers) {
          x = l.forward(x);
          shapes.set(l, x.shape);
        }
      });
    } catch {
      shapes = new Map();
    } finally {
      m.modules().forEach((x, i) => (x.training = modes[i] ?? true));
      m.clearLosses();
    }
  }
  return layers.map(([name, l]) => {
    const s = shapes.get(l);
    return { name, type: l.constructor.name, outputShape: s ? `(${['None', ...s.slice(1)].join(', ')})` : '?', params: ownCount(l) };
  });
}

/** Formats a summary table like Keras' model.summary(). */
export function summary(m: Module, o: { inputShape?: number[][]; name?: string } = {}): string {
  const shapeSource = m as Module & { inputShapes?: () => number[][] | null };
  const rows = summaryRows(m, o.inputShape ?? shapeSource.inputShapes?.() ?? undefined);
  const c = countParams(m);
  const head = ['Layer (type)', 'Output Shape', 'Param #'];
  const cells = rows.map((r) => [`${r.name} (${r.type})`, r.outputShape, r.params.toLocaleString('en-US')]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)) + 3);
  const line = (r: string[]): string => r.map((x, i) => (i === 2 ? x.padStart(w[i]! - 3) : x.padEnd(w[i]!))).join('');
  const total = w.reduce((a, b) => a + b, 0);
  const out = [
    `Model: "${o.name ?? m.name ?? m.constructor.name}"`,
    '_'.repeat(total),
    line(head),
    '='.repeat(total),
    ...cells.flatMap((r, i) => [line(r), i < cells.length - 1 ? '_'.repeat(total) : '='.repeat(total)]),
    `Total params: ${c.total.toLocaleString('en-US')}`,
    `Trainable params: ${c.trainable.toLocaleString('en-US')}`,
    `Non-trainable params: ${c.nonTrainable.toLocaleString('en-US')}`,
    '_'.repeat(total),
  ];
  if (!cells.length) out.splice(4, 0, '='.repeat(total));
  return out.join('\n');
}
