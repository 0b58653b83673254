// The Tensor class, op dispatch and the autograd engine (graph nodes, backward, noGrad).
import {
  AutogradError,
  DTypeError,
  ShapeError,
  ValueError,
  allocArray,
  contiguousStrides,
  fmtShape,
  isContiguous,
  isFloat,
  normAxes,
  normAxis,
  sameShape,
  sizeOf,
} from '../core/index.ts';
import type { DType, TypedArray } from '../core/index.ts';
import { getBackend } from '../backend/backend.ts';
import {
  argOps,
  binaryOps,
  castOp,
  concatOp,
  contiguousOp,
  expandOp,
  gatherOp,
  indexAddOp,
  indexSelectOp,
  avgPool2dOp,
  conv2dAttrs,
  conv2dOp,
  convTranspose2dOp,
  upsampleNearestOp,
  gruGatesOp,
  maxPool2dOp,
  pool2dAttrs,
  linearOp,
  lstmGatesOp,
  lstmSequenceOp,
  squaredErrorOp,
  batchNormOp,
  interpolateBilinearOp,
  matmulOp,
  permuteOp,
  reduceOps,
  scatterAddOp,
  sliceOp,
  sliceScatterOp,
  softmaxOps,
  unaryOps,
  viewOp,
  whereOp,
} from '../ops/index.ts';
import type { BatchNormAttrs, BinaryOpName, Conv2dFnOptions, GradCtx, LinearActivation, OpSpec, SliceRange } from '../ops/index.ts';
import { formatTensor } from './format.ts';

/** The buffer behind one or more tensors (views share it); `version` counts in-place changes. */
export class Storage {
  version = 0;
  constructor(public data: TypedArray) {}
}

let gradEnabled = true;

/** Runs `fn` with gradient recording off (like `torch.no_grad()`). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Runs `fn` with gradient recording on, even inside noGrad. */
export function enableGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Whether ops record the autograd graph right now. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** A number, a nested array of numbers/booleans, or a tensor: what ops accept as an operand. */
export type TensorLike = Tensor | number | boolean;

/** One step of the autograd graph: the op that made a tensor, and how to send gradients back. */
export class Node implements GradCtx<unknown> {
  /** The next nodes (for non-leaf inputs), leaf tensors (for leaves that require grad), or null. */
  readonly next: (Node | Tensor | null)[];
  readonly inShapes: number[][];
  private inputs: Tensor[] | null;
  private versions: number[];
  private out: Tensor | null = null;
  private outVersion = 0;
  freed = false;

  constructor(
    readonly spec: OpSpec<unknown>,
    readonly attrs: unknown,
    inputs: readonly Tensor[],
    readonly needs: boolean[],
    public saved: unknown,
  ) {
    // (plain loops: a node is made for every recorded op)
    const n = inputs.length;
    this.inputs = new Array<Tensor>(n);
    this.versions = new Array<number>(n);
    this.inShapes = new Array<number[]>(n);
    this.next = new Array<Node | Tensor | null>(n);
    for (let i = 0; i < n; i++) {
      const t = inputs[i]!;
      this.inputs[i] = t;
      this.versions[i] = t.storage.version;
      this.inShapes[i] = t.shape;
      this.next[i] = needs[i] ? t.gradFn ?? t : null;
    }
  }

  /** The op's name as PyTorch prints it: `AddBackward`, `MatmulBackward`... */
  get name(): string {
    return `${this.spec.name[0]!.toUpperCase()}${this.spec.name.slice(1)}Backward`;
  }

  setOutput(t: Tensor): void {
    this.out = t;
    this.outVersion = t.storage.version;
  }

  private checkSaved(t: Tensor, version: number, what: string): Tensor {
    if (t.storage.version !== version) {
      throw new AutogradError(
        `${this.name}: its saved ${what} (shape ${fmtShape(t.shape)}) unchanged since the forward pass; got it modified ` +
          `in place (version ${t.storage.version}, expected ${version}). Use an out-of-place op (add instead of add_) before backward`,
      );
    }
    return t;
  }

  input(i: number): Tensor {
    if (!this.inputs) throw freedError(this.name);
    return this.checkSaved(this.inputs[i]!, this.versions[i]!, `input ${i}`);
  }

  output(): Tensor {
    const t = this.out;
    if (!t) throw freedError(this.name);
    return this.checkSaved(t, this.outVersion, 'output');
  }

  get recording(): boolean {
    return gradEnabled;
  }

  leafGrad(i: number): Tensor | null {
    const leaf = this.next[i];
    if (gradEnabled || !(leaf instanceof Tensor)) return null;
    const g = leaf.grad;
    if (!g || g.requiresGrad || g.dtype !== leaf.dtype || g.offset !== 0 || !g.isContiguous || !sameShape(g.shape, leaf.shape)) return null;
    return g;
  }

  mapGrad(d: (x: number, y: number) => number, g: Tensor): Tensor {
    return this.mapGradOn(this.spec.name, this.input(0), d, g);
  }

  mapGradOfOutput(name: string, d: (y: number) => number, g: Tensor): Tensor {
    return this.mapGradOn(name, this.output(), (_x, y) => d(y), g);
  }

  /** g · d(x, y) with y the output, through the backend's named loop `name` (x, y, g) where it has one. */
  private mapGradOn(name: string, x: Tensor, d: (x: number, y: number) => number, g: Tensor): Tensor {
    const be = getBackend();
    const out = be.alloc(g.dtype, g.size);
    const xd = x.contiguousData();
    const yd = this.output().contiguousData();
    const gd = g.contiguousData();
    if (!(xd.constructor === out.constructor && gd.constructor === out.constructor && be.mapGradNamed?.(name, xd, yd, gd, out))) be.mapGrad(d, xd, yd, gd, out);
    if (gradEnabled) {
      throw new AutogradError(`${this.name}: a first-order gradient; got a request for a higher-order one (createGraph), which this op does not support`);
    }
    return Tensor.fromData(out, g.shape, g.dtype);
  }

