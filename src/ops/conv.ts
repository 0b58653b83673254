// Convolution and pooling over NCHW images: conv2d by im2col + the backend's matmul (per sample and
// group), or by the backend's whole-batch kernel where it has one (native: samples over the threads);
// max/avg pooling; each with its backward rule (col2im for conv).
import { DTypeError, ShapeError, ValueError, fmtShape, isFloat } from '../core/index.ts';
import type { TypedArray } from '../core/index.ts';
import type { Backend, ConvGeometry } from '../backend/backend.ts';
import { getBackend } from '../backend/backend.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { dense } from './types.ts';
import type { OpSpec } from './types.ts';
import { activationDefs } from './elementwise.ts';
import { activateInPlace } from './matmul.ts';
import type { LinearActivation } from './matmul.ts';

/** Resolved 2-D geometry: stride, dilation and the four paddings. */
export interface Conv2dAttrs {
  stride: [number, number];
  dilation: [number, number];
  /** [top, bottom, left, right]. */
  padding: [number, number, number, number];
  groups: number;
  /** Applied to the result in place (a Conv2d and the ReLU, Tanh or Sigmoid after it, fused), as linear's. */
  activation?: LinearActivation;
}

/** Output size of one spatial dim: floor((w + pads − d·(k − 1) − 1) / s) + 1 (the seed's (w + 2p − f)/s + 1 for d = 1). */
export function convOutSize(w: number, k: number, s: number, p0: number, p1: number, d: number): number {
  return Math.floor((w + p0 + p1 - d * (k - 1) - 1) / s) + 1;
}

/**
 * The output columns [lo, hi) whose input column ox·s + shift lies inside [0, w): im2col copies only
 * those (zeros elsewhere) and col2im scatters only those.
 */
function inImage(shift: number, s: number, w: number, wo: number): [number, number] {
  const lo = Math.min(wo, Math.max(0, Math.ceil(-shift / s)));
  return [lo, Math.max(lo, Math.min(wo, Math.floor((w - 1 - shift) / s) + 1))];
}

/** im2col through the backend's kernel where it has one (float32), else the loop below. */
function im2col(x: TypedArray, xo: number, c: number, h: number, w: number, kh: number, kw: number, a: Conv2dAttrs, ho: number, wo: number, cols: Float32Array | Float64Array): void {
  const be = getBackend();
  if (be.im2colF32 && x instanceof Float32Array && cols instanceof Float32Array) {
    be.im2colF32(x, xo, convGeometry(c, h, w, kh, kw, a, ho, wo), cols);
    return;
  }
  im2colLoop(x, xo, c, h, w, kh, kw, a, ho, wo, cols);
}

function convGeometry(c: number, h: number, w: number, kh: number, kw: number, a: Conv2dAttrs, ho: number, wo: number): ConvGeometry {
  return { c, h, w, kh, kw, sh: a.stride[0], sw: a.stride[1], dh: a.dilation[0], dw: a.dilation[1], pt: a.padding[0], pl: a.padding[2], ho, wo };
}

function im2colLoop(x: TypedArray, xo: number, c: number, h: number, w: number, kh: number, kw: number, a: Conv2dAttrs, ho: number, wo: number, cols: Float32Array | Float64Array): void {
  const [sh, sw] = a.stride;
  const [dh, dw] = a.dilation;
  const [pt, , pl] = a.padding;
  let r = 0;
  for (let ci = 0; ci < c; ci++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, r++) {
        // The same in-image column range for every row of this kernel column.
        const shift = j * dw - pl;
        const [lo, hi] = inImage(shift, sw, w, wo);
        const rowBase = r * ho * wo;
        for (let oy = 0; oy < ho; oy++) {
          const iy = oy * sh - pt + i * dh;
          const ob = rowBase + oy * wo;
          if (iy < 0 || iy >= h) {
            for (let ox = 0; ox < wo; ox++) cols[ob + ox] = 0;
            continue;
          }
          const ib = xo + (ci * h + iy) * w;
          for (let ox = 0; ox < lo; ox++) cols[ob + ox] = 0;
          for (let ox = lo, ix = ib + lo * sw + shift; ox < hi; ox++, ix += sw) cols[ob + ox] = x[ix]!;
          for (let ox = hi; ox < wo; ox++) cols[ob + ox] = 0;
        }
      }
    }
  }
}

