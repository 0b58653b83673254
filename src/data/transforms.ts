// Image transforms (augmentation and preprocessing) on float tensors [C, H, W] or batches [N, C, H, W].
//
// Every transform is a function object `(x, g?) => Tensor` with a `name`. A batch is transformed
// sample by sample, each with its own random draws from `g` (default: the global generator, seeded
// with manualSeed), so a seeded run is reproducible. The work is done on typed arrays; the results
// are new tensors outside the autograd graph (augmentation is applied to data, not to parameters).
import { DTypeError, ShapeError, ValueError, fmtShape } from '../core/index.ts';
import { Tensor, defaultGenerator, interpolateBilinear, noGrad } from '../tensor/index.ts';
import type { Generator } from '../tensor/index.ts';
import { collate } from './dataloader.ts';
import { isBatchDataset } from './dataset.ts';
import type { BatchDataset, Dataset } from './dataset.ts';

/** An image transform: `(x, g?) => Tensor` on [C, H, W] or [N, C, H, W] float tensors, with a name. */
export interface Transform {
  (x: Tensor, g?: Generator): Tensor;
  readonly name: string;
}

type FloatArray = Float32Array | Float64Array;

/** What a per-sample kernel gets: source and destination planes of one sample, and the generator. */
interface SampleArgs {
  src: FloatArray;
  dst: FloatArray;
  c: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
  g: Generator;
}

/** Names a function object (a function's own `name` is read-only, so it is redefined). */
function named(name: string, fn: (x: Tensor, g?: Generator) => Tensor): Transform {
  Object.defineProperty(fn, 'name', { value: name, configurable: true });
  return fn as Transform;
}