  /** Drops what the forward saved, so a second backward through this node fails clearly. */
  free(): void {
    this.inputs = null;
    this.out = null;
    this.freed = true;
    const saved = this.saved;
    this.saved = undefined;
    if (saved !== undefined) this.spec.release?.(saved);
  }
}

function freedError(name: string): AutogradError {
  return new AutogradError(
    `backward: a graph that still holds its saved tensors; got ${name} already freed by an earlier backward. ` +
      'Pass { retainGraph: true } to the first backward() to go through the graph twice',
  );
}

/** Options of `Tensor.backward`. */
export interface BackwardOptions {
  /** Keep the saved tensors so backward can run through this graph again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients. */
  createGraph?: boolean;
}

/** Runs an op: forward on the current backend, and a graph node when a gradient is needed. */
export function apply<A>(spec: OpSpec<A>, inputs: readonly Tensor[], attrs: A): Tensor {
  const { out: res, saved } = spec.forward(getBackend(), inputs, attrs);
  const t =
    res.kind === 'dense'
      ? new Tensor(new Storage(res.data), res.shape, contiguousStrides(res.shape), 0, res.dtype)
      : new Tensor(res.base.storage, res.shape, res.strides, res.offset, res.base.dtype);
  if (gradEnabled && spec.backward) {
    let any = false;
    const needs = new Array<boolean>(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const r = inputs[i]!.requiresGrad;
      needs[i] = r;
      any ||= r;
    }
    if (any) {
      const node = new Node(spec as OpSpec<unknown>, attrs, inputs, needs, saved);
      t.gradFn = node;
      node.setOutput(t);
      return t;
    }
  }
  if (saved !== undefined) spec.release?.(saved);
  return t;
}

function dimList(dims: number | number[] | undefined): number[] | undefined {
  return dims === undefined ? undefined : typeof dims === 'number' ? [dims] : dims;
}

/** Reduces a broadcast gradient to `shape` by summing over the broadcast dims. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  const s = dims.length ? g.sum(dims, true) : g;
  return s.reshape(shape);
}

function backwardFrom(root: Tensor, gradient: Tensor, opts: BackwardOptions): void {
  const rootNode = root.gradFn;
  if (!rootNode) {
    accumulate(root, gradient);
    return;
  }
  // Topological order by iterative DFS (post-order), then walk it in reverse. (Two parallel stacks and
  // no closures: this runs for every backward, and per-sample training does 10,000 of them.)
  const order: Node[] = [];
  const seen = new Set<Node>();
  const nodes: Node[] = [rootNode];
  const at: number[] = [0];
  seen.add(rootNode);
  while (nodes.length) {
    const top = nodes.length - 1;
    const node = nodes[top]!;
    const i = at[top]!;
    if (i < node.next.length) {
      at[top] = i + 1;
      const nx = node.next[i];
      if (nx instanceof Node && !seen.has(nx)) {
        seen.add(nx);
        nodes.push(nx);
        at.push(0);
      }
    } else {
      nodes.pop();
      at.pop();
      order.push(node);
    }
  }
  const grads = new Map<Node, Tensor>();
  grads.set(rootNode, gradient);
  for (let n = order.length - 1; n >= 0; n--) {
    const node = order[n]!;
    const g = grads.get(node);
    grads.delete(node);
    if (!g) continue;
    if (node.freed) throw freedError(node.name);
    const gs = node.spec.backward!(g, node);
    for (let i = 0; i < node.next.length; i++) {
      const nx = node.next[i];
      const gi = gs[i];
      if (!nx || !gi) continue;
      const gr = sumTo(gi, node.inShapes[i]!);
      if (nx instanceof Node) {
        const prev = grads.get(nx);
        grads.set(nx, prev ? prev.add(gr) : gr);
      } else if (gr === nx.grad) {
        gr.storage.version++; // the rule added into the leaf's gradient in place (GradCtx.leafGrad)
      } else {
        // A gradient the rule just computed (not g or a view of it, not returned twice) is owned by
        // nobody else, so the leaf may keep it without a copy (PyTorch's AccumulateGrad does the same).
        const fresh = gr.storage !== g.storage && gr.offset === 0 && gr.isContiguous && !sharedWithOthers(gs, i, gr.storage);
        accumulate(nx, gr, fresh);
      }
    }
    if (!opts.retainGraph) node.free();
  }
}

/** True when another gradient a rule returned (not the i-th) shares `storage`. */
function sharedWithOthers(gs: readonly (Tensor | null)[], i: number, storage: Storage): boolean {
  for (let j = 0; j < gs.length; j++) if (j !== i && gs[j] && gs[j]!.storage === storage) return true;
  return false;
}

/** Adds a gradient into a leaf's `.grad` (a fresh contiguous tensor the first time). */
function accumulate(leaf: Tensor, g: Tensor, fresh = false): void {
  const gc = g.dtype === leaf.dtype ? g : g.cast(leaf.dtype);
  if (!leaf.grad) {
    leaf.grad = gradEnabled || (fresh && gc === g) ? gc : gc.clone();
  } else if (gradEnabled) {
    leaf.grad = leaf.grad.add(gc);
  } else {
    noGrad(() => leaf.grad!.add_(gc));
  }
}

/** An index spec item for `Tensor.index`: a number selects (drops the dim), a range slices. */
export type IndexItem = number | null | '...' | readonly [(number | null)?, (number | null)?, (number | null)?] | Tensor;

/**
 * An n-dimensional array with automatic differentiation.
 *
 * ```ts
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.mul(x).sum().backward(); // x.grad = 2x
 * ```
 */
export class Tensor {
  /** Set when this tensor is a leaf whose gradient should be accumulated into `grad`. */
  private _requiresGrad = false;
  /** The accumulated gradient (leaves only), or null. */
  grad: Tensor | null = null;
  /** The graph node that made this tensor (null for leaves). */
  gradFn: Node | null = null;

