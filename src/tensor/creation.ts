// Creating tensors: from nested arrays or typed arrays, constants, ranges, and seeded random ones.
import { DTypeError, ShapeError, ValueError, allocArray, dtypeOfArray, fmtShape, sizeOf } from '../core/index.ts';
import type { DType, TypedArray } from '../core/index.ts';
import { defaultGenerator } from './random.ts';
import type { Generator } from './random.ts';
import { Tensor } from './tensor.ts';

/** Options shared by the creation functions. */
export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}
export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

/** Nested arrays of numbers or booleans. */
export type NestedArray = number | boolean | readonly NestedArray[];

function finish(t: Tensor, opts: TensorOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as NestedArray;
    if (cur === undefined) break;
  }
  return shape;
}

/**
 * A tensor from nested arrays, a typed array (with `shape`), or a number. Numbers become float32
 * unless `dtype` says otherwise; booleans become bool; a typed array keeps its type.
 */
export function tensor(data: NestedArray | TypedArray, opts?: TensorOptions & { shape?: readonly number[] }): Tensor {
  if (ArrayBuffer.isView(data)) {
    const arr = data as TypedArray;
    const shape = opts?.shape ?? [arr.length];
    const dt = opts?.dtype ?? dtypeOfArray(arr);
    let buf: TypedArray = arr;
    if (dt !== dtypeOfArray(arr)) {
      buf = allocArray(dt, arr.length);
      for (let i = 0; i < arr.length; i++) buf[i] = arr[i]!;
    }
    if (sizeOf(shape) !== arr.length) {
      throw new ShapeError(`tensor: a shape with ${arr.length} elements for the typed array; got ${fmtShape(shape)}`);
    }
    return finish(Tensor.fromData(buf, shape, dt), opts);
  }
  const shape = inferShape(data);
  const flat: (number | boolean)[] = [];
  const walk = (x: NestedArray, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (Array.isArray(x)) throw new ShapeError(`tensor: a rectangular nested array of shape ${fmtShape(shape)}; got a deeper list at ${path || 'the top'}`);
      if (typeof x !== 'number' && typeof x !== 'boolean') throw new ValueError(`tensor: numbers or booleans; got ${typeof x} at ${path}`);
      flat.push(x as number | boolean);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new ShapeError(
        `tensor: a rectangular nested array (shape ${fmtShape(shape)} from the first elements); got ${Array.isArray(x) ? `length ${x.length}` : 'a number'} at ${path || 'the top'}`,
      );
    }
    x.forEach((v: NestedArray, i: number) => walk(v, dim + 1, `${path}[${i}]`));
  };
  walk(data, 0, '');
  const dt = opts?.dtype ?? (typeof flat[0] === 'boolean' ? 'bool' : 'float32');
  const buf = allocArray(dt, flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i]!;
    const n = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    if (dt === 'int32' && !Number.isInteger(n)) throw new DTypeError(`tensor: integers for dtype int32; got ${n} at flat index ${i}`);
    buf[i] = n;
  }
  return finish(Tensor.fromData(buf, shape, dt), opts);
}

function checkShape(op: string, shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${op}: a shape of non-negative integers; got ${fmtShape(shape)}`);
  }
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, opts?: TensorOptions): Tensor {
  checkShape('full', shape);
  const dt = opts?.dtype ?? 'float32';
  return finish(Tensor.fromData(allocArray(dt, sizeOf(shape)).fill(value), shape, dt), opts);
}
export function zeros(shape: readonly number[], opts?: TensorOptions): Tensor {
  return full(shape, 0, opts);
}
export function ones(shape: readonly number[], opts?: TensorOptions): Tensor {
  return full(shape, 1, opts);
}
export function zerosLike(t: Tensor, opts?: TensorOptions): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, ...opts });
}
export function onesLike(t: Tensor, opts?: TensorOptions): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...opts });
}
export function fullLike(t: Tensor, value: number, opts?: TensorOptions): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...opts });
}

/** Values from `start` to `end` (exclusive) by `step`; `arange(n)` is 0..n-1. int32 when all are integers. */
export function arange(start: number, end?: number, step = 1, opts?: TensorOptions): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new ValueError(`arange: a non-zero finite step; got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dt = opts?.dtype ?? (Number.isInteger(start) && Number.isInteger(step) ? 'int32' : 'float32');
  const buf = allocArray(dt, n);
  for (let i = 0; i < n; i++) buf[i] = start + i * step;
  return finish(Tensor.fromData(buf, [n], dt), opts);
}

/** `steps` evenly spaced values from `start` to `end` inclusive. */
export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`linspace: a non-negative integer number of steps; got ${steps}`);
  const dt = opts?.dtype ?? 'float32';
  const buf = allocArray(dt, steps);
  for (let i = 0; i < steps; i++) buf[i] = steps === 1 ? start : start + ((end - start) * i) / (steps - 1);
  return finish(Tensor.fromData(buf, [steps], dt), opts);
}

/** The n x m identity matrix. */
export function eye(n: number, m = n, opts?: TensorOptions): Tensor {
  const dt = opts?.dtype ?? 'float32';
  const buf = allocArray(dt, n * m);
  for (let i = 0; i < Math.min(n, m); i++) buf[i * m + i] = 1;
  return finish(Tensor.fromData(buf, [n, m], dt), opts);
}

function randomFill(op: string, shape: readonly number[], opts: RandomOptions | undefined, f: (g: Generator) => number): Tensor {
  checkShape(op, shape);
  const dt = opts?.dtype ?? 'float32';
  const g = opts?.generator ?? defaultGenerator;
  const buf = allocArray(dt, sizeOf(shape));
  for (let i = 0; i < buf.length; i++) buf[i] = f(g);
  return finish(Tensor.fromData(buf, shape, dt), opts);
}

/** Uniform samples in [0, 1) from the seeded generator. */
export function rand(shape: readonly number[], opts?: RandomOptions): Tensor {
  return randomFill('rand', shape, opts, (g) => g.random());
}
/** Standard normal samples from the seeded generator. */
export function randn(shape: readonly number[], opts?: RandomOptions): Tensor {
  return randomFill('randn', shape, opts, (g) => g.normal());
}
/** Uniform integers in [low, high) (int32). */
export function randint(low: number, high: number, shape: readonly number[], opts?: RandomOptions): Tensor {
  if (!(high > low)) throw new ValueError(`randint: high > low; got low=${low}, high=${high}`);
  return randomFill('randint', shape, { dtype: 'int32', ...opts }, (g) => g.int(low, high));
}
/** A random permutation of 0..n-1 (int32). */
export function randperm(n: number, opts?: RandomOptions): Tensor {
  const p = (opts?.generator ?? defaultGenerator).permutation(n);
  return finish(Tensor.fromData(p, [n], 'int32'), opts);
}
export function randLike(t: Tensor, opts?: RandomOptions): Tensor {
  return rand(t.shape, { dtype: t.dtype, ...opts });
}
export function randnLike(t: Tensor, opts?: RandomOptions): Tensor {
  return randn(t.shape, { dtype: t.dtype, ...opts });
}