/** col2im through the backend's kernel where it has one (float32), else the loop below. */
function col2im(cols: Float32Array | Float64Array, c: number, h: number, w: number, kh: number, kw: number, a: Conv2dAttrs, ho: number, wo: number, dx: TypedArray, xo: number): void {
  const be = getBackend();
  if (be.col2imF32 && dx instanceof Float32Array && cols instanceof Float32Array) {
    be.col2imF32(cols, convGeometry(c, h, w, kh, kw, a, ho, wo), dx, xo);
    return;
  }
  col2imLoop(cols, c, h, w, kh, kw, a, ho, wo, dx, xo);
}

function col2imLoop(cols: Float32Array | Float64Array, c: number, h: number, w: number, kh: number, kw: number, a: Conv2dAttrs, ho: number, wo: number, dx: TypedArray, xo: number): void {
  const [sh, sw] = a.stride;
  const [dh, dw] = a.dilation;
  const [pt, , pl] = a.padding;
  let r = 0;
  for (let ci = 0; ci < c; ci++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, r++) {
        // The same in-image column range for every row of this kernel column.
        const shift = j * dw - pl;
        const [lo, hi] = inImage(shift, sw, w, wo);
        const rowBase = r * ho * wo;
        for (let oy = 0; oy < ho; oy++) {
          const iy = oy * sh - pt + i * dh;
          if (iy < 0 || iy >= h) continue;
          const ib = xo + (ci * h + iy) * w;
          const ob = rowBase + oy * wo;
          for (let ox = lo, ix = ib + lo * sw + shift; ox < hi; ox++, ix += sw) dx[ix]! += cols[ob + ox]!;
        }
      }
    }
  }
}

interface Geometry {
  n: number; c: number; h: number; w: number; o: number; cg: number; og: number; kh: number; kw: number; ho: number; wo: number; ckk: number;
}