  /** @internal Use `tensor()`, `zeros()`... to create tensors. */
  constructor(
    readonly storage: Storage,
    readonly shape: number[],
    readonly strides: number[],
    readonly offset: number,
    readonly dtype: DType,
  ) {}

  /** Wraps a typed array (not copied) as a contiguous tensor. */
  static fromData(data: TypedArray, shape: readonly number[], dtype: DType): Tensor {
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError(`tensor: data of ${sizeOf(shape)} elements for shape ${fmtShape(shape)}; got ${data.length}`);
    }
    return new Tensor(new Storage(data), [...shape], contiguousStrides(shape), 0, dtype);
  }

  // ---- metadata -------------------------------------------------------------------------------

  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return sizeOf(this.shape);
  }
  /** Number of elements (PyTorch's numel). */
  numel(): number {
    return this.size;
  }
  get requiresGrad(): boolean {
    return this._requiresGrad || this.gradFn !== null;
  }
  set requiresGrad(v: boolean) {
    if (this.gradFn) {
      throw new AutogradError(
        `requiresGrad: a leaf tensor; got a result of ${this.gradFn.name}. Use .detach() to make a new leaf`,
      );
    }
    if (v && !isFloat(this.dtype)) {
      throw new DTypeError(`requiresGrad: a float tensor (only floats have gradients); got ${this.dtype}`);
    }
    this._requiresGrad = v;
  }
  /** Sets requiresGrad in place and returns this tensor (PyTorch's requires_grad_). */
  requiresGrad_(v = true): this {
    this.requiresGrad = v;
    return this;
  }
  /** True for tensors made by the user rather than by an op that records the graph. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  get isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  // ---- data access ----------------------------------------------------------------------------

  /**
   * The raw storage (shared with views; read through `strides` and `offset`). A small tensor's storage
   * is itself a view into a larger shared buffer: use its own `length`/`byteOffset`, never `.buffer` whole.
   */
  data(): TypedArray {
    return this.storage.data;
  }

  /**
   * The elements in row-major order as a typed array: the storage itself (or a window on it) when
   * already laid out so, else a copy. Treat it as read-only; use dataSync() for a private copy.
   */
  contiguousData(): TypedArray {
    const d = this.storage.data;
    if (this.isContiguous) {
      // The storage itself, or a no-copy window on it for a contiguous view (e.g. a narrow of rows).
      return this.offset === 0 && d.length === this.size ? d : d.subarray(this.offset, this.offset + this.size);
    }
    const out = allocArray(this.dtype, this.size);
    getBackend().copy({ data: d, offset: this.offset, strides: this.strides }, this.shape, out);
    return out;
  }

  /** A copy of the elements in row-major order (never shares memory with the tensor). */
  dataSync(): TypedArray {
    const c = this.contiguousData();
    return c.buffer === this.storage.data.buffer ? c.slice() : c;
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: a tensor with one element; got shape ${fmtShape(this.shape)}`);
    return this.storage.data[this.offset]!;
  }

  /** Nested arrays of numbers (booleans for bool tensors are 0/1 numbers). */
  toArray(): unknown {
    const flat = Array.from(this.contiguousData());
    if (this.ndim === 0) return flat[0];
    const build = (dim: number, at: number): unknown[] => {
      const n = this.shape[dim]!;
      if (dim === this.ndim - 1) return flat.slice(at, at + n);
      const step = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: n }, (_, i) => build(dim + 1, at + i * step));
    };
    return build(0, 0);
  }

  toString(): string {
    return formatTensor(this);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return formatTensor(this);
  }

  // ---- autograd -------------------------------------------------------------------------------

  /**
   * Computes gradients of this tensor with respect to the leaves that require them. A scalar needs
   * no argument; otherwise `gradient` (same shape) gives the vector of the vector-Jacobian product.
   * The options may come first for a scalar: `loss.backward({ retainGraph: true })`.
   */
  backward(gradient?: Tensor | BackwardOptions, opts: BackwardOptions = {}): void {
    if (gradient !== undefined && !(gradient instanceof Tensor)) {
      if (gradient === null || typeof gradient !== 'object') {
        throw new AutogradError(`backward: a gradient tensor or an options object; got ${gradient === null ? 'null' : typeof gradient}`);
      }
      opts = gradient;
      gradient = undefined;
    }
    if (!this.requiresGrad) {
      throw new AutogradError('backward: a tensor that requires grad (made from leaves with requiresGrad); got one that does not');
    }
    let g: Tensor;
    if (gradient === undefined) {
      if (this.size !== 1) {
        throw new AutogradError(
          `backward: a scalar output, or a gradient argument of the output's shape; got shape ${fmtShape(this.shape)} and no gradient`,
        );
      }
      g = Tensor.fromData(allocArray(this.dtype, 1).fill(1), this.shape, this.dtype);
    } else {
      if (!sameShape(gradient.shape, this.shape)) {
        throw new ShapeError(`backward: a gradient of shape ${fmtShape(this.shape)}; got ${fmtShape(gradient.shape)}`);
      }
      g = gradient.detach();
    }
    // Like PyTorch, retainGraph defaults to createGraph.
    const o: BackwardOptions = { retainGraph: opts.retainGraph ?? opts.createGraph, createGraph: opts.createGraph };
    if (opts.createGraph) enableGrad(() => backwardFrom(this, g, o));
    else noGrad(() => backwardFrom(this, g, o));
  }

  /** A new leaf sharing this tensor's data, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.strides, this.offset, this.dtype);
  }

  /** Sets `grad` to null (PyTorch's default `zero_grad(set_to_none=True)`). */
  zeroGrad(): void {
    this.grad = null;
  }

  // ---- in-place ops ---------------------------------------------------------------------------

  private checkInplace(op: string): void {
    if (gradEnabled && this.requiresGrad) {
      const what = this.isLeaf ? 'a leaf tensor that requires grad' : `a tensor in the autograd graph (made by ${this.gradFn!.name})`;
      throw new AutogradError(
        `${op}: a tensor outside the graph, or a call inside noGrad(); got ${what}: changing it in place would break the graph. ` +
          'Use the out-of-place op, or wrap parameter updates in noGrad(() => ...)',
      );
    }
  }

  /** Writes `src` (broadcast to this shape) into this tensor's elements and bumps the version. */
  private assign(op: string, src: Tensor): this {
    if (!sameShape(src.shape, this.shape)) {
      const b = src.expandTo(op, this.shape);
      src = b;
    }
    getBackend().copy({ data: src.data(), offset: src.offset, strides: src.strides }, this.shape, this.storage.data, this.offset, this.strides);
    this.storage.version++;
    return this;
  }

  private expandTo(op: string, shape: readonly number[]): Tensor {
    try {
      return noGrad(() => this.expand(shape));
    } catch {
      throw new ShapeError(`${op}: a value broadcastable to ${fmtShape(shape)}; got ${fmtShape(this.shape)}`);
    }
  }

  private inplace(op: string, f: () => Tensor): this {
    this.checkInplace(op);
    const r = noGrad(f);
    return this.assign(op, r.dtype === this.dtype ? r : r.cast(this.dtype));
  }

  /**
   * An in-place add/sub/mul/div: straight into this tensor's elements when both operands are
   * contiguous float tensors of its shape and dtype that do not overlap it (a gradient accumulated
   * into `.grad`, an update of a whole buffer), else computed out of place and copied in.
   */
  private binInplace(op: 'add' | 'sub' | 'mul' | 'div', other: TensorLike, alpha = 1): this {
    const o = alpha === 1 ? this.wrap(other) : noGrad(() => this.wrap(other).mul(alpha));
    const direct = this.isContiguous && o.isContiguous && isFloat(this.dtype) && o.dtype === this.dtype && sameShape(o.shape, this.shape) &&
      (o.storage !== this.storage || o.offset === this.offset);
    const be = getBackend();
    if (direct) {
      this.checkInplace(`${op}_`);
      const out = this.contiguousData();
      if (be.zipNamed?.(op, { data: this.data(), offset: this.offset, strides: this.strides }, { data: o.data(), offset: o.offset, strides: o.strides }, this.shape, out)) {
        this.storage.version++;
        return this;
      }
    }
    return this.inplace(`${op}_`, () => this.bin(op, o));
  }

  add_(other: TensorLike, alpha = 1): this {
    return this.binInplace('add', other, alpha);
  }
  sub_(other: TensorLike): this {
    return this.binInplace('sub', other);
  }
  mul_(other: TensorLike): this {
    return this.binInplace('mul', other);
  }
  div_(other: TensorLike): this {
    return this.binInplace('div', other);
  }
  clamp_(min = -Infinity, max = Infinity): this {
    return this.inplace('clamp_', () => this.clamp(min, max));
  }
  /** Copies `src` (broadcastable) into this tensor. */
  copy_(src: TensorLike): this {
    this.checkInplace('copy_');
    const s = this.wrap(src);
    return this.assign('copy_', s.dtype === this.dtype ? s : noGrad(() => s.cast(this.dtype)));
  }
  fill_(value: number): this {
    return this.copy_(value);
  }
  zero_(): this {
    return this.copy_(0);
  }
  /** Applies `f` to each element in place (noGrad-style; for initialisers and tools). */
  apply_(f: (x: number, i: number) => number): this {
    this.checkInplace('apply_');
    const c = this.contiguousData();
    const out = c === this.storage.data ? c : c.slice();
    for (let i = 0; i < out.length; i++) out[i] = f(out[i]!, i);
    if (out !== this.storage.data) this.assign('apply_', Tensor.fromData(out, this.shape, this.dtype));
    else this.storage.version++;
    return this;
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Turns a number/boolean into a 0-d tensor of a dtype matching this one. */
  wrap(v: TensorLike): Tensor {
    if (v instanceof Tensor) return v;
    const n = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    let dt: DType = this.dtype;
    if (!isFloat(dt) && !Number.isInteger(n)) dt = 'float32';
    if (dt === 'bool' && typeof v !== 'boolean') dt = 'int32';
    const d = allocArray(dt, 1);
    d[0] = n;
    return new Tensor(new Storage(d), [], [], 0, dt);
  }

  private bin(op: BinaryOpName, other: TensorLike): Tensor {
    return apply(binaryOps[op], [this, this.wrap(other)], undefined);
  }

  /** A zero tensor of `shape` with this tensor's dtype. */
  newZeros(shape: readonly number[]): Tensor {
    return Tensor.fromData(allocArray(this.dtype, sizeOf(shape)), shape, this.dtype);
  }

  /** A copy with its own storage (recorded in the graph). */
  clone(): Tensor {
    // contiguousOp always allocates, so the copy never shares this tensor's storage.
    return apply(contiguousOp, [this], undefined);
  }

  // ---- elementwise ----------------------------------------------------------------------------

  add(o: TensorLike): Tensor { return this.bin('add', o); }
  sub(o: TensorLike): Tensor { return this.bin('sub', o); }
  mul(o: TensorLike): Tensor { return this.bin('mul', o); }
  div(o: TensorLike): Tensor { return this.bin('div', o); }
  /** Elementwise power; a number exponent uses a faster single-input op. */
  pow(o: TensorLike): Tensor {
    return typeof o === 'number' ? apply(unaryOps.powScalar, [this], { p: o }) : this.bin('pow', o);
  }
  maximum(o: TensorLike): Tensor { return this.bin('maximum', o); }
  minimum(o: TensorLike): Tensor { return this.bin('minimum', o); }
  eq(o: TensorLike): Tensor { return this.bin('eq', o); }
  ne(o: TensorLike): Tensor { return this.bin('ne', o); }
  lt(o: TensorLike): Tensor { return this.bin('lt', o); }
  le(o: TensorLike): Tensor { return this.bin('le', o); }
  gt(o: TensorLike): Tensor { return this.bin('gt', o); }
  ge(o: TensorLike): Tensor { return this.bin('ge', o); }
  logicalAnd(o: TensorLike): Tensor { return this.bin('logicalAnd', o); }
  logicalOr(o: TensorLike): Tensor { return this.bin('logicalOr', o); }
  logicalNot(): Tensor { return apply(unaryOps.logicalNot, [this], undefined); }
  isnan(): Tensor { return apply(unaryOps.isnan, [this], undefined); }

  neg(): Tensor { return apply(unaryOps.neg, [this], undefined); }
  abs(): Tensor { return apply(unaryOps.abs, [this], undefined); }
  exp(): Tensor { return apply(unaryOps.exp, [this], undefined); }
  log(): Tensor { return apply(unaryOps.log, [this], undefined); }
  log1p(): Tensor { return apply(unaryOps.log1p, [this], undefined); }
  expm1(): Tensor { return apply(unaryOps.expm1, [this], undefined); }
  sqrt(): Tensor { return apply(unaryOps.sqrt, [this], undefined); }
  rsqrt(): Tensor { return apply(unaryOps.rsqrt, [this], undefined); }
  square(): Tensor { return apply(unaryOps.square, [this], undefined); }
  reciprocal(): Tensor { return apply(unaryOps.reciprocal, [this], undefined); }
  sin(): Tensor { return apply(unaryOps.sin, [this], undefined); }
  cos(): Tensor { return apply(unaryOps.cos, [this], undefined); }
  tanh(): Tensor { return apply(unaryOps.tanh, [this], undefined); }
  sigmoid(): Tensor { return apply(unaryOps.sigmoid, [this], undefined); }
  relu(): Tensor { return apply(unaryOps.relu, [this], undefined); }
  heaviside(): Tensor { return apply(unaryOps.heaviside, [this], undefined); }
  sign(): Tensor { return apply(unaryOps.sign, [this], undefined); }
  floor(): Tensor { return apply(unaryOps.floor, [this], undefined); }
  ceil(): Tensor { return apply(unaryOps.ceil, [this], undefined); }
  round(): Tensor { return apply(unaryOps.round, [this], undefined); }
  softplus(): Tensor { return apply(unaryOps.softplus, [this], undefined); }
  selu(): Tensor { return apply(unaryOps.selu, [this], undefined); }
  gelu(): Tensor { return apply(unaryOps.gelu, [this], undefined); }
  leakyRelu(slope = 0.01): Tensor { return apply(unaryOps.leakyRelu, [this], { slope }); }
  elu(alpha = 1): Tensor { return apply(unaryOps.elu, [this], { alpha }); }
  clamp(min = -Infinity, max = Infinity): Tensor {
    if (min > max) throw new ValueError(`clamp: min <= max; got min=${min}, max=${max}`);
    return apply(unaryOps.clamp, [this], { min, max });
  }
  /** Elements of this where `mask` is false, `value` where it is true (PyTorch's masked_fill). */
  maskFill(mask: Tensor, value = 0): Tensor {
    return where(mask, this.wrap(value), this);
  }
  /** Converts to another dtype (a copy; differentiable between float types). */
  cast(dtype: DType): Tensor {
    if (dtype === this.dtype) return this;
    return apply(castOp, [this], { dtype });
  }
  float(): Tensor { return this.cast('float32'); }
  double(): Tensor { return this.cast('float64'); }
  int(): Tensor { return this.cast('int32'); }

  // ---- reductions -----------------------------------------------------------------------------

  /** Sum over `dims` (all when omitted); `keepdim` keeps them as size 1. */
  sum(dims?: number | number[], keepdim = false): Tensor {
    return apply(reduceOps.sum, [this], { dims: dimList(dims), keepdim });
  }
  prod(dims?: number | number[], keepdim = false): Tensor {
    return apply(reduceOps.prod, [this], { dims: dimList(dims), keepdim });
  }
  mean(dims?: number | number[], keepdim = false): Tensor {
    const axes = normAxes('mean', dims, this.ndim);
    const n = axes.reduce((a, d) => a * this.shape[d]!, 1);
    const s = (isFloat(this.dtype) ? this : this.float()).sum(axes, keepdim);
    return s.div(n);
  }
  /** Variance with Bessel's correction by default (`correction` 1, like PyTorch). */
  var(dims?: number | number[], keepdim = false, correction = 1): Tensor {
    const axes = normAxes('var', dims, this.ndim);
    const n = axes.reduce((a, d) => a * this.shape[d]!, 1);
    const d = this.sub(this.mean(axes, true));
    return d.mul(d).sum(axes, keepdim).div(Math.max(n - correction, 0));
  }
  std(dims?: number | number[], keepdim = false, correction = 1): Tensor {
    return this.var(dims, keepdim, correction).sqrt();
  }
  /** Largest values over `dims` (all when omitted); ties share the gradient. */
  amax(dims?: number | number[], keepdim = false): Tensor {
    return apply(reduceOps.amax, [this], { dims: dimList(dims), keepdim });
  }
  amin(dims?: number | number[], keepdim = false): Tensor {
    return apply(reduceOps.amin, [this], { dims: dimList(dims), keepdim });
  }
  /** Max of all elements, or `{values, indices}` along `dim` (like torch.max). */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  max(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    if (dim === undefined) return this.amax();
    return this.extremeAlong('max', dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  min(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    if (dim === undefined) return this.amin();
    return this.extremeAlong('min', dim, keepdim);
  }
  private extremeAlong(kind: 'max' | 'min', dim: number, keepdim: boolean): { values: Tensor; indices: Tensor } {
    const ax = normAxis(kind, dim, this.ndim);
    const idx = apply(argOps[kind === 'max' ? 'argmax' : 'argmin'], [this], { dim: ax, keepdim: true });
    const values = this.gather(ax, idx);
    return keepdim ? { values, indices: idx } : { values: values.squeeze(ax), indices: idx.squeeze(ax) };
  }
  /** Index of the largest value along `dim`, or of the flattened tensor when omitted. */
  argmax(dim?: number, keepdim = false): Tensor {
    if (dim === undefined) return apply(argOps.argmax, [this.reshape([-1])], { dim: 0, keepdim: false });
    return apply(argOps.argmax, [this], { dim, keepdim });
  }
  argmin(dim?: number, keepdim = false): Tensor {
    if (dim === undefined) return apply(argOps.argmin, [this.reshape([-1])], { dim: 0, keepdim: false });
    return apply(argOps.argmin, [this], { dim, keepdim });
  }
  /** log(sum(exp(x))) over `dims`, computed stably. */
  logsumexp(dims?: number | number[], keepdim = false): Tensor {
    const axes = normAxes('logsumexp', dims, this.ndim);
    const m = noGrad(() => {
      const a = this.amax(axes, true);
      return a.maskFill(a.abs().eq(Infinity), 0);
    });
    const s = this.sub(m).exp().sum(axes, true).log().add(m);
    return keepdim ? s : s.reshape(s.shape.filter((_, i) => !axes.includes(i)));
  }
  softmax(dim = -1): Tensor {
    return apply(softmaxOps.softmax, [this], { dim });
  }
  logSoftmax(dim = -1): Tensor {
    return apply(softmaxOps.logSoftmax, [this], { dim });
  }

  // ---- matmul ---------------------------------------------------------------------------------

  /** Matrix product with NumPy's rules: 1-d operands are promoted and the added dim removed. */
  matmul(other: Tensor): Tensor {
    if (this.ndim === 0 || other.ndim === 0) {
      throw new ShapeError(`matmul: operands with at least 1 dim; got ${fmtShape(this.shape)} @ ${fmtShape(other.shape)}`);
    }
    const a = this.ndim === 1 ? this.unsqueeze(0) : this;
    const b = other.ndim === 1 ? other.unsqueeze(1) : other;
    if (a.shape[a.ndim - 1] !== b.shape[b.ndim - 2]) {
      throw new ShapeError(
        `matmul: inner dimensions must match; got ${fmtShape(this.shape)} @ ${fmtShape(other.shape)} (${a.shape[a.ndim - 1]} vs ${b.shape[b.ndim - 2]})`,
      );
    }
    let r = apply(matmulOp, [a, b], undefined);
    if (this.ndim === 1) r = r.squeeze(-2);
    if (other.ndim === 1) r = r.squeeze(-1);
    return r;
  }
  /** The transposed last two dims (a view). */
  get mT(): Tensor {
    return this.transpose(-2, -1);
  }
  /** Fused x·Wᵀ + b (the Linear layer's op); with `{ activation: 'relu' }`, max(0, x·Wᵀ + b) in the same op. */
  linear(weight: Tensor, bias?: Tensor | null, opts?: { activation?: LinearActivation }): Tensor {
    return apply(linearOp, bias ? [this, weight, bias] : [this, weight], opts?.activation ? { activation: opts.activation } : undefined);
  }

  // ---- shape ops ------------------------------------------------------------------------------

  /** A tensor with the same data and a new shape (a view when possible; one dim may be -1). */
  reshape(shape: readonly number[]): Tensor {
    const src = this.isContiguous ? this : this.contiguous();
    if (sameShape(shape, this.shape)) return this;
    return apply(viewOp, [src], { shape: [...shape] });
  }
  /** Like reshape, but only for contiguous tensors (always a view). */
  view(...shape: number[]): Tensor {
    return apply(viewOp, [this], { shape });
  }
  /** Flattens dims startDim..endDim into one. */
  flatten(startDim = 0, endDim = -1): Tensor {
    if (this.ndim === 0) return this.reshape([1]);
    const s = normAxis('flatten', startDim, this.ndim);
    const e = normAxis('flatten', endDim, this.ndim);
    const shape = [...this.shape.slice(0, s), sizeOf(this.shape.slice(s, e + 1)), ...this.shape.slice(e + 1)];
    return this.reshape(shape);
  }
  contiguous(): Tensor {
    return this.isContiguous ? this : apply(contiguousOp, [this], undefined);
  }
  permute(...dims: number[]): Tensor {
    return apply(permuteOp, [this], { dims });
  }
  transpose(d0: number, d1: number): Tensor {
    const a = normAxis('transpose', d0, this.ndim);
    const b = normAxis('transpose', d1, this.ndim);
    const dims = Array.from({ length: this.ndim }, (_, i) => i);
    dims[a] = b;
    dims[b] = a;
    return this.permute(...dims);
  }
  /** Transpose of a 2-d tensor (PyTorch's .T for matrices). */
  get T(): Tensor {
    return this.ndim < 2 ? this : this.permute(...Array.from({ length: this.ndim }, (_, i) => this.ndim - 1 - i));
  }
  /** Removes size-1 dims (all, or the ones given). */
  squeeze(dim?: number | number[]): Tensor {
    const axes = dim === undefined ? this.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0) : normAxes('squeeze', dim, this.ndim);
    return this.reshape(this.shape.filter((d, i) => !(axes.includes(i) && d === 1)));
  }
  unsqueeze(dim: number): Tensor {
    const d = normAxis('unsqueeze', dim, this.ndim + 1);
    const s = [...this.shape];
    s.splice(d, 0, 1);
    return this.reshape(s);
  }
  /** Broadcasts to `shape` without copying (-1 keeps a dim). */
  expand(shape: readonly number[]): Tensor {
    return apply(expandOp, [this], { shape: [...shape] });
  }
  expandAs(other: Tensor): Tensor {
    return this.expand(other.shape);
  }
  /** The elements [start, start+length) of `dim` (a view). */
  narrow(dim: number, start: number, length: number): Tensor {
    const ax = normAxis('narrow', dim, this.ndim);
    const n = this.shape[ax]!;
    if (start < 0) start += n;
    if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > n) {
      throw new ShapeError(`narrow: start and length inside dim ${dim} of size ${n}; got start ${start}, length ${length}`);
    }
    const ranges = this.shape.map((d) => ({ start: 0, stop: d, step: 1 }));
    ranges[ax] = { start, stop: start + length, step: 1 };
    return this.sliceRanges(ranges);
  }
  /** The slice at `index` of `dim`, with that dim removed. */
  select(dim: number, index: number): Tensor {
    const ax = normAxis('select', dim, this.ndim);
    const n = this.shape[ax]!;
    const i = index < 0 ? index + n : index;
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new ShapeError(`select: an index in [${-n}, ${n - 1}] for dim ${dim}; got ${index}`);
    return this.narrow(ax, i, 1).squeeze(ax);
  }
  /** @internal Slices by normalised ranges (one per dim). */
  sliceRanges(ranges: SliceRange[]): Tensor {
    return apply(sliceOp, [this], { ranges });
  }
  /** @internal The adjoint of sliceRanges: this gradient placed into zeros of `shape`. */
  sliceBackward(shape: readonly number[], ranges: SliceRange[]): Tensor {
    return apply(sliceScatterOp, [this], { shape: [...shape], ranges });
  }

  /**
   * NumPy-style indexing: a number selects (and drops) a dim, `[start, stop, step]` slices (negative
   * values count from the end, missing ones mean the whole range), `null` keeps a dim whole, `'...'`
   * stands for the dims not named, and an int32 tensor picks entries (indexSelect).
   * `x.index(0)`, `x.index(null, [1, 3])`, `x.index('...', -1)`.
   */
  index(...items: IndexItem[]): Tensor {
    const ell = items.indexOf('...');
    const named = items.filter((it) => it !== '...').length;
    if (named > this.ndim) throw new ShapeError(`index: at most ${this.ndim} indices for shape ${fmtShape(this.shape)}; got ${named}`);
    const full: IndexItem[] =
      ell >= 0 ? [...items.slice(0, ell), ...new Array<IndexItem>(this.ndim - named).fill(null), ...items.slice(ell + 1)] : [...items];
    while (full.length < this.ndim) full.push(null);
    const ranges: SliceRange[] = [];
    const drop: number[] = [];
    const picks: [number, Tensor][] = [];
    full.forEach((it, d) => {
      const n = this.shape[d]!;
      if (it === null || it === '...') ranges.push({ start: 0, stop: n, step: 1 });
      else if (typeof it === 'number') {
        const i = it < 0 ? it + n : it;
        if (!Number.isInteger(i) || i < 0 || i >= n) throw new ShapeError(`index: an index in [${-n}, ${n - 1}] for dim ${d}; got ${it}`);
        ranges.push({ start: i, stop: i + 1, step: 1 });
        drop.push(d);
      } else if (it instanceof Tensor) {
        ranges.push({ start: 0, stop: n, step: 1 });
        picks.push([d, it]);
      } else {
        const step = it[2] ?? 1;
        if (!Number.isInteger(step) || step <= 0) throw new ShapeError(`index: a positive integer step; got ${step} for dim ${d}`);
        const clampIdx = (v: number): number => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
        const start = clampIdx(it[0] ?? 0);
        const stop = Math.max(start, clampIdx(it[1] ?? n));
        ranges.push({ start, stop, step });
      }
    });
    let t = this.sliceRanges(ranges);
    for (const [d, idx] of picks) t = t.indexSelect(d, idx);
    return drop.length ? t.squeeze(drop) : t;
  }

  /** Entries `index` (int32, 1-d) of `dim`. */
  indexSelect(dim: number, index: Tensor): Tensor {
    return apply(indexSelectOp, [this, index], { dim });
  }
  /** @internal zeros(shape).indexAdd(dim, index, this). */
  indexAddInto(shape: readonly number[], dim: number, index: Tensor): Tensor {
    return apply(indexAddOp, [this, index], { shape: [...shape], dim });
  }
  /** out[i][j] = x[i][index[i][j]] along `dim` (torch.gather). */
  gather(dim: number, index: Tensor): Tensor {
    return apply(gatherOp, [this, index], { dim });
  }
  /** @internal zeros(shape).scatterAdd(dim, index, this). */
  scatterAddInto(shape: readonly number[], dim: number, index: Tensor): Tensor {
    return apply(scatterAddOp, [this, index], { shape: [...shape], dim });
  }
  /** Splits into pieces of `size` (a number) or of the given sizes along `dim` (views). */
  split(size: number | number[], dim = 0): Tensor[] {
    const ax = normAxis('split', dim, this.ndim);
    const n = this.shape[ax]!;
    const sizes = typeof size === 'number' ? Array.from({ length: Math.ceil(n / size) }, (_, i) => Math.min(size, n - i * size)) : size;
    if (sizes.reduce((a, b) => a + b, 0) !== n) {
      throw new ShapeError(`split: sizes adding up to ${n} (dim ${dim}); got [${sizes.join(',')}]`);
    }
    let at = 0;
    return sizes.map((s) => {
      const p = this.narrow(ax, at, s);
      at += s;
      return p;
    });
  }
  /** Splits into `chunks` nearly equal pieces along `dim`. */
  chunk(chunks: number, dim = 0): Tensor[] {
    const n = this.shape[normAxis('chunk', dim, this.ndim)]!;
    return this.split(Math.ceil(n / chunks), dim);
  }
}