/** Checks that `x` is a float image or image batch; returns [n, c, h, w] and whether it is a batch. */
function imageDims(op: string, x: unknown): { n: number; c: number; h: number; w: number; batched: boolean } {
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: a tensor image [C,H,W] or batch [N,C,H,W]; got ${x === null ? 'null' : typeof x}`);
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new ShapeError(
      `${op}: an image [C,H,W] or a batch of images [N,C,H,W]; got shape ${fmtShape(x.shape)}. ` +
        'Transforms apply to images only, not to labels (with TransformDataset, check its index); reshape flat images, e.g. x.reshape([-1, 1, 28, 28])',
    );
  }
  if (x.dtype !== 'float32' && x.dtype !== 'float64') {
    throw new DTypeError(`${op}: a float32 or float64 image; got ${x.dtype}. Convert with .float() (and scale to [0, 1])`);
  }
  const [n, c, h, w] = x.ndim === 4 ? (x.shape as [number, number, number, number]) : [1, ...(x.shape as [number, number, number])];
  return { n: n!, c: c!, h: h!, w: w!, batched: x.ndim === 4 };
}

/**
 * Builds a transform from a per-sample kernel. `outHW` gives the output size of a sample (default:
 * unchanged); `check` validates the dims before any work (e.g. a channel count).
 */
function imageTransform(
  name: string,
  kernel: (a: SampleArgs) => void,
  opts: { outHW?: (h: number, w: number) => [number, number]; check?: (c: number, h: number, w: number) => void } = {},
): Transform {
  return named(name, (x: Tensor, g: Generator = defaultGenerator): Tensor => {
    const { n, c, h, w, batched } = imageDims(name, x);
    opts.check?.(c, h, w);
    const [oh, ow] = opts.outHW ? opts.outHW(h, w) : [h, w];
    const data = x.contiguousData() as FloatArray;
    const inSize = c * h * w;
    const outSize = c * oh * ow;
    const out = x.dtype === 'float64' ? new Float64Array(n * outSize) : new Float32Array(n * outSize);
    for (let s = 0; s < n; s++) {
      kernel({ src: data.subarray(s * inSize, (s + 1) * inSize), dst: out.subarray(s * outSize, (s + 1) * outSize), c, h, w, oh, ow, g });
    }
    return Tensor.fromData(out, batched ? [n, c, oh, ow] : [c, oh, ow], x.dtype);
  });
}

// ---- option checks -----------------------------------------------------------------------------

function checkNumber(op: string, what: string, v: unknown, { min = -Infinity, max = Infinity, int = false } = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (int && !Number.isInteger(v))) {
    const range = `${int ? 'an integer' : 'a number'}${min > -Infinity ? ` >= ${min}` : ''}${max < Infinity ? ` <= ${max}` : ''}`;
    throw new ValueError(`${op}: ${what} ${range}; got ${String(v)}`);
  }
  return v;
}

/** A number or a pair as a pair. */
function pair(op: string, what: string, v: number | readonly [number, number], opts: { min?: number; int?: boolean } = {}): [number, number] {
  if (Array.isArray(v)) {
    if (v.length !== 2) throw new ValueError(`${op}: ${what} a number or a pair [a, b]; got an array of ${v.length}`);
    return [checkNumber(op, what, v[0], opts), checkNumber(op, what, v[1], opts)];
  }
  const x = checkNumber(op, what, v, opts);
  return [x, x];
}

function checkProbability(op: string, p: number): number {
  return checkNumber(op, 'p (a probability)', p, { min: 0, max: 1 });
}

/** A uniform draw in [lo, hi] (one generator call even when lo == hi, so the stream stays aligned). */
function uniform(g: Generator, lo: number, hi: number): number {
  return lo + (hi - lo) * g.random();
}

// ---- sampling helpers --------------------------------------------------------------------------

/**
 * Fills each output plane by sampling the input at an affine map of the output coordinates,
 * bilinearly, with zeros outside (each of the four neighbours outside the image counts as 0, like
 * grid_sample with zero padding). Source = (a*x + b*y + tx, d*x + e*y + ty) for output pixel (x, y).
 */
function affineSample(a: SampleArgs, m: readonly [number, number, number, number, number, number], fill: number): void {
  const { src, dst, c, h, w } = a;
  const [ma, mb, tx, md, me, ty] = m;
  const plane = h * w;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = ma * x + mb * y + tx;
      const sy = md * x + me * y + ty;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = y * w + x;
      if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) {
        for (let ch = 0; ch < c; ch++) dst[ch * plane + o] = fill;
        continue;
      }
      const in00 = x0 >= 0 && y0 >= 0;
      const in01 = x0 + 1 < w && y0 >= 0;
      const in10 = x0 >= 0 && y0 + 1 < h;
      const in11 = x0 + 1 < w && y0 + 1 < h;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      const i00 = y0 * w + x0;
      for (let ch = 0; ch < c; ch++) {
        const p = ch * plane;
        const v00 = in00 ? src[p + i00]! : fill;
        const v01 = in01 ? src[p + i00 + 1]! : fill;
        const v10 = in10 ? src[p + i00 + w]! : fill;
        const v11 = in11 ? src[p + i00 + w + 1]! : fill;
        dst[p + o] = w00 * v00 + w01 * v01 + w10 * v10 + w11 * v11;
      }
    }
  }
}

/** Copies the input shifted by (dx, dy) whole pixels into an oh x ow window at (top, left) of the zero-padded input. */
function cropPadded(a: SampleArgs, top: number, left: number): void {
  const { src, dst, c, h, w, oh, ow } = a;
  dst.fill(0);
  for (let ch = 0; ch < c; ch++) {
    const sp = ch * h * w;
    const dp = ch * oh * ow;
    for (let y = 0; y < oh; y++) {
      const sy = y + top;
      if (sy < 0 || sy >= h) continue;
      const x0 = Math.max(0, -left);
      const x1 = Math.min(ow, w - left);
      for (let x = x0; x < x1; x++) dst[dp + y * ow + x] = src[sp + sy * w + x + left]!;
    }
  }
}

// ---- the transforms ----------------------------------------------------------------------------

/** Options of `compose`. */
export interface ComposeOptions {
  /** Require every step to keep the sample's shape (throws naming the step that changes it); default false. */
  keepShape?: boolean;
}

/**
 * Chains transforms left to right (like torchvision's Compose); all draw from the same generator.
 *
 * ```ts
 * const augment = compose([randomCrop({ padding: 2 }), randomRotation({ degrees: 10 }), normalize({ mean: [0.1307], std: [0.3081] })]);
 * const xb2 = augment(xb); // [N, 1, 28, 28], each sample with its own crop and angle
 * ```
 */
export function compose(transforms: readonly Transform[], opts: ComposeOptions = {}): Transform {
  if (!Array.isArray(transforms)) throw new ValueError(`compose: an array of transforms; got ${typeof transforms}`);
  transforms.forEach((t, i) => {
    if (typeof t !== 'function') throw new ValueError(`compose: transforms as functions (x, g?) => Tensor; got ${typeof t} at position ${i}`);
  });
  const { keepShape = false } = opts;
  const list = [...transforms];
  const name = `compose(${list.map((t) => t.name || 'anonymous').join(', ')})`;
  return named(name, (x: Tensor, g: Generator = defaultGenerator): Tensor => {
    let y = x;
    for (const t of list) {
      const before = y.shape;
      y = t(y, g);
      if (!(y instanceof Tensor)) throw new ValueError(`compose: each transform to return a tensor; got ${typeof y} from ${t.name || 'anonymous'}`);
      if (keepShape && (y.ndim !== before.length || y.shape.some((d, i) => d !== before[i]))) {
        throw new ShapeError(
          `compose: transforms that keep the sample shape ${fmtShape(before)} (keepShape); got ${fmtShape(y.shape)} from ${t.name || 'anonymous'}. ` +
            'Drop that step or the keepShape option',
        );
      }
    }
    return y;
  });
}

/** Options of `normalize`. */
export interface NormalizeOptions {
  /** Per-channel means (one per channel). */
  mean: readonly number[];
  /** Per-channel standard deviations (one per channel, none 0). */
  std: readonly number[];
}

/** (x - mean[c]) / std[c] per channel (like torchvision's Normalize). Deterministic. */
export function normalize(opts: NormalizeOptions): Transform {
  const op = 'normalize';
  const { mean, std } = opts ?? ({} as NormalizeOptions);
  if (!Array.isArray(mean) || !Array.isArray(std) || mean.length === 0) {
    throw new ValueError(`${op}: { mean, std } as non-empty arrays of numbers, one per channel; got mean ${String(mean)} and std ${String(std)}`);
  }
  if (mean.length !== std.length) throw new ValueError(`${op}: as many std values as mean values (one per channel); got ${mean.length} means and ${std.length} stds`);
  mean.forEach((m, i) => checkNumber(op, `mean[${i}]`, m));
  std.forEach((s, i) => {
    checkNumber(op, `std[${i}]`, s);
    if (s === 0) throw new ValueError(`${op}: std values other than 0 (they divide); got std[${i}] = 0. Use 1 for a channel with no spread`);
  });
  const m = [...mean];
  const inv = std.map((s) => 1 / s);
  return imageTransform(
    op,
    ({ src, dst, c, h, w }) => {
      const plane = h * w;
      for (let ch = 0; ch < c; ch++) {
        const mu = m[ch]!;
        const k = inv[ch]!;
        for (let i = ch * plane, end = i + plane; i < end; i++) dst[i] = (src[i]! - mu) * k;
      }
    },
    {
      check: (c) => {
        if (c !== m.length) {
          throw new ShapeError(`${op}: an image with ${m.length} channel${m.length === 1 ? '' : 's'} (one per mean/std value); got ${c} channels. Give one mean and std per channel`);
        }
      },
    },
  );
}

function flip(op: string, p: number, horizontal: boolean): Transform {
  checkProbability(op, p);
  return imageTransform(op, ({ src, dst, c, h, w, g }) => {
    if (!(g.random() < p)) {
      dst.set(src);
      return;
    }
    for (let ch = 0; ch < c; ch++) {
      const base = ch * h * w;
      for (let y = 0; y < h; y++) {
        const row = base + y * w;
        if (horizontal) {
          for (let x = 0; x < w; x++) dst[row + x] = src[row + w - 1 - x]!;
        } else {
          dst.set(src.subarray(base + (h - 1 - y) * w, base + (h - y) * w), row);
        }
      }
    }
  });
}

/** Mirrors each sample left-right with probability p (default 0.5). */
export function randomHorizontalFlip(opts: { p?: number } = {}): Transform {
  return flip('randomHorizontalFlip', opts.p ?? 0.5, true);
}

/** Mirrors each sample top-bottom with probability p (default 0.5). */
export function randomVerticalFlip(opts: { p?: number } = {}): Transform {
  return flip('randomVerticalFlip', opts.p ?? 0.5, false);
}

/** Options of `randomRotation`. */
export interface RandomRotationOptions {
  /** The angle range in degrees: d means [-d, d]; a pair [lo, hi] is used as is. Positive = counter-clockwise. */
  degrees: number | readonly [number, number];
  /** Value for pixels rotated in from outside (default 0). */
  fill?: number;
}

/**
 * Rotates each sample by an angle drawn uniformly from `degrees`, about the image centre
 * ((W-1)/2, (H-1)/2), with bilinear interpolation and `fill` (default 0) outside. A positive angle
 * turns the image counter-clockwise, like torchvision; 90° equals torch.rot90 (transpose, then flip rows).
 */
export function randomRotation(opts: RandomRotationOptions): Transform {
  const op = 'randomRotation';
  const d = opts?.degrees;
  const [lo, hi] = typeof d === 'number' ? [-checkNumber(op, 'degrees', d, { min: 0 }), d] : pair(op, 'degrees', d as [number, number]);
  if (lo > hi) throw new ValueError(`${op}: degrees [lo, hi] with lo <= hi; got [${lo}, ${hi}]`);
  const fill = checkNumber(op, 'fill', opts.fill ?? 0);
  return imageTransform(op, (a) => {
    const theta = (uniform(a.g, lo, hi) * Math.PI) / 180;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const cx = (a.w - 1) / 2;
    const cy = (a.h - 1) / 2;
    // source = R(-θ in image coords) (out - centre) + centre, with y pointing down.
    affineSample(a, [cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy], fill);
  });
}

/** Options of `randomShift`. */
export interface RandomShiftOptions {
  /** The largest horizontal shift in pixels (an integer; each sample shifts by a uniform integer in [-maxDx, maxDx]). */
  maxDx: number;
  /** The largest vertical shift in pixels (default: maxDx). */
  maxDy?: number;
}

/** Shifts each sample by whole pixels (uniform in [-maxDx, maxDx] x [-maxDy, maxDy]), filling with zeros. */
export function randomShift(opts: RandomShiftOptions): Transform {
  const op = 'randomShift';
  const maxDx = checkNumber(op, 'maxDx', opts?.maxDx, { min: 0, int: true });
  const maxDy = checkNumber(op, 'maxDy', opts.maxDy ?? maxDx, { min: 0, int: true });
  return imageTransform(op, (a) => {
    const dx = a.g.int(-maxDx, maxDx + 1);
    const dy = a.g.int(-maxDy, maxDy + 1);
    // out(x, y) = in(x - dx, y - dy): a window at (-dy, -dx) of the input.
    cropPadded(a, -dy, -dx);
  });
}

/** Options of `randomCrop`. */
export interface RandomCropOptions {
  /** Output size: a number (square) or [h, w]; default: the input's size (pad, then crop back). */
  size?: number | readonly [number, number];
  /** Zeros added on each side first: a number or [top/bottom, left/right] (default 0). */
  padding?: number | readonly [number, number];
}

/**
 * Pads each sample with zeros, then crops a window of `size` at a uniform random position (like
 * torchvision's RandomCrop with padding). `randomCrop({ padding: 4 })` on 32x32 gives shifted 32x32 images.
 */
export function randomCrop(opts: RandomCropOptions = {}): Transform {
  const op = 'randomCrop';
  const size = opts.size === undefined ? undefined : pair(op, 'size', opts.size, { min: 1, int: true });
  const [py, px] = pair(op, 'padding', opts.padding ?? 0, { min: 0, int: true });
  return imageTransform(
    op,
    (a) => {
      const top = a.g.int(0, a.h + 2 * py - a.oh + 1) - py;
      const left = a.g.int(0, a.w + 2 * px - a.ow + 1) - px;
      cropPadded(a, top, left);
    },
    {
      outHW: (h, w) => size ?? [h, w],
      check: (_c, h, w) => {
        const [oh, ow] = size ?? [h, w];
        if (oh > h + 2 * py || ow > w + 2 * px) {
          throw new ShapeError(`${op}: a crop size no larger than the padded image [${h + 2 * py},${w + 2 * px}]; got size [${oh},${ow}]. Increase padding or reduce size`);
        }
      },
    },
  );
}

/** Options of `randomZoom`. */
export interface RandomZoomOptions {
  /** The scale range [lo, hi] (> 0): above 1 zooms in, below 1 zooms out (zero border). */
  range: readonly [number, number];
  /** Value outside the image when zooming out (default 0). */
  fill?: number;
}

/** Scales each sample about its centre by a factor drawn uniformly from `range` (bilinear, same output size). */
export function randomZoom(opts: RandomZoomOptions): Transform {
  const op = 'randomZoom';
  if (!Array.isArray(opts?.range)) throw new ValueError(`${op}: range as a pair [lo, hi] of scales > 0; got ${String(opts?.range)}`);
  const [lo, hi] = pair(op, 'range', opts.range, { min: Number.MIN_VALUE });
  if (lo > hi) throw new ValueError(`${op}: range [lo, hi] with lo <= hi; got [${lo}, ${hi}]`);
  const fill = checkNumber(op, 'fill', opts.fill ?? 0);
  return imageTransform(op, (a) => {
    const k = 1 / uniform(a.g, lo, hi);
    const cx = (a.w - 1) / 2;
    const cy = (a.h - 1) / 2;
    affineSample(a, [k, 0, cx - k * cx, 0, k, cy - k * cy], fill);
  });
}

/** Options of `colorJitter`. */
export interface ColorJitterOptions {
  /** b >= 0: multiply by a factor drawn from [max(0, 1 - b), 1 + b] (default 0: off). */
  brightness?: number;
  /** c >= 0: blend with the sample's mean by a factor drawn from [max(0, 1 - c), 1 + c] (default 0: off). */
  contrast?: number;
}

/**
 * Random brightness then contrast per sample (like torchvision's ColorJitter, in a fixed order and
 * without clamping): x * b, then f * x + (1 - f) * mean(x) with the mean over the whole sample.
 */
export function colorJitter(opts: ColorJitterOptions = {}): Transform {
  const op = 'colorJitter';
  const b = checkNumber(op, 'brightness', opts.brightness ?? 0, { min: 0 });
  const ct = checkNumber(op, 'contrast', opts.contrast ?? 0, { min: 0 });
  return imageTransform(op, ({ src, dst, g }) => {
    const fb = b > 0 ? uniform(g, Math.max(0, 1 - b), 1 + b) : 1;
    const fc = ct > 0 ? uniform(g, Math.max(0, 1 - ct), 1 + ct) : 1;
    let mean = 0;
    if (fc !== 1) {
      for (let i = 0; i < src.length; i++) mean += src[i]!;
      mean = (mean / src.length) * fb;
    }
    const shift = (1 - fc) * mean;
    const k = fb * fc;
    for (let i = 0; i < src.length; i++) dst[i] = src[i]! * k + shift;
  });
}

/** Options of `gaussianNoise`. */
export interface GaussianNoiseOptions {
  /** Standard deviation of the noise (>= 0). */
  std: number;
  /** Mean of the noise (default 0). */
  mean?: number;
}

/** Adds independent normal noise N(mean, std²) to every element. */
export function gaussianNoise(opts: GaussianNoiseOptions): Transform {
  const op = 'gaussianNoise';
  const std = checkNumber(op, 'std', opts?.std, { min: 0 });
  const mean = checkNumber(op, 'mean', opts.mean ?? 0);
  return imageTransform(op, ({ src, dst, g }) => {
    for (let i = 0; i < src.length; i++) dst[i] = src[i]! + mean + std * g.normal();
  });
}

/** Options of `resize`. */
export interface ResizeOptions {
  /** Output size: a number (square) or [h, w]. */
  size: number | readonly [number, number];
}

/**
 * Bilinear resize to `size` (PyTorch's interpolate(mode='bilinear', align_corners=False), no
 * antialiasing). The only transform here that changes the sample's shape. Deterministic.
 */
export function resize(opts: ResizeOptions): Transform {
  const op = 'resize';
  const [oh, ow] = pair(op, 'size', opts?.size, { min: 1, int: true });
  // The interpolation op does the math (written once, with its gradient); a transform records no graph.
  return named(op, (x: Tensor): Tensor => {
    const { n, c, h, w, batched } = imageDims(op, x);
    const y = noGrad(() => interpolateBilinear(x.reshape([n, c, h, w]), [oh, ow]));
    return batched ? y : y.reshape([c, oh, ow]);
  });
}

// ---- TransformDataset --------------------------------------------------------------------------

/** Options of `TransformDataset`. */
export interface TransformDatasetOptions {
  /** Which item of each sample is the image: an array index or an object key (default 0). */
  index?: number | string;
  /** The generator for the random draws (default: the global one). */
  generator?: Generator;
}

/**
 * A dataset whose samples have their image item (`index`, default 0) transformed; the other items
 * (labels) are passed through. `getBatch` gathers the batch (with the wrapped dataset's getBatch, or
 * by collating) and transforms it once, each sample with its own draws, so a DataLoader augments
 * every batch anew.
 *
 * ```ts
 * const train = new TransformDataset(new TensorDataset(x, y), compose([randomCrop({ padding: 2 }), randomHorizontalFlip()]));
 * for (const [xb, yb] of new DataLoader(train, { batchSize: 64, shuffle: true })) { ... }
 * ```
 */
export class TransformDataset<T> implements BatchDataset<T> {
  readonly index: number | string;
  readonly generator: Generator;

  constructor(
    readonly dataset: Dataset<T>,
    readonly transform: Transform,
    opts: TransformDatasetOptions = {},
  ) {
    if (!dataset || typeof dataset.get !== 'function' || typeof dataset.length !== 'number') {
      throw new ValueError(`TransformDataset: a dataset with length and get(i); got ${dataset === null ? 'null' : typeof dataset}`);
    }
    if (typeof transform !== 'function') throw new ValueError(`TransformDataset: a transform (x, g?) => Tensor; got ${typeof transform}`);
    const { index = 0, generator = defaultGenerator } = opts;
    if (typeof index !== 'string' && (!Number.isInteger(index) || index < 0)) {
      throw new ValueError(`TransformDataset: index a non-negative integer or an object key; got ${String(index)}`);
    }
    this.index = index;
    this.generator = generator;
  }

  get length(): number {
    return this.dataset.length;
  }

  /** Sample `i` with its image item transformed. */
  get(i: number): T {
    return this.apply(this.dataset.get(i), false);
  }

  /** The samples at `indices` collated into a batch, with the image batch transformed. */
  getBatch(indices: Int32Array): T {
    const ds = this.dataset;
    const batch = isBatchDataset(ds) ? ds.getBatch(indices) : (collate(Array.from(indices, (i) => ds.get(i))) as T);
    return this.apply(batch, true);
  }

  private apply(sample: T, batched: boolean): T {
    const op = 'TransformDataset';
    const key = this.index;
    let x: unknown;
    if (sample instanceof Tensor) {
      if (key !== 0) throw new ValueError(`${op}: samples with an item at index ${String(key)}; got a single tensor. Use index 0`);
      x = sample;
    } else if (sample !== null && typeof sample === 'object' && key in sample) {
      x = (sample as Record<string | number, unknown>)[key];
    } else {
      throw new ValueError(`${op}: samples (arrays or objects) with an item at index ${String(key)}; got ${sample === null ? 'null' : typeof sample} without it`);
    }
    if (!(x instanceof Tensor)) throw new ValueError(`${op}: a tensor image at index ${String(key)} of each sample; got ${typeof x}`);
    const y = this.transform(x, this.generator);
    if (!(y instanceof Tensor)) throw new ValueError(`${op}: the transform to return a tensor; got ${typeof y} from ${this.transform.name || 'anonymous'}`);
    // The labels are left alone, so the images must stay one per label (one batch row per sample).
    if (y.ndim !== x.ndim || (batched && y.shape[0] !== x.shape[0])) {
      throw new ShapeError(
        `${op}: a transform that keeps one image per sample (${batched ? `batch of ${x.shape[0]}, ` : ''}shape ${fmtShape(x.shape)} -> same rank${batched ? ' and rows' : ''}), so labels stay aligned; ` +
          `got ${fmtShape(y.shape)} from ${this.transform.name || 'anonymous'}`,
      );
    }
    if (sample instanceof Tensor) return y as T;
    if (Array.isArray(sample)) {
      const out = [...(sample as unknown[])];
      out[key as number] = y;
      return out as T;
    }
    return { ...(sample as object), [key]: y } as T;
  }
}