function geometry(x: Tensor, wt: Tensor, a: Conv2dAttrs): Geometry {
  if (x.ndim !== 4) throw new ShapeError(`conv2d: a 4-d input [N, C, H, W]; got ${fmtShape(x.shape)}`);
  if (wt.ndim !== 4) throw new ShapeError(`conv2d: a 4-d weight [outChannels, inChannels/groups, kH, kW]; got ${fmtShape(wt.shape)}`);
  if (!isFloat(x.dtype) || !isFloat(wt.dtype)) throw new DTypeError(`conv2d: float input and weight; got ${x.dtype} and ${wt.dtype}`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [o, cg, kh, kw] = wt.shape as [number, number, number, number];
  const g = a.groups;
  if (c !== cg * g) {
    throw new ShapeError(`conv2d: an input with ${cg * g} channels (weight ${fmtShape(wt.shape)}, groups ${g}); got ${c} channels in ${fmtShape(x.shape)}`);
  }
  if (o % g !== 0) throw new ShapeError(`conv2d: out channels divisible by groups (${g}); got ${o}`);
  const [pt, pb, pl, pr] = a.padding;
  const ho = convOutSize(h, kh, a.stride[0], pt, pb, a.dilation[0]);
  const wo = convOutSize(w, kw, a.stride[1], pl, pr, a.dilation[1]);
  if (ho < 1 || wo < 1) {
    throw new ShapeError(
      `conv2d: a kernel (${kh}x${kw}, dilation ${a.dilation.join('x')}) no larger than the padded input; got input ${h}x${w} with padding ${a.padding.join(',')}`,
    );
  }
  return { n, c, h, w, o, cg, og: o / g, kh, kw, ho, wo, ckk: cg * kh * kw };
}

function newFloat(dtype: string, n: number): Float32Array | Float64Array {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/** conv2d(x [N, C, H, W], weight [O, C/groups, kH, kW], bias? [O]) -> [N, O, Ho, Wo] (cross-correlation, as PyTorch). */
export const conv2dOp: OpSpec<Conv2dAttrs> = {
  name: 'conv2d',
  forward(be, [x, wt, bias], a) {
    const gm = geometry(x!, wt!, a);
    const { n, c, h, w, o, og, ckk, ho, wo } = gm;
    if (bias && (bias.ndim !== 1 || bias.shape[0] !== o)) throw new ShapeError(`conv2d: a bias of shape [${o}]; got ${fmtShape(bias.shape)}`);
    const dt = x!.dtype === 'float64' || wt!.dtype === 'float64' ? 'float64' : 'float32';
    const xd = x!.contiguousData();
    const wd = wt!.contiguousData();
    const out = be.alloc(dt, n * o * ho * wo);
    const bd = bias?.contiguousData();
    if (be.conv2dF32 && out instanceof Float32Array && xd instanceof Float32Array && wd instanceof Float32Array && (!bd || bd instanceof Float32Array)) {
      // (the backend applies the activation to each sample's output while it is in cache)
      be.conv2dF32(xd, wd, bd ?? null, out, n, a.groups, o, convGeometry(gm.cg, h, w, gm.kh, gm.kw, a, ho, wo), a.activation ?? null);
      return dense(out, [n, o, ho, wo], dt);
    }
    const cols = newFloat(dt, ckk * ho * wo);
    const ohw = ho * wo;
    for (let s = 0; s < n; s++) {
      // The bias first (a fill per channel), then the product accumulated onto it.
      if (bd) for (let oc = 0; oc < o; oc++) out.fill(bd[oc]!, (s * o + oc) * ohw, (s * o + oc + 1) * ohw);
      for (let g = 0; g < a.groups; g++) {
        im2col(xd, (s * c + g * gm.cg) * h * w, gm.cg, h, w, gm.kh, gm.kw, a, ho, wo, cols);
        matmulInto(be, wd, g * og * ckk, cols, 0, out, (s * o + g * og) * ohw, og, ohw, ckk, false, false, ckk, ohw, bd !== undefined);
      }
    }
    if (a.activation) activateInPlace(be, a.activation, out);
    return dense(out, [n, o, ho, wo], dt);
  },
  backward: (gOut, ctx) => {
    const x = ctx.input(0);
    const wt = ctx.input(1);
    const a = ctx.attrs;
    const act = a.activation;
    const gm = geometry(x, wt, a);
    const { n, c, h, w, o, og, ckk, ho, wo } = gm;
    const be = getBackend();
    const xd = x.contiguousData();
    const wd = wt.contiguousData();
    const ohw = ho * wo;
    const dX = ctx.needs[0] ? gOut.newZeros(x.shape) : null;
    const dW = ctx.needs[1] ? gOut.newZeros(wt.shape) : null;
    const dXd = dX?.data();
    const dWd = dW?.data();
    const god = gOut.contiguousData();
    const yd = act ? ctx.output().contiguousData() : null;
    if (be.conv2dGradF32 && god instanceof Float32Array && xd instanceof Float32Array && wd instanceof Float32Array &&
        (!dXd || dXd instanceof Float32Array) && (!dWd || dWd instanceof Float32Array) && (!yd || yd instanceof Float32Array)) {
      // the backend's kernel takes the gradient through the fused activation sample by sample (in cache)
      // and then sums the bias gradient too; without one the bias gradient is gy's sum here
      const dB = ctx.needs[2] ? (act ? gOut.newZeros([o]) : gOut.sum([0, 2, 3])) : null;
      be.conv2dGradF32(xd, wd, god, dXd ?? null, dWd ?? null, n, a.groups, o, convGeometry(gm.cg, h, w, gm.kh, gm.kw, a, ho, wo),
        act ?? null, yd as Float32Array | null, act && dB ? (dB.data() as Float32Array) : null);
      return [dX, dW, dB];
    }
    // through the fused activation first: its derivative from the saved output (as linear's)
    const d = act ? activationDefs[act].d() : null;
    const gy = act ? ctx.mapGradOfOutput(act, (y) => d!(y, y), gOut) : gOut;
    const dB = ctx.needs[2] ? gy.sum([0, 2, 3]) : null;
    const dt = gy.dtype === 'float64' ? 'float64' : 'float32';
    const gd = gy.contiguousData();
    const cols = newFloat(dt, ckk * ohw);
    for (let s = 0; s < n; s++) {
      for (let g = 0; g < a.groups; g++) {
        const gOff = (s * o + g * og) * ohw;
        if (dW) {
          im2col(xd, (s * c + g * gm.cg) * h * w, gm.cg, h, w, gm.kh, gm.kw, a, ho, wo, cols);
          // dW_g += dY_g [og, ohw] · cols^T [ohw, ckk]
          matmulInto(be, gd, gOff, cols, 0, dW.data(), g * og * ckk, og, ckk, ohw, false, true, ohw, ohw, true);
        }
        if (dX) {
          // dcols = W_g^T [ckk, og] · dY_g [og, ohw], then scattered back into the image.
          matmulInto(be, wd, g * og * ckk, gd, gOff, cols, 0, ckk, ohw, og, true, false, ckk, ohw, false);
          col2im(cols, gm.cg, h, w, gm.kh, gm.kw, a, ho, wo, dX.data(), (s * c + g * gm.cg) * h * w);
        }
      }
    }
    return [dX, dW, dB];
  },
};

/** C (+)= op(A)·op(B) on raw arrays with offsets, through the backend's matmul. */
function matmulInto(
  be: Backend, a: TypedArray, aOff: number, b: TypedArray, bOff: number, c: TypedArray, cOff: number,
  m: number, n: number, k: number, transA: boolean, transB: boolean, lda: number, ldb: number, accumulate: boolean,
): void {
  const cv = cOff === 0 && c.length === m * n ? c : c.subarray(cOff, cOff + m * n);
  be.matmul({ a, b, c: cv, m, n, k, transA, transB, lda, ldb, aOffsets: [aOff], bOffsets: [bOff], accumulate });
}

/** Pooling geometry: kernel, stride, padding (symmetric) per spatial dim. */
export interface Pool2dAttrs {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  /** avg only: divide by the full window including padding (PyTorch's default). */
  countIncludePad?: boolean;
}

function poolGeometry(op: string, x: Tensor, a: Pool2dAttrs): { n: number; c: number; h: number; w: number; ho: number; wo: number } {
  if (x.ndim !== 4) throw new ShapeError(`${op}: a 4-d input [N, C, H, W]; got ${fmtShape(x.shape)}`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [kh, kw] = a.kernel;
  if (a.padding[0] > kh / 2 || a.padding[1] > kw / 2) {
    throw new ShapeError(`${op}: padding at most half the kernel (${kh}x${kw}); got ${a.padding.join('x')}`);
  }
  const ho = convOutSize(h, kh, a.stride[0], a.padding[0], a.padding[0], 1);
  const wo = convOutSize(w, kw, a.stride[1], a.padding[1], a.padding[1], 1);
  if (ho < 1 || wo < 1) throw new ShapeError(`${op}: a kernel (${kh}x${kw}) no larger than the padded input; got ${h}x${w}`);
  return { n, c, h, w, ho, wo };
}

/** maxPool2d over NCHW windows; the backward routes each gradient to the window's max (first on ties). */
export const maxPool2dOp: OpSpec<Pool2dAttrs> = {
  name: 'maxPool2d',
  forward(be, [x], a) {
    const { n, c, h, w, ho, wo } = poolGeometry('maxPool2d', x!, a);
    const xd = x!.contiguousData();
    const out = be.alloc(x!.dtype, n * c * ho * wo);
    const arg = new Int32Array(n * c * ho * wo);
    const [kh, kw] = a.kernel;
    const [sh, sw] = a.stride;
    const [ph, pw] = a.padding;
    if (be.maxPool2dF32 && xd instanceof Float32Array && out instanceof Float32Array) {
      be.maxPool2dF32(xd, out, arg, n * c, { h, w, kh, kw, sh, sw, ph, pw, ho, wo });
      return { ...dense(out, [n, c, ho, wo], x!.dtype), saved: arg };
    }
    let o = 0;
    for (let p = 0; p < n * c; p++) {
      const base = p * h * w;
      for (let oy = 0; oy < ho; oy++) {
        for (let ox = 0; ox < wo; ox++, o++) {
          let best = -Infinity;
          let bi = -1;
          for (let i = 0; i < kh; i++) {
            const iy = oy * sh - ph + i;
            if (iy < 0 || iy >= h) continue;
            for (let j = 0; j < kw; j++) {
              const ix = ox * sw - pw + j;
              if (ix < 0 || ix >= w) continue;
              const v = xd[base + iy * w + ix]!;
              if (v > best || bi < 0 || v !== v) {
                best = v;
                bi = base + iy * w + ix;
              }
            }
          }
          out[o] = best;
          arg[o] = bi;
        }
      }
    }
    return { ...dense(out, [n, c, ho, wo], x!.dtype), saved: arg };
  },
  backward: (g, ctx) => {
    const x = ctx.input(0);
    const arg = ctx.saved as Int32Array;
    const dX = g.newZeros(x.shape);
    const dd = dX.data();
    const gd = g.contiguousData();
    const be = getBackend();
    if (be.scatterFlatF32 && gd instanceof Float32Array && dd instanceof Float32Array) be.scatterFlatF32(gd, arg, dd);
    else for (let i = 0; i < arg.length; i++) dd[arg[i]!]! += gd[i]!;
    return [dX];
  },
};

/** avgPool2d over NCHW windows (padding counted in the divisor by default, as PyTorch). */
export const avgPool2dOp: OpSpec<Pool2dAttrs> = {
  name: 'avgPool2d',
  forward(be, [x], a) {
    const { n, c, h, w, ho, wo } = poolGeometry('avgPool2d', x!, a);
    const xd = x!.contiguousData();
    const out = be.alloc(x!.dtype, n * c * ho * wo);
    poolAvg(xd, out, n * c, h, w, ho, wo, a, false);
    return dense(out, [n, c, ho, wo], x!.dtype);
  },
  backward: (g, ctx) => {
    const x = ctx.input(0);
    const { n, c, h, w, ho, wo } = poolGeometry('avgPool2d', x, ctx.attrs);
    const dX = g.newZeros(x.shape);
    poolAvg(g.contiguousData(), dX.data(), n * c, h, w, ho, wo, ctx.attrs, true);
    return [dX];
  },
};

/** Forward: out = mean of each window of x. Backward (adjoint): spreads g over the windows into dx. */
function poolAvg(src: TypedArray, dst: TypedArray, planes: number, h: number, w: number, ho: number, wo: number, a: Pool2dAttrs, adjoint: boolean): void {
  const [kh, kw] = a.kernel;
  const [sh, sw] = a.stride;
  const [ph, pw] = a.padding;
  const includePad = a.countIncludePad ?? true;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++, o++) {
        const y0 = oy * sh - ph;
        const x0 = ox * sw - pw;
        const y1 = Math.min(y0 + kh, h + ph);
        const x1 = Math.min(x0 + kw, w + pw);
        const ya = Math.max(y0, 0);
        const xa = Math.max(x0, 0);
        const yb = Math.min(y1, h);
        const xb = Math.min(x1, w);
        const count = includePad ? (y1 - y0) * (x1 - x0) : (yb - ya) * (xb - xa);
        if (adjoint) {
          const gv = src[o]! / count;
          for (let iy = ya; iy < yb; iy++) for (let ix = xa; ix < xb; ix++) dst[base + iy * w + ix]! += gv;
        } else {
          let s = 0;
          for (let iy = ya; iy < yb; iy++) for (let ix = xa; ix < xb; ix++) s += src[base + iy * w + ix]!;
          dst[o] = s / count;
        }
      }
    }
  }
}