/** where(cond, a, b): elements of `a` where `cond` is true, of `b` elsewhere (broadcast). */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const ta = a instanceof Tensor ? a : b instanceof Tensor ? b.wrap(a) : cond.float().wrap(a);
  const tb = b instanceof Tensor ? b : ta.wrap(b);
  return apply(whereOp, [cond, ta, tb], undefined);
}

/**
 * Batch normalisation of x [N, C, L] per channel (one fused op; see ops/normalization.ts): with the batch's
 * statistics when `training` (reported in `attrs.stats`), else with runningMean/runningVar.
 */
export function batchNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, attrs: BatchNormAttrs): Tensor {
  const inputs = weight ? (bias ? [x, weight, bias] : [x, weight]) : [x];
  if (!weight && bias) throw new ValueError('batchNorm: a bias only together with a weight; got a bias alone');
  return apply(batchNormOp, inputs, attrs);
}

/** The fused elementwise part of an LSTM step: (gates [B, 4H], c [B, H]) -> [B, 2H] = (h', c'). */
export function lstmGates(gates: Tensor, c: Tensor): Tensor {
  return apply(lstmGatesOp, [gates, c], undefined);
}
/**
 * A whole LSTM layer direction as one op: (xGates [T, B, 4H] = x_t·W_ihᵀ + b_ih + b_hh for every step,
 * h0 [B, H], c0 [B, H], W_hh [4H, H]) -> [T, B, 2H] = (h_t, c_t) of every step; `reverse` runs the steps
 * from the last to the first.
 */
