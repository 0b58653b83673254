// Weight initialisers (PyTorch's nn.init, plus Keras' variance scaling family), in place and seeded.
import { ShapeError, ValueError, fmtShape } from '../core/index.ts';
import { Tensor, defaultGenerator, noGrad } from '../tensor/index.ts';
import type { Generator } from '../tensor/index.ts';

type Nonlinearity = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu' | 'conv';

/** The recommended gain for a nonlinearity (PyTorch's calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu': {
      const s = param ?? 0.01;
      return Math.sqrt(2 / (1 + s * s));
    }
    case 'selu':
      return 3 / 4;
  }
}

/** fan_in and fan_out of a weight: [out, in, ...kernel] (PyTorch's layout) -> in*k, out*k. */
export function computeFans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new ShapeError(`computeFans: a weight with at least 2 dims; got ${fmtShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

// Initialisers change parameters in place, outside the graph.
function fill(t: Tensor, f: () => number): Tensor {
  return noGrad(() => t.apply_(() => f()));
}

export function constant_(t: Tensor, value: number): Tensor {
  return fill(t, () => value);
}
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}
/** U(a, b). */
export function uniform_(t: Tensor, a = 0, b = 1, g: Generator = defaultGenerator): Tensor {
  return fill(t, () => a + (b - a) * g.random());
}
/** N(mean, std²). */
export function normal_(t: Tensor, mean = 0, std = 1, g: Generator = defaultGenerator): Tensor {
  return fill(t, () => mean + std * g.normal());
}
/** N(mean, std²) redrawn until inside [a, b] (absolute bounds, like PyTorch's trunc_normal_). */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2, g: Generator = defaultGenerator): Tensor {
  if (!(b > a)) throw new ValueError(`truncNormal_: bounds a < b; got a=${a}, b=${b}`);
  return fill(t, () => {
    for (;;) {
      const v = mean + std * g.normal();
      if (v >= a && v <= b) return v;
    }
  });
}
/** Glorot/Xavier uniform: U(-l, l), l = gain·sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = computeFans(t);
  const l = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -l, l);
}
/** Glorot/Xavier normal: N(0, s²), s = gain·sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = computeFans(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

export interface KaimingOptions {
  /** Negative slope of the leaky ReLU after this layer (0 for ReLU). */
  a?: number;
  mode?: 'fanIn' | 'fanOut';
  nonlinearity?: Nonlinearity;
}
function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const { fanIn, fanOut } = computeFans(t);
  const gain = calculateGain(o.nonlinearity ?? 'leakyRelu', o.a ?? 0);
  return gain / Math.sqrt(o.mode === 'fanOut' ? fanOut : fanIn);
}
/** He/Kaiming uniform: U(-b, b), b = gain·sqrt(3 / fan) (PyTorch's kaiming_uniform_). */
export function kaimingUniform_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const b = Math.sqrt(3) * kaimingStd(t, o);
  return uniform_(t, -b, b);
}
/** He/Kaiming normal: N(0, (gain / sqrt(fan))²) (PyTorch's kaiming_normal_). */
export function kaimingNormal_(t: Tensor, o: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, o));
}

export interface VarianceScalingOptions {
  scale?: number;
  mode?: 'fanIn' | 'fanOut' | 'fanAvg';
  distribution?: 'truncatedNormal' | 'untruncatedNormal' | 'uniform';
}
/**
 * Keras' VarianceScaling: n = fanIn, fanOut or their mean; truncated normal with
 * std = sqrt(scale/n)/0.8796 cut at 2 std, plain normal with std = sqrt(scale/n), or
 * U(-l, l) with l = sqrt(3·scale/n).
 */
export function varianceScaling_(t: Tensor, o: VarianceScalingOptions = {}): Tensor {
  const scale = o.scale ?? 1;
  if (!(scale > 0)) throw new ValueError(`varianceScaling_: a positive scale; got ${scale}`);
  const { fanIn, fanOut } = computeFans(t);
  const n = o.mode === 'fanOut' ? fanOut : o.mode === 'fanAvg' ? (fanIn + fanOut) / 2 : fanIn;
  const dist = o.distribution ?? 'truncatedNormal';
  if (dist === 'uniform') {
    const l = Math.sqrt((3 * scale) / n);
    return uniform_(t, -l, l);
  }
  if (dist === 'untruncatedNormal') return normal_(t, 0, Math.sqrt(scale / n));
  const std = Math.sqrt(scale / n) / 0.8796256610342398;
  return truncNormal_(t, 0, std, -2 * std, 2 * std);
}
/** Keras he_uniform: variance scaling 2, fanIn, uniform (the same as kaimingUniform_ for ReLU). */
export const heUniform_ = (t: Tensor): Tensor => varianceScaling_(t, { scale: 2, mode: 'fanIn', distribution: 'uniform' });
/** Keras he_normal: variance scaling 2, fanIn, truncated normal. */
export const heNormal_ = (t: Tensor): Tensor => varianceScaling_(t, { scale: 2, mode: 'fanIn', distribution: 'truncatedNormal' });
/** Keras glorot_uniform (the same as xavierUniform_). */
export const glorotUniform_ = (t: Tensor): Tensor => varianceScaling_(t, { scale: 1, mode: 'fanAvg', distribution: 'uniform' });
/** Keras glorot_normal: variance scaling 1, fanAvg, truncated normal. */
export const glorotNormal_ = (t: Tensor): Tensor => varianceScaling_(t, { scale: 1, mode: 'fanAvg', distribution: 'truncatedNormal' });
/** LeCun uniform: variance scaling 1, fanIn, uniform. */
export const lecunUniform_ = (t: Tensor): Tensor => varianceScaling_(t, { scale: 1, mode: 'fanIn', distribution: 'uniform' });
/** LeCun normal (for SELU): variance scaling 1, fanIn, truncated normal. */
export const lecunNormal_ = (t: Tensor): Tensor => varianceScaling_(t, { scale: 1, mode: 'fanIn', distribution: 'truncatedNormal' });

/**
 * A (semi-)orthogonal matrix times `gain`: the Q of a QR decomposition of a normal matrix, with
 * the signs fixed by R's diagonal (as PyTorch and Keras do). Extra dims are flattened.
 */
export function orthogonal_(t: Tensor, gain = 1): Tensor {
  if (t.ndim < 2) throw new ShapeError(`orthogonal_: a tensor with at least 2 dims; got ${fmtShape(t.shape)}`);
  const rows = t.shape[0]!;
  const cols = t.size / rows;
  // Work on the tall orientation: n x m with n >= m, orthonormal columns.
  const n = Math.max(rows, cols);
  const m = Math.min(rows, cols);
  const a = new Float64Array(n * m);
  for (let i = 0; i < a.length; i++) a[i] = defaultGenerator.normal();
  // Modified Gram-Schmidt on the columns of a (n x m, row-major).
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += a[i * m + j]! * a[i * m + k]!;
      for (let i = 0; i < n; i++) a[i * m + j]! -= dot * a[i * m + k]!;
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += a[i * m + j]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) a[i * m + j]! /= norm;
  }
  return noGrad(() =>
    t.apply_((_, idx) => {
      const r = Math.floor(idx / cols);
      const c = idx % cols;
      return gain * (rows >= cols ? a[r * m + c]! : a[c * m + r]!);
    }),
  );
}