/** Options of conv2d: stride, padding (a number, [h, w], 'same' or 'valid'), dilation, groups. */
export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number] | 'same' | 'valid';
  dilation?: number | [number, number];
  groups?: number;
}

/** conv2d's options as a function: a layer's, plus an activation of the result in the same op. */
export interface Conv2dFnOptions extends Conv2dOptions {
  /** relu, tanh or sigmoid of the result, in the same op (its backward from the saved output). */
  activation?: LinearActivation;
}

const pair = (op: string, what: string, v: number | [number, number], min: number): [number, number] => {
  const p: [number, number] = typeof v === 'number' ? [v, v] : v;
  if (p.length !== 2 || p.some((x) => !Number.isInteger(x) || x < min)) {
    throw new ShapeError(`${op}: ${what} as an integer >= ${min} or a pair of them; got ${JSON.stringify(v)}`);
  }
  return p;
};

/** Resolves conv2d options for a kH x kW kernel ('same' pads the extra row/column at the bottom/right, as PyTorch). */
export function conv2dAttrs(kh: number, kw: number, o: Conv2dFnOptions = {}): Conv2dAttrs {
  const stride = pair('conv2d', 'stride', o.stride ?? 1, 1);
  const dilation = pair('conv2d', 'dilation', o.dilation ?? 1, 1);
  const groups = o.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ShapeError(`conv2d: a positive integer groups; got ${groups}`);
  let padding: [number, number, number, number];
  if (o.padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) throw new ShapeError(`conv2d: padding 'same' with stride 1 (as PyTorch); got stride ${stride.join('x')}`);
    const th = dilation[0] * (kh - 1);
    const tw = dilation[1] * (kw - 1);
    padding = [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  } else if (o.padding === 'valid' || o.padding === undefined) {
    padding = [0, 0, 0, 0];
  } else {
    const [ph, pw] = pair('conv2d', 'padding', o.padding, 0);
    padding = [ph, ph, pw, pw];
  }
  if (o.activation !== undefined && !(o.activation in activationDefs)) {
    throw new ValueError(`conv2d: an activation of ${Object.keys(activationDefs).join(', ')}; got ${JSON.stringify(o.activation)}`);
  }
  return o.activation ? { stride, dilation, padding, groups, activation: o.activation } : { stride, dilation, padding, groups };
}

