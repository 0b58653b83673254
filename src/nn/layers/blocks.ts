// Building blocks of the architectures seed S4-9 describes: residual (ResNet), VGG 3x3 stacks,
// Inception (parallel branches concatenated) and depthwise-separable convolutions (Xception).
import { ValueError } from '../../core/index.ts';
import { Tensor, concat } from '../../tensor/index.ts';
import { Module } from '../module.ts';
import { Sequential } from './container.ts';
import { Conv2d, MaxPool2d } from './conv.ts';
import { BatchNorm2d } from './normalization.ts';
import { ReLU } from './activation.ts';
import { Identity } from './linear.ts';

/**
 * ResNet's basic block: relu(bn(conv3x3(relu(bn(conv3x3(x))))) + shortcut(x)). The shortcut is the
 * identity when shapes match, else a projection (1x1 conv with the stride, + batch norm).
 * Shape: [N, inC, H, W] -> [N, outC, H/stride, W/stride].
 */
export class ResidualBlock extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  shortcut: Module;
  constructor(readonly inChannels: number, readonly outChannels: number, readonly stride = 1) {
    super();
    this.conv1 = new Conv2d(inChannels, outChannels, 3, { stride, padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(outChannels);
    this.conv2 = new Conv2d(outChannels, outChannels, 3, { padding: 1, bias: false });
    this.bn2 = new BatchNorm2d(outChannels);
    this.shortcut = stride === 1 && inChannels === outChannels
      ? new Identity()
      : new Sequential(new Conv2d(inChannels, outChannels, 1, { stride, bias: false }), new BatchNorm2d(outChannels));
  }
  forward(x: Tensor): Tensor {
    const y = this.bn2.forward(this.conv2.forward(this.bn1.forward(this.conv1.forward(x)).relu()));
    return y.add(this.shortcut.forward(x)).relu();
  }
}

/** VGG's stack: `convs` 3x3 convolutions (padding 1) with ReLU, then 2x2 max pooling. */
export function vggBlock(inChannels: number, outChannels: number, convs = 2): Sequential {
  if (!Number.isInteger(convs) || convs < 1) throw new ValueError(`vggBlock: at least one convolution; got ${convs}`);
  const layers: Module[] = [];
  for (let i = 0; i < convs; i++) layers.push(new Conv2d(i === 0 ? inChannels : outChannels, outChannels, 3, { padding: 1 }), new ReLU());
  layers.push(new MaxPool2d(2));
  return new Sequential(...layers);
}

/**
 * An Inception block: parallel branches on the same input — 1x1; 1x1 then 3x3; 1x1 then 5x5; 3x3 max
 * pool then 1x1 — each with ReLU, concatenated along channels. Shape: [N, C, H, W] -> [N, c1+c3+c5+cp, H, W].
 */
export class InceptionBlock extends Module {
  branch1: Sequential;
  branch3: Sequential;
  branch5: Sequential;
  branchPool: Sequential;
  constructor(inChannels: number, o: { c1: number; c3reduce: number; c3: number; c5reduce: number; c5: number; pool: number }) {
    super();
    this.branch1 = new Sequential(new Conv2d(inChannels, o.c1, 1), new ReLU());
    this.branch3 = new Sequential(new Conv2d(inChannels, o.c3reduce, 1), new ReLU(), new Conv2d(o.c3reduce, o.c3, 3, { padding: 1 }), new ReLU());
    this.branch5 = new Sequential(new Conv2d(inChannels, o.c5reduce, 1), new ReLU(), new Conv2d(o.c5reduce, o.c5, 5, { padding: 2 }), new ReLU());
    this.branchPool = new Sequential(new MaxPool2d(3, { stride: 1, padding: 1 }), new Conv2d(inChannels, o.pool, 1), new ReLU());
  }
  forward(x: Tensor): Tensor {
    return concat([this.branch1.forward(x), this.branch3.forward(x), this.branch5.forward(x), this.branchPool.forward(x)], 1);
  }
}

/**
 * Depthwise-separable convolution (Xception, MobileNet): a depthwise kxk convolution (groups = inChannels)
 * then a pointwise 1x1 convolution. Far fewer weights than a full kxk convolution: C·k² + C·O vs C·O·k².
 */
export class SeparableConv2d extends Module {
  depthwise: Conv2d;
  pointwise: Conv2d;
  constructor(inChannels: number, outChannels: number, kernelSize = 3, o: { stride?: number; padding?: number | 'same' } = {}) {
    super();
    this.depthwise = new Conv2d(inChannels, inChannels, kernelSize, { groups: inChannels, stride: o.stride, padding: o.padding ?? 'same', bias: false });
    this.pointwise = new Conv2d(inChannels, outChannels, 1);
  }
  forward(x: Tensor): Tensor {
    return this.pointwise.forward(this.depthwise.forward(x));
  }
}

/** An Xception-style block: two ReLU + separable conv + batch norm, with a residual (projected when needed). */
export class XceptionBlock extends Module {
  sep1: SeparableConv2d;
  bn1: BatchNorm2d;
  sep2: SeparableConv2d;
  bn2: BatchNorm2d;
  shortcut: Module;
  constructor(inChannels: number, outChannels: number) {
    super();
    this.sep1 = new SeparableConv2d(inChannels, outChannels);
    this.bn1 = new BatchNorm2d(outChannels);
    this.sep2 = new SeparableConv2d(outChannels, outChannels);
    this.bn2 = new BatchNorm2d(outChannels);
    this.shortcut = inChannels === outChannels ? new Identity() : new Conv2d(inChannels, outChannels, 1, { bias: false });
  }
  forward(x: Tensor): Tensor {
    const y = this.bn2.forward(this.sep2.forward(this.bn1.forward(this.sep1.forward(x.relu())).relu()));
    return y.add(this.shortcut.forward(x));
  }
}