export function lstmSequence(xGates: Tensor, h0: Tensor, c0: Tensor, whh: Tensor, reverse = false): Tensor {
  return apply(lstmSequenceOp, [xGates, h0, c0, whh], { reverse });
}
/** Σ(input − target)² over all elements of two tensors of one shape (with `mean`, divided by their count), as one op. */
export function squaredError(input: Tensor, target: Tensor, mean = false): Tensor {
  return apply(squaredErrorOp, [input, target], { mean });
}
/** The fused elementwise part of a GRU step: (x·W_ihᵀ + b_ih, h·W_hhᵀ + b_hh, h) -> h'. */
export function gruGates(xGates: Tensor, hGates: Tensor, h: Tensor): Tensor {
  return apply(gruGatesOp, [xGates, hGates, h], undefined);
}

/**
 * 2-D convolution (cross-correlation, as PyTorch) of x [N, C, H, W] with weight [O, C/groups, kH, kW]
 * and an optional bias [O]: output [N, O, Ho, Wo], Ho = floor((H + 2p − d·(kH − 1) − 1)/s) + 1.
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dFnOptions = {}): Tensor {
  if (weight.ndim !== 4) throw new ShapeError(`conv2d: a 4-d weight [outChannels, inChannels/groups, kH, kW]; got ${fmtShape(weight.shape)}`);
  const attrs = conv2dAttrs(weight.shape[2]!, weight.shape[3]!, opts);
  return apply(conv2dOp, bias ? [x, weight, bias] : [x, weight], attrs);
}
/**
 * Transposed 2-D convolution (PyTorch's ConvTranspose2d, groups 1) of x [N, inC, H, W] with weight
 * [inC, outC, kH, kW]: output size (H − 1)·s − 2p + d·(k − 1) + outputPadding + 1.
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: { stride?: number | [number, number]; padding?: number | [number, number]; dilation?: number | [number, number]; outputPadding?: number | [number, number] } = {}): Tensor {
  if (weight.ndim !== 4) throw new ShapeError(`convTranspose2d: a 4-d weight [inChannels, outChannels, kH, kW]; got ${fmtShape(weight.shape)}`);
  const base = conv2dAttrs(weight.shape[2]!, weight.shape[3]!, { stride: opts.stride, padding: opts.padding, dilation: opts.dilation });
  const op = opts.outputPadding ?? 0;
  const outputPadding: [number, number] = typeof op === 'number' ? [op, op] : op;
  if (outputPadding[0] >= base.stride[0] && outputPadding[0] >= base.dilation[0]) {
    throw new ShapeError(`convTranspose2d: outputPadding smaller than stride or dilation; got ${outputPadding.join('x')} with stride ${base.stride.join('x')}`);
  }
  return apply(convTranspose2dOp, bias ? [x, weight, bias] : [x, weight], { ...base, outputPadding });
}
/**
 * Bilinear interpolation of [N, C, H, W] images to `size` ([h, w] or a square side), as PyTorch's
 * `F.interpolate(x, size, mode='bilinear', align_corners=False)`.
 */