/** Resolves pooling options (stride defaults to the kernel, as PyTorch). */
export function pool2dAttrs(op: string, kernel: number | [number, number], o: { stride?: number | [number, number]; padding?: number | [number, number]; countIncludePad?: boolean } = {}): Pool2dAttrs {
  const k = pair(op, 'kernel size', kernel, 1);
  return { kernel: k, stride: pair(op, 'stride', o.stride ?? k, 1), padding: pair(op, 'padding', o.padding ?? 0, 0), countIncludePad: o.countIncludePad };
}

/** Geometry of a transposed convolution: Ho = (H − 1)·s − pT − pB + d·(k − 1) + outputPadding + 1. */
function transposeGeometry(x: Tensor, wt: Tensor, a: Conv2dAttrs & { outputPadding: [number, number] }): Geometry {
  if (x.ndim !== 4) throw new ShapeError(`convTranspose2d: a 4-d input [N, C, H, W]; got ${fmtShape(x.shape)}`);
  if (wt.ndim !== 4) throw new ShapeError(`convTranspose2d: a 4-d weight [inChannels, outChannels, kH, kW]; got ${fmtShape(wt.shape)}`);
  if (a.groups !== 1) throw new ShapeError(`convTranspose2d: groups 1; got ${a.groups}`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [ci, o, kh, kw] = wt.shape as [number, number, number, number];
  if (c !== ci) throw new ShapeError(`convTranspose2d: an input with ${ci} channels (weight ${fmtShape(wt.shape)}); got ${c} in ${fmtShape(x.shape)}`);
  const [pt, pb, pl, pr] = a.padding;
  const ho = (h - 1) * a.stride[0] - pt - pb + a.dilation[0] * (kh - 1) + a.outputPadding[0] + 1;
  const wo = (w - 1) * a.stride[1] - pl - pr + a.dilation[1] * (kw - 1) + a.outputPadding[1] + 1;
  if (ho < 1 || wo < 1) throw new ShapeError(`convTranspose2d: a positive output size; got ${ho}x${wo} for input ${h}x${w}`);
  // In conv terms the output image is (o, ho, wo) and the input plays the role of the conv output (h, w).
  return { n, c: o, h: ho, w: wo, o: c, cg: o, og: c, kh, kw, ho: h, wo: w, ckk: o * kh * kw };
}

/**
 * convTranspose2d(x [N, inC, H, W], weight [inC, outC, kH, kW], bias? [outC]): the adjoint of conv2d
 * (PyTorch's ConvTranspose2d, groups 1) — each input pixel scatters a weighted kernel into the output.
 */
export const convTranspose2dOp: OpSpec<Conv2dAttrs & { outputPadding: [number, number] }> = {
  name: 'convTranspose2d',
  forward(be, [x, wt, bias], a) {
    const gm = transposeGeometry(x!, wt!, a);
    const { n, c: oc, h: oh, w: ow, o: ic, ckk, ho: ih, wo: iw } = gm;
    if (bias && (bias.ndim !== 1 || bias.shape[0] !== oc)) throw new ShapeError(`convTranspose2d: a bias of shape [${oc}]; got ${fmtShape(bias.shape)}`);
    const dt = x!.dtype === 'float64' || wt!.dtype === 'float64' ? 'float64' : 'float32';
    const xd = x!.contiguousData();
    const wd = wt!.contiguousData();
    const out = be.alloc(dt, n * oc * oh * ow);
    const cols = newFloat(dt, ckk * ih * iw);
    for (let s = 0; s < n; s++) {
      // cols [oc·k·k, H·W] = Wᵀ [oc·k·k, ic] · x_s [ic, H·W], then scattered into the output image.
      matmulInto(be, wd, 0, xd, s * ic * ih * iw, cols, 0, ckk, ih * iw, ic, true, false, ckk, ih * iw, false);
      col2im(cols, oc, oh, ow, gm.kh, gm.kw, a, ih, iw, out, s * oc * oh * ow);
    }
    if (bias) {
      const bd = bias.contiguousData();
      for (let s = 0; s < n; s++) for (let c = 0; c < oc; c++) {
        const base = (s * oc + c) * oh * ow;
        for (let i = 0; i < oh * ow; i++) out[base + i]! += bd[c]!;
      }
    }
    return dense(out, [n, oc, oh, ow], dt);
  },
  backward: (gy, ctx) => {
    const x = ctx.input(0);
    const wt = ctx.input(1);
    const a = ctx.attrs;
    const gm = transposeGeometry(x, wt, a);
    const { n, c: oc, h: oh, w: ow, o: ic, ckk, ho: ih, wo: iw } = gm;
    const be = getBackend();
    const dt = gy.dtype === 'float64' ? 'float64' : 'float32';
    const gd = gy.contiguousData();
    const xd = x.contiguousData();
    const wd = wt.contiguousData();
    const dX = ctx.needs[0] ? gy.newZeros(x.shape) : null;
    const dW = ctx.needs[1] ? gy.newZeros(wt.shape) : null;
    const dB = ctx.needs[2] ? gy.sum([0, 2, 3]) : null;
    const cols = newFloat(dt, ckk * ih * iw);
    for (let s = 0; s < n; s++) {
      im2col(gd, s * oc * oh * ow, oc, oh, ow, gm.kh, gm.kw, a, ih, iw, cols);
      // dX_s [ic, HW] = W [ic, ckk] · cols [ckk, HW]; dW [ic, ckk] += x_s [ic, HW] · colsᵀ [HW, ckk]
      if (dX) matmulInto(be, wd, 0, cols, 0, dX.data(), s * ic * ih * iw, ic, ih * iw, ckk, false, false, ckk, ih * iw, false);
      if (dW) matmulInto(be, xd, s * ic * ih * iw, cols, 0, dW.data(), 0, ic, ckk, ih * iw, false, true, ih * iw, ih * iw, true);
    }
    return [dX, dW, dB];
  },
};

/** Nearest-neighbour upsampling of NCHW images by integer factors. */
export const upsampleNearestOp: OpSpec<{ scale: [number, number] }> = {
  name: 'upsampleNearest',
  forward(be, [x], { scale }) {
    if (x!.ndim !== 4) throw new ShapeError(`upsample: a 4-d input [N, C, H, W]; got ${fmtShape(x!.shape)}`);
    const [n, c, h, w] = x!.shape as [number, number, number, number];
    const [sy, sx] = scale;
    const xd = x!.contiguousData();
    const out = be.alloc(x!.dtype, n * c * h * sy * w * sx);
    const W2 = w * sx;
    for (let p = 0; p < n * c; p++) {
      for (let y = 0; y < h * sy; y++) {
        const src = p * h * w + Math.floor(y / sy) * w;
        const dst = (p * h * sy + y) * W2;
        for (let xx = 0; xx < W2; xx++) out[dst + xx] = xd[src + Math.floor(xx / sx)]!;
      }
    }
    return dense(out, [n, c, h * sy, w * sx], x!.dtype);
  },
  backward: (g, ctx) => {
    const [n, c, h, w] = ctx.input(0).shape as [number, number, number, number];
    const [sy, sx] = ctx.attrs.scale;
    // Each input pixel's gradient is the sum over its sy x sx block.
    return [g.reshape([n, c, h, sy, w, sx]).sum([3, 5])];
  },
};

/**
 * Source indices and weights of bilinear resampling along one axis (PyTorch's align_corners=False):
 * output o reads i0[o] with weight 1 − l1[o] and i1[o] with weight l1[o].
 */
function bilinearAxisWeights(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; l1: Float64Array } {
  const scale = inSize / outSize;
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const l1 = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const s = Math.max(0, (o + 0.5) * scale - 0.5);
    const f = Math.min(Math.floor(s), inSize - 1);
    i0[o] = f;
    i1[o] = f < inSize - 1 ? f + 1 : f;
    l1[o] = s - f;
  }
  return { i0, i1, l1 };
}

