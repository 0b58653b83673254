// S4-9 — transfer learning. The seed takes an ImageNet-pretrained ResNet-18, freezes it as a feature
// extractor, puts a new head on it for CIFAR-10, then fine-tunes. With no network here, "pretrained"
// means a network neurona trains and saves itself: a small ResNet (residual blocks with identity and
// projection shortcuts, batch norm, global average pooling) is trained on Fashion-MNIST (the richer
// images, with the seed's kind of augmentation: random horizontal flips) and saved; it is then loaded,
// its 10-garment head replaced by a new 10-digit head, and reused on a few MNIST digits:
//   1. feature extraction: backbone frozen (summary shows its parameters as non-trainable), head trained;
//   2. fine-tuning: everything unfrozen, the backbone with a 10x smaller learning rate (param groups);
//   3. the same network trained from scratch on the same few digits, for comparison.
//
// Run: npx tsx examples/s4-9-transfer-learning.ts [--pretrain-size 12000] [--pretrain-epochs 2]
//        [--target-size 1000] [--epochs 3] [--test-size 2000] [--out out]        (about 2 minutes here)
// Measured (defaults, seed 0, native backend, 2026-12-04; 1 min 48 s in all, pretraining ~30 s an epoch):
//   pretraining on Fashion-MNIST: garments test accuracy: 0.819
//   feature extraction (head only): test accuracy: 0.406          (3 epochs, 650 trainable parameters)
//   fine-tuning (backbone lr 3e-4, head lr 3e-3): test accuracy: 0.694   (3 more epochs)
//   from scratch (same 6 epochs): test accuracy: 0.874
//   test accuracy: 0.694
// As in the seed, fine-tuning lifts what the frozen features give. Unlike the seed's ImageNet features,
// garment features from 2 short epochs are a poor start for digits, and with the backbone's small
// learning rate the fine-tuned network ends below one trained from scratch for as long (an earlier
// MNIST->Fashion version: digits 0.922, head only 0.426, fine-tuned 0.663, from scratch 0.732). The
// output ends with `test accuracy:` of the fine-tuned network on the MNIST test images.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { manualSeed, noGrad } from '../src/index.ts';
import type { Tensor } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { Adam } from '../src/optim/index.ts';
import { DataLoader, TensorDataset, TransformDataset, compose, randomHorizontalFlip } from '../src/data/index.ts';
import type { Dataset } from '../src/data/index.ts';
import { summary } from '../src/model/index.ts';
import { loadFashionMnistSync, loadMnistSync, loadStateDictFile, saveStateDictFile } from '../src/node/index.ts';

const arg = (name: string, d: number | string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? String(d) : String(d);
};
const pretrainSize = Number(arg('pretrain-size', 12000));
const pretrainEpochs = Number(arg('pretrain-epochs', 2));
const targetSize = Number(arg('target-size', 1000));
const epochs = Number(arg('epochs', 3));
const testSize = Number(arg('test-size', 2000));
const outDir = arg('out', 'out');

