// Elementwise ops: unary maps with their scalar derivative, binary ops with broadcasting, where.
import { DTypeError, broadcastShapes, broadcastStrides, isFloat, promoteTypes, sizeOf } from '../core/index.ts';
import type { DType } from '../core/index.ts';
import type { Backend } from '../backend/backend.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { dense } from './types.ts';
import type { OpSpec } from './types.ts';

/** A unary op defined by its scalar function and its derivative d(x, y) with y = f(x). */
export interface UnaryDef<A> {
  f: (a: A) => (x: number) => number;
  d?: (a: A) => (x: number, y: number) => number;
  /** Output dtype for a given input dtype (default: floats stay, ints become float32). */
  dtype?: (d: DType) => DType;
}

function toFloat(d: DType): DType {
  return isFloat(d) ? d : 'float32';
}

export function unarySpec<A>(name: string, def: UnaryDef<A>): OpSpec<A> {
  const outType = def.dtype ?? toFloat;
  const d = def.d;
  return {
    name,
    forward(be: Backend, [x], attrs) {
      const dt = outType(x!.dtype);
      const out = be.alloc(dt, x!.size);
      const xd = x!.contiguousData();
      if (xd.constructor !== out.constructor || !be.mapNamed?.(name, xd, out)) be.map(def.f(attrs), xd, out);
      return dense(out, [...x!.shape], dt);
    },
    backward: d ? (g, ctx) => [ctx.mapGrad(d(ctx.attrs), g)] : undefined,
  };
}

/** The logistic function, stable for large |x|. */
const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** Error function (Abramowitz-Stegun 7.1.26 refined by one Newton-free series for small |x|). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.5) {
    // Maclaurin series, accurate to ~1e-16 here.
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 30; n++) {
      term *= -x2 / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Continued fraction for erfc, accurate to double precision for |x| >= 0.5.
  const z = ax;
  let f = 0;
  for (let n = 60; n >= 1; n--) f = (n / 2) / (z + f);
  const erfc = Math.exp(-z * z) / Math.sqrt(Math.PI) / (z + f);
  return x >= 0 ? 1 - erfc : erfc - 1;
}

const SQRT1_2PI = 1 / Math.sqrt(2 * Math.PI);
type NoAttrs = undefined;
const u = <A = NoAttrs>(name: string, def: UnaryDef<A>): OpSpec<A> => unarySpec(name, def);
const keep = (d: DType): DType => d;

/**
 * The activations linear can apply in place to its result (ops/matmul.ts), defined once here for their
 * own ops and for linear's fused form.
 */
export const activationDefs = {
  tanh: { f: () => Math.tanh, d: () => (_x: number, y: number) => 1 - y * y },
  sigmoid: { f: () => sigmoid, d: () => (_x: number, y: number) => y * (1 - y) },
  relu: { f: () => (x: number) => (x > 0 ? x : 0), d: () => (x: number) => (x > 0 ? 1 : 0), dtype: keep },
} satisfies Record<string, UnaryDef<NoAttrs>>;

