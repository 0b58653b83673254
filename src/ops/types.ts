// The shape of an op spec: forward (shape/dtype inference + kernel calls) and backward, side by side.
import type { DType, TypedArray } from '../core/index.ts';
import type { Backend } from '../backend/backend.ts';
// Type-only: op specs receive and return tensors but never construct them (the engine does).
import type { Tensor } from '../tensor/tensor.ts';

/** A freshly computed, contiguous result. */
export interface DenseResult {
  kind: 'dense';
  data: TypedArray;
  shape: number[];
  dtype: DType;
}
/** A view: the result shares the storage of `base` with new shape/strides/offset. */
export interface ViewResult {
  kind: 'view';
  base: Tensor;
  shape: number[];
  strides: number[];
  offset: number;
}
export type OpResult = DenseResult | ViewResult;

/** What a backward rule sees of its forward call. */
export interface GradCtx<A> {
  readonly attrs: A;
  /** Which inputs need a gradient; a rule may skip the work for the others. */
  readonly needs: readonly boolean[];
  /** The i-th input as saved at forward time (checked against in-place changes). */
  input(i: number): Tensor;
  /** The output as saved at forward time. */
  output(): Tensor;
  /** Anything the forward stashed (e.g. argmax indices). */
  readonly saved: unknown;
  /** True when this backward is itself being recorded (createGraph): a rule written with raw loops must refuse. */
  readonly recording: boolean;
  /**
   * The `.grad` of input i when it is a leaf whose gradient the rule may add into in place instead of
   * allocating one: contiguous, of the input's shape and dtype, and no higher-order graph is being
   * recorded. A rule that adds into it returns that same tensor for input i; null otherwise.
   */
  leafGrad(i: number): Tensor | null;
  /** g * d(x, y) elementwise, for unary ops' scalar derivatives. */
  mapGrad(d: (x: number, y: number) => number, g: Tensor): Tensor;
  /**
   * g · d(y) from the output y alone, through the backend's named loop `name` called with y in place of
   * the input (right for an activation whose derivative test on x holds on y too, as relu's y > 0).
   */
  mapGradOfOutput(name: string, d: (y: number) => number, g: Tensor): Tensor;
}

/**
 * One op, written once. `forward` checks shapes and dtypes (the only place they are checked) and
 * calls backend kernels; `backward` returns one gradient per input (null where none flows), written
 * with tensor ops. Gradients of broadcast inputs are reduced to the input's shape by the engine.
 */
export interface OpSpec<A = undefined> {
  readonly name: string;
  forward(be: Backend, inputs: readonly Tensor[], attrs: A): { out: OpResult; saved?: unknown };
  backward?: (g: Tensor, ctx: GradCtx<A>) => readonly (Tensor | null)[];
  /**
   * Called with what the forward saved once nothing can read it any more: the graph node was freed
   * (a backward without retainGraph) or never made (no input needs a gradient). An op that keeps pooled
   * buffers in `saved` hands them back here.
   */
  release?: (saved: unknown) => void;
}

export function dense(data: TypedArray, shape: number[], dtype: DType): { out: DenseResult } {
  return { out: { kind: 'dense', data, shape, dtype } };
}