/**
 * Bilinear interpolation of NCHW images to `size` [oh, ow] (PyTorch's interpolate(mode='bilinear',
 * align_corners=False)); the backward spreads each output gradient over its four source pixels.
 */
export const interpolateBilinearOp: OpSpec<{ size: [number, number] }> = {
  name: 'interpolateBilinear',
  forward(be, [x], { size }) {
    if (x!.ndim !== 4) throw new ShapeError(`interpolate: a 4-d input [N, C, H, W]; got ${fmtShape(x!.shape)}`);
    if (!isFloat(x!.dtype)) throw new DTypeError(`interpolate: a float input; got ${x!.dtype}`);
    const [n, c, h, w] = x!.shape as [number, number, number, number];
    const [oh, ow] = size;
    if (!Number.isInteger(oh) || !Number.isInteger(ow) || oh < 1 || ow < 1) throw new ShapeError(`interpolate: a positive integer output size; got ${oh}x${ow}`);
    const ys = bilinearAxisWeights(h, oh);
    const xs = bilinearAxisWeights(w, ow);
    const xd = x!.contiguousData();
    const out = be.alloc(x!.dtype, n * c * oh * ow);
    for (let p = 0; p < n * c; p++) {
      const sp = p * h * w;
      const dp = p * oh * ow;
      for (let oy = 0; oy < oh; oy++) {
        const r0 = sp + ys.i0[oy]! * w;
        const r1 = sp + ys.i1[oy]! * w;
        const wy = ys.l1[oy]!;
        for (let ox = 0; ox < ow; ox++) {
          const a = xs.i0[ox]!;
          const b = xs.i1[ox]!;
          const wx = xs.l1[ox]!;
          const top = xd[r0 + a]! * (1 - wx) + xd[r0 + b]! * wx;
          const bottom = xd[r1 + a]! * (1 - wx) + xd[r1 + b]! * wx;
          out[dp + oy * ow + ox] = top * (1 - wy) + bottom * wy;
        }
      }
    }
    return dense(out, [n, c, oh, ow], x!.dtype);
  },
  backward: (g, ctx) => {
    const x = ctx.input(0);
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const [oh, ow] = ctx.attrs.size;
    const ys = bilinearAxisWeights(h, oh);
    const xs = bilinearAxisWeights(w, ow);
    const gd = g.contiguousData();
    const dX = g.newZeros(x.shape);
    const dd = dX.data();
    for (let p = 0; p < n * c; p++) {
      const sp = p * h * w;
      const dp = p * oh * ow;
      for (let oy = 0; oy < oh; oy++) {
        const r0 = sp + ys.i0[oy]! * w;
        const r1 = sp + ys.i1[oy]! * w;
        const wy = ys.l1[oy]!;
        for (let ox = 0; ox < ow; ox++) {
          const a = xs.i0[ox]!;
          const b = xs.i1[ox]!;
          const wx = xs.l1[ox]!;
          const gv = gd[dp + oy * ow + ox]!;
          dd[r0 + a]! += gv * (1 - wy) * (1 - wx);
          dd[r0 + b]! += gv * (1 - wy) * wx;
          dd[r1 + a]! += gv * wy * (1 - wx);
          dd[r1 + b]! += gv * wy * wx;
        }
      }
    }
    return [dX];
  },
};
