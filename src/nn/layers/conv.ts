// Convolution and pooling layers over NCHW images (PyTorch's conventions and default init).
import { ShapeError, ValueError, fmtShape } from '../../core/index.ts';
import { Tensor, avgPool2d, conv2d, convTranspose2d, interpolateBilinear, maxPool2d, upsampleNearest, zeros } from '../../tensor/index.ts';
import { dropoutMask } from '../functional.ts';
import type { DType } from '../../core/index.ts';
import type { Conv2dOptions, LinearActivation } from '../../ops/index.ts';
import { Module } from '../module.ts';
import { Parameter } from '../parameter.ts';
import { kaimingUniform_, uniform_ } from '../init.ts';

export interface Conv2dLayerOptions extends Conv2dOptions {
  bias?: boolean;
  dtype?: DType;
}

/**
 * 2-D convolution. Output size per dim: floor((w + 2p − d·(k − 1) − 1) / s) + 1 — the seed's
 * (w + 2p − f)/s + 1 for dilation 1. `groups = inChannels` gives a depthwise convolution.
 *
 * Shape: [N, inChannels, H, W] -> [N, outChannels, Ho, Wo]. Default init (PyTorch): weight
 * kaiming_uniform(a = √5), i.e. U(±1/√fanIn), bias U(±1/√fanIn), fanIn = inChannels/groups·kH·kW.
 */
export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null = null;
  readonly kernelSize: [number, number];
  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | [number, number], readonly opts: Conv2dLayerOptions = {}) {
    super();
    const groups = opts.groups ?? 1;
    const k: [number, number] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    for (const [what, v] of [['inChannels', inChannels], ['outChannels', outChannels], ['kernel height', k[0]], ['kernel width', k[1]]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ValueError(`Conv2d: a positive integer ${what}; got ${v}`);
    }
    if (inChannels % groups || outChannels % groups) {
      throw new ValueError(`Conv2d: in and out channels divisible by groups (${groups}); got ${inChannels} and ${outChannels}`);
    }
    this.kernelSize = k;
    const dtype = opts.dtype ?? 'float32';
    this.weight = new Parameter(zeros([outChannels, inChannels / groups, k[0], k[1]], { dtype }));
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (opts.bias !== false) {
      const bound = 1 / Math.sqrt((inChannels / groups) * k[0] * k[1]);
      this.bias = new Parameter(zeros([outChannels], { dtype }));
      uniform_(this.bias, -bound, bound);
    }
  }
  forward(x: Tensor): Tensor {
    return this.forwardActivation(x);
  }

  /**
   * forward, with the activation applied inside the same op when asked (nn.Sequential's Conv2d + ReLU,
   * Tanh or Sigmoid; Keras' conv2d with activation 'relu', 'tanh' or 'sigmoid').
   */
  forwardActivation(x: Tensor, activation?: LinearActivation): Tensor {
    if (x.ndim === 4 && x.shape[1] !== this.inChannels) {
      throw new ShapeError(`Conv2d: an input with ${this.inChannels} channels in dim 1; got ${fmtShape(x.shape)}`);
    }
    return conv2d(x, this.weight, this.bias, activation ? { ...this.opts, activation } : this.opts);
  }
  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize.join('x')}${this.opts.stride ? `, stride=${this.opts.stride}` : ''}${this.opts.padding ? `, padding=${this.opts.padding}` : ''}${this.opts.groups ? `, groups=${this.opts.groups}` : ''}`;
  }
}

/** Max pooling. Shape: [N, C, H, W] -> [N, C, Ho, Wo]; stride defaults to the kernel size. */
export class MaxPool2d extends Module {
  constructor(readonly kernelSize: number | [number, number], readonly opts: { stride?: number | [number, number]; padding?: number | [number, number] } = {}) {
    super();
  }
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.opts);
  }
  override extraRepr(): string {
    return `kernelSize=${this.kernelSize}`;
  }
}

/** Average pooling (padding counted in the divisor, as PyTorch). Shape: [N, C, H, W] -> [N, C, Ho, Wo]. */
export class AvgPool2d extends Module {
  constructor(readonly kernelSize: number | [number, number], readonly opts: { stride?: number | [number, number]; padding?: number | [number, number]; countIncludePad?: boolean } = {}) {
    super();
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.opts);
  }
  override extraRepr(): string {
    return `kernelSize=${this.kernelSize}`;
  }
}

/** Adaptive average pooling to 1x1 (global average pooling). Shape: [N, C, H, W] -> [N, C, 1, 1]. */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | [number, number] = 1) {
    super();
    const o = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
    if (o[0] !== 1 || o[1] !== 1) throw new ValueError(`AdaptiveAvgPool2d: output size 1 (global average pooling); got ${JSON.stringify(outputSize)}`);
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4) throw new ShapeError(`AdaptiveAvgPool2d: a 4-d input [N, C, H, W]; got ${fmtShape(x.shape)}`);
    return x.mean([2, 3], true);
  }
}

/**
 * Transposed convolution (PyTorch's ConvTranspose2d, groups 1): upsamples, e.g. kernel 4, stride 2,
 * padding 1 doubles H and W. Weight [inChannels, outChannels, kH, kW]; init as PyTorch (U(±1/√fanIn),
 * fanIn = outChannels·kH·kW from the weight's second dim). Shape: [N, inC, H, W] -> [N, outC, Ho, Wo].
 */
export class ConvTranspose2d extends Module {
  weight: Parameter;
  bias: Parameter | null = null;
  readonly kernelSize: [number, number];
  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | [number, number], readonly opts: { stride?: number | [number, number]; padding?: number | [number, number]; outputPadding?: number | [number, number]; dilation?: number | [number, number]; bias?: boolean; dtype?: DType } = {}) {
    super();
    const k: [number, number] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    this.kernelSize = k;
    const dtype = opts.dtype ?? 'float32';
    this.weight = new Parameter(zeros([inChannels, outChannels, k[0], k[1]], { dtype }));
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (opts.bias !== false) {
      const bound = 1 / Math.sqrt(outChannels * k[0] * k[1]);
      this.bias = new Parameter(zeros([outChannels], { dtype }));
      uniform_(this.bias, -bound, bound);
    }
  }
  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, this.opts);
  }
  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize.join('x')}`;
  }
}