export function interpolateBilinear(x: Tensor, size: number | readonly [number, number]): Tensor {
  const s: [number, number] = typeof size === 'number' ? [size, size] : [size[0], size[1]];
  return apply(interpolateBilinearOp, [x], { size: s });
}

/** Nearest-neighbour upsampling of x [N, C, H, W] by integer factors. */
export function upsampleNearest(x: Tensor, scale: number | [number, number]): Tensor {
  const s: [number, number] = typeof scale === 'number' ? [scale, scale] : scale;
  if (!s.every((v) => Number.isInteger(v) && v >= 1)) throw new ValueError(`upsample: integer scale factors >= 1; got ${JSON.stringify(scale)}`);
  return apply(upsampleNearestOp, [x], { scale: s });
}
/** Max pooling over kernel windows of x [N, C, H, W] (stride defaults to the kernel). */
export function maxPool2d(x: Tensor, kernel: number | [number, number], opts: { stride?: number | [number, number]; padding?: number | [number, number] } = {}): Tensor {
  return apply(maxPool2dOp, [x], pool2dAttrs('maxPool2d', kernel, opts));
}
/** Average pooling over kernel windows of x [N, C, H, W] (padding counted in the divisor unless countIncludePad is false). */
export function avgPool2d(x: Tensor, kernel: number | [number, number], opts: { stride?: number | [number, number]; padding?: number | [number, number]; countIncludePad?: boolean } = {}): Tensor {
  return apply(avgPool2dOp, [x], pool2dAttrs('avgPool2d', kernel, opts));
}

/** Joins tensors along an existing dim. */
export function concat(tensors: readonly Tensor[], dim = 0): Tensor {
  return apply(concatOp, tensors, { dim });
}

/** Stacks tensors of one shape along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('stack: at least one tensor; got an empty list');
  const s = tensors[0]!.shape;
  for (const t of tensors) {
    if (!sameShape(t.shape, s)) throw new ShapeError(`stack: tensors of one shape; got ${tensors.map((x) => fmtShape(x.shape)).join(', ')}`);
  }
  const d = normAxis('stack', dim, s.length + 1);
  return concat(tensors.map((t) => t.unsqueeze(d)), d);
}