export const unaryOps = {
  neg: u('neg', { f: () => (x) => -x, d: () => () => -1, dtype: keep }),
  abs: u('abs', { f: () => Math.abs, d: () => (x) => (x > 0 ? 1 : x < 0 ? -1 : 0), dtype: keep }),
  exp: u('exp', { f: () => Math.exp, d: () => (_x, y) => y }),
  log: u('log', { f: () => Math.log, d: () => (x) => 1 / x }),
  log1p: u('log1p', { f: () => Math.log1p, d: () => (x) => 1 / (1 + x) }),
  expm1: u('expm1', { f: () => Math.expm1, d: () => (_x, y) => y + 1 }),
  sqrt: u('sqrt', { f: () => Math.sqrt, d: () => (_x, y) => 0.5 / y }),
  rsqrt: u('rsqrt', { f: () => (x) => 1 / Math.sqrt(x), d: () => (_x, y) => -0.5 * y * y * y }),
  square: u('square', { f: () => (x) => x * x, d: () => (x) => 2 * x, dtype: keep }),
  reciprocal: u('reciprocal', { f: () => (x) => 1 / x, d: () => (_x, y) => -y * y }),
  sin: u('sin', { f: () => Math.sin, d: () => Math.cos }),
  cos: u('cos', { f: () => Math.cos, d: () => (x) => -Math.sin(x) }),
  tanh: u('tanh', activationDefs.tanh),
  sigmoid: u('sigmoid', activationDefs.sigmoid),
  relu: u('relu', activationDefs.relu),
  // Perceptron steps: their derivative is 0 almost everywhere and taken as 0 at the jump too
  // (like PyTorch's sign), so gradients do not flow through them; train them with the perceptron rule.
  heaviside: u('heaviside', { f: () => (x) => (x >= 0 ? 1 : 0), d: () => () => 0, dtype: keep }),
  sign: u('sign', { f: () => (x) => (x > 0 ? 1 : x < 0 ? -1 : 0), d: () => () => 0, dtype: keep }),
  floor: u('floor', { f: () => Math.floor, d: () => () => 0, dtype: keep }),
  ceil: u('ceil', { f: () => Math.ceil, d: () => () => 0, dtype: keep }),
  round: u('round', { f: () => (x) => { const r = Math.round(x); return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r; }, d: () => () => 0, dtype: keep }),
  softplus: u('softplus', {
    f: () => (x) => (x > 20 ? x : Math.log1p(Math.exp(x))),
    d: () => (x) => sigmoid(x),
  }),
  selu: u('selu', {
    f: () => (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
    d: () => (x, y) => (x > 0 ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA),
  }),
  gelu: u('gelu', {
    f: () => (x) => 0.5 * x * (1 + erf(x * Math.SQRT1_2)),
    d: () => (x) => 0.5 * (1 + erf(x * Math.SQRT1_2)) + x * SQRT1_2PI * Math.exp(-0.5 * x * x),
  }),
  leakyRelu: u<{ slope: number }>('leakyRelu', {
    f: ({ slope }) => (x) => (x > 0 ? x : slope * x),
    d: ({ slope }) => (x) => (x > 0 ? 1 : slope),
  }),
  elu: u<{ alpha: number }>('elu', {
    f: ({ alpha }) => (x) => (x > 0 ? x : alpha * Math.expm1(x)),
    d: ({ alpha }) => (x, y) => (x > 0 ? 1 : y + alpha),
  }),
  powScalar: u<{ p: number }>('powScalar', {
    f: ({ p }) => (p === 2 ? (x) => x * x : (x) => Math.pow(x, p)),
    d: ({ p }) => (x) => (p === 0 ? 0 : p * Math.pow(x, p - 1)),
    dtype: keep,
  }),
  clamp: u<{ min: number; max: number }>('clamp', {
    f: ({ min, max }) => (x) => (x < min ? min : x > max ? max : x),
    // Gradient passes where the input lies inside [min, max] (PyTorch's convention at the bounds).
    d: ({ min, max }) => (x) => (x >= min && x <= max ? 1 : 0),
    dtype: keep,
  }),
  isnan: u('isnan', { f: () => (x) => (x !== x ? 1 : 0), dtype: () => 'bool' }),
  logicalNot: u('logicalNot', { f: () => (x) => (x ? 0 : 1), dtype: () => 'bool' }),
};
export type UnaryOpName = keyof typeof unaryOps;

interface BinaryDef {
  f: (a: number, b: number) => number;
  backward?: OpSpec['backward'];
  /** Comparisons return bool; division of ints returns float32 (true division). */
  dtype?: (d: DType) => DType;
}

export function binarySpec(name: string, def: BinaryDef): OpSpec {
  return {
    name,
    forward(be, [a, b]) {
      const shape = broadcastShapes(name, a!.shape, b!.shape);
      const dt = (def.dtype ?? keep)(promoteTypes(a!.dtype, b!.dtype));
      const out = be.alloc(dt, sizeOf(shape));
      const sa = { data: a!.data(), offset: a!.offset, strides: broadcastStrides(a!.shape, a!.strides, shape) };
      const sb = { data: b!.data(), offset: b!.offset, strides: broadcastStrides(b!.shape, b!.strides, shape) };
      // The specialised loops need a float output (int division is true division, computed in the float path).
      if (!(isFloat(dt) && be.zipNamed?.(name, sa, sb, shape, out))) be.zip(def.f, sa, sb, shape, out);
      return dense(out, shape, dt);
    },
    backward: def.backward,
  };
}

const floatOut = (d: DType): DType => (isFloat(d) ? d : 'float32');
const boolOut = (): DType => 'bool';

export const binaryOps = {
  add: binarySpec('add', { f: (a, b) => a + b, backward: (g) => [g, g] }),
  sub: binarySpec('sub', { f: (a, b) => a - b, backward: (g, c) => [g, c.needs[1] ? g.neg() : null] }),
  mul: binarySpec('mul', {
    f: (a, b) => a * b,
    backward: (g, c) => [c.needs[0] ? g.mul(c.input(1)) : null, c.needs[1] ? g.mul(c.input(0)) : null],
  }),
  div: binarySpec('div', {
    f: (a, b) => a / b,
    dtype: floatOut,
    backward: (g, c) => {
      const b = c.input(1);
      return [c.needs[0] ? g.div(b) : null, c.needs[1] ? g.mul(c.output()).div(b).neg() : null];
    },
  }),
  pow: binarySpec('pow', {
    f: Math.pow,
    backward: (g, c) => {
      const a = c.input(0);
      const b = c.input(1);
      return [
        c.needs[0] ? g.mul(b).mul(a.pow(b.sub(1))) : null,
        // d/db a^b = a^b log a, taken as 0 where a = 0 (as PyTorch does).
        c.needs[1] ? g.mul(c.output()).mul(a.log().maskFill(a.eq(0))) : null,
      ];
    },
  }),
  maximum: binarySpec('maximum', {
    f: (a, b) => (a !== a || b !== b ? NaN : a >= b ? a : b),
    backward: (g, c) => {
      const m = c.input(0).ge(c.input(1));
      return [c.needs[0] ? g.maskFill(m.logicalNot()) : null, c.needs[1] ? g.maskFill(m) : null];
    },
  }),
  minimum: binarySpec('minimum', {
    f: (a, b) => (a !== a || b !== b ? NaN : a <= b ? a : b),
    backward: (g, c) => {
      const m = c.input(0).le(c.input(1));
      return [c.needs[0] ? g.maskFill(m.logicalNot()) : null, c.needs[1] ? g.maskFill(m) : null];
    },
  }),
  eq: binarySpec('eq', { f: (a, b) => (a === b ? 1 : 0), dtype: boolOut }),
  ne: binarySpec('ne', { f: (a, b) => (a !== b ? 1 : 0), dtype: boolOut }),
  lt: binarySpec('lt', { f: (a, b) => (a < b ? 1 : 0), dtype: boolOut }),
  le: binarySpec('le', { f: (a, b) => (a <= b ? 1 : 0), dtype: boolOut }),
  gt: binarySpec('gt', { f: (a, b) => (a > b ? 1 : 0), dtype: boolOut }),
  ge: binarySpec('ge', { f: (a, b) => (a >= b ? 1 : 0), dtype: boolOut }),
  logicalAnd: binarySpec('logicalAnd', { f: (a, b) => (a && b ? 1 : 0), dtype: boolOut }),
  logicalOr: binarySpec('logicalOr', { f: (a, b) => (a || b ? 1 : 0), dtype: boolOut }),
};
export type BinaryOpName = keyof typeof binaryOps;

/** where(cond, a, b): a where cond is true, b elsewhere, all three broadcast together. */
export const whereOp: OpSpec = {
  name: 'where',
  forward(be, [c, a, b]) {
    if (c!.dtype !== 'bool') throw new DTypeError(`where: a bool condition; got ${c!.dtype}. Build it with a comparison such as x.gt(0)`);
    const shape = broadcastShapes('where', broadcastShapes('where', c!.shape, a!.shape), b!.shape);
    const dt = promoteTypes(a!.dtype, b!.dtype);
    const out = be.alloc(dt, sizeOf(shape));
    const st = (t: Tensor) => ({ data: t.data(), offset: t.offset, strides: broadcastStrides(t.shape, t.strides, shape) });
    be.where(st(c!), st(a!), st(b!), shape, out);
    return dense(out, shape, dt);
  },
  backward: (g, c) => {
    const cond = c.input(0);
    return [null, c.needs[1] ? g.maskFill(cond.logicalNot()) : null, c.needs[2] ? g.maskFill(cond) : null];
  },
};