/** Upsampling by a scale factor, nearest-neighbour (integer factors) or bilinear (align_corners=False, as PyTorch's nn.Upsample). Shape: [N, C, H, W] -> [N, C, ⌊H·s⌋, ⌊W·s⌋]. */
export class Upsample extends Module {
  readonly mode: 'nearest' | 'bilinear';
  constructor(readonly scaleFactor: number | [number, number] = 2, opts: { mode?: 'nearest' | 'bilinear' } = {}) {
    super();
    this.mode = opts.mode ?? 'nearest';
    if (this.mode !== 'nearest' && this.mode !== 'bilinear') throw new ValueError(`Upsample: mode 'nearest' or 'bilinear'; got '${String(this.mode)}'`);
  }
  forward(x: Tensor): Tensor {
    if (this.mode === 'nearest') return upsampleNearest(x, this.scaleFactor);
    if (x.ndim !== 4) throw new ShapeError(`Upsample: a 4-d input [N, C, H, W]; got ${fmtShape(x.shape)}`);
    const [sy, sx] = typeof this.scaleFactor === 'number' ? [this.scaleFactor, this.scaleFactor] : this.scaleFactor;
    return interpolateBilinear(x, [Math.floor(x.shape[2]! * sy), Math.floor(x.shape[3]! * sx)]);
  }
  override extraRepr(): string {
    return `scaleFactor=${String(this.scaleFactor)}, mode=${this.mode}`;
  }
}

/** Zeroes whole channels with probability p in training (scaling the rest by 1/(1−p)). Shape: [N, C, H, W] -> same. */
export class Dropout2d extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError(`Dropout2d: a probability p in [0, 1]; got ${p}`);
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    if (x.ndim !== 4) throw new ShapeError(`Dropout2d: a 4-d input [N, C, H, W]; got ${fmtShape(x.shape)}`);
    const [n, c] = x.shape as [number, number];
    const mask = dropoutMask(n * c, this.p);
    return x.mul(Tensor.fromData(mask, [n, c, 1, 1], 'float64').cast(x.dtype));
  }
}

/**
 * 1-D convolution over [N, C, L] sequences, computed as a 2-D convolution of height 1 (the same
 * kernels and gradients). Shape: [N, inC, L] -> [N, outC, Lo], Lo = floor((L + 2p − d·(k − 1) − 1)/s) + 1.
 * Default init as Conv2d (U(±1/√fanIn), fanIn = inC/groups·k).
 */
export class Conv1d extends Module {
  weight: Parameter;
  bias: Parameter | null = null;
  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, readonly opts: { stride?: number; padding?: number | 'same' | 'valid'; dilation?: number; groups?: number; bias?: boolean; dtype?: DType } = {}) {
    super();
    const inner = new Conv2d(inChannels, outChannels, [1, kernelSize], { groups: opts.groups, bias: opts.bias, dtype: opts.dtype });
    this.weight = new Parameter(inner.weight.reshape([outChannels, inChannels / (opts.groups ?? 1), kernelSize]));
    this.bias = inner.bias;
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 3) throw new ShapeError(`Conv1d: a 3-d input [N, C, L]; got ${fmtShape(x.shape)}`);
    if (x.shape[1] !== this.inChannels) throw new ShapeError(`Conv1d: an input with ${this.inChannels} channels in dim 1; got ${fmtShape(x.shape)}`);
    const p = this.opts.padding;
    const padding: Conv2dOptions['padding'] = p === 'same' || p === 'valid' ? p : [0, p ?? 0];
    const y = conv2d(x.unsqueeze(2), this.weight.unsqueeze(2), this.bias, {
      stride: [1, this.opts.stride ?? 1], dilation: [1, this.opts.dilation ?? 1], padding, groups: this.opts.groups,
    });
    return y.squeeze(2);
  }
  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}`;
  }
}