/** The small ResNet: a 3x3 stem, three residual stages (16, 32, 64 channels; strides 1, 2, 2), global average pooling, a linear head. */
class SmallResNet extends nn.Module {
  stem = new nn.Sequential(new nn.Conv2d(1, 16, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(16), new nn.ReLU());
  stage1 = new nn.ResidualBlock(16, 16);
  stage2 = new nn.ResidualBlock(16, 32, 2);
  stage3 = new nn.ResidualBlock(32, 64, 2);
  pool = new nn.Sequential(new nn.AdaptiveAvgPool2d(1), new nn.Flatten());
  head: nn.Module = new nn.Linear(64, 10);
  forward(x: Tensor): Tensor {
    return this.head.forward(this.pool.forward(this.stage3.forward(this.stage2.forward(this.stage1.forward(this.stem.forward(x))))));
  }
}

function accuracy(model: nn.Module, x: Tensor, y: Tensor): number {
  model.eval();
  const correct = noGrad(() => {
    let c = 0;
    for (let i = 0; i < x.shape[0]!; i += 500) {
      const n = Math.min(500, x.shape[0]! - i);
      c += model.forward(x.narrow(0, i, n)).argmax(1).eq(y.narrow(0, i, n)).sum().item();
    }
    return c;
  });
  model.train();
  return correct / x.shape[0]!;
}

function train(model: nn.Module, opt: Adam, data: Dataset<Tensor[]>, nEpochs: number, label: string): void {
  model.train();
  for (let e = 1; e <= nEpochs; e++) {
    const t0 = performance.now();
    let total = 0;
    let count = 0;
    for (const [xb, yb] of new DataLoader(data, { batchSize: 64, shuffle: true })) {
      const loss = nn.crossEntropy(model.forward(xb!), yb!);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      total += loss.item() * xb!.shape[0]!;
      count += xb!.shape[0]!;
    }
    console.log(`  ${label} epoch ${e}: loss ${(total / count).toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
}

manualSeed(0);
const image = (t: Tensor): Tensor => t.reshape([-1, 1, 28, 28]);

// ---- 1. pretraining on Fashion-MNIST (with flips), saved as a state-dict file ----------------------
const fashion = loadFashionMnistSync({ trainSize: pretrainSize, testSize });
const pretrained = new SmallResNet();
console.log(`pretraining a small ResNet on ${pretrainSize} Fashion-MNIST images, ${pretrainEpochs} epochs`);
const fashionData = new TransformDataset(new TensorDataset(image(fashion.train.images), fashion.train.labels), compose([randomHorizontalFlip()]));
train(pretrained, new Adam(pretrained.parameters(), { lr: 1e-3 }), fashionData, pretrainEpochs, 'pretrain');
console.log(`pretraining on Fashion-MNIST: garments test accuracy: ${accuracy(pretrained, image(fashion.test.images), fashion.test.labels).toFixed(3)}`);
mkdirSync(outDir, { recursive: true });
const weights = join(outDir, 's4-9-resnet-fashion.safetensors');
saveStateDictFile(pretrained, weights);
console.log(`saved ${weights}`);

// ---- 2. a few MNIST digits (no flips: a flipped 2 is no 2) -----------------------------------------
const digits = loadMnistSync({ trainSize: targetSize, testSize });
const dx = image(digits.train.images);
const dy = digits.train.labels;
const dxTest = image(digits.test.images);
const dyTest = digits.test.labels;
const digitData = new TensorDataset(dx, dy);

/** The pretrained network loaded from its file, with a new (randomly initialised) head for the 10 digits. */
function loadPretrained(): SmallResNet {
  const m = new SmallResNet();
  loadStateDictFile(m, weights);
  m.head = new nn.Linear(64, 10);
  return m;
}

// feature extraction: the backbone frozen, only the new head learns
const transfer = loadPretrained();
transfer.freeze();
transfer.unfreeze(/^head\./);
console.log(summary(transfer, { inputShape: [[1, 28, 28]], name: 'small_resnet (backbone frozen)' }));
train(transfer, new Adam(transfer.parameters().filter((p) => p.requiresGrad), { lr: 1e-2 }), digitData, epochs, 'head only');
const accHead = accuracy(transfer, dxTest, dyTest);
console.log(`feature extraction (head only): test accuracy: ${accHead.toFixed(3)}`);

// fine-tuning: everything trainable, the backbone 10x slower than the head
transfer.unfreeze();
const backbone = transfer.namedParameters().filter(([n]) => !n.startsWith('head.')).map(([, p]) => p);
const fineTune = new Adam([{ params: backbone, lr: 3e-4 }, { params: transfer.head.parameters(), lr: 3e-3 }]);
train(transfer, fineTune, digitData, epochs, 'fine-tune');
const accFine = accuracy(transfer, dxTest, dyTest);
console.log(`fine-tuning (backbone lr 3e-4, head lr 3e-3): test accuracy: ${accFine.toFixed(3)}`);

// ---- 3. the same network from scratch on the same digits, for as many epochs in all ---------------
manualSeed(1);
const scratch = new SmallResNet();
train(scratch, new Adam(scratch.parameters(), { lr: 1e-3 }), digitData, 2 * epochs, 'scratch');
const accScratch = accuracy(scratch, dxTest, dyTest);
console.log(`from scratch (same ${2 * epochs} epochs): test accuracy: ${accScratch.toFixed(3)}`);
console.log(`test accuracy: ${accFine.toFixed(3)}`);
