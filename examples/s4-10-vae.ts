// S4-10 — the seed's variational autoencoder on MNIST: encoder 784-400 (ReLU) to two heads of 20
// (mean and log-variance), z = mu + exp(logVar/2)·eps (the reparametrisation trick, nn.reparameterize),
// decoder 20-400 (ReLU)-784 (sigmoid); loss BCE + closed-form Gaussian KL (nn.vaeLoss), trained as the
// seed does with the total divided by batch·784 ('mean'); Adam 1e-3, batch 128. As in the seed, the
// model in eval mode decodes z = mu. Per epoch it prints the training loss and the test loss per image
// (BCE summed over the 784 pixels + KL, z = mu), and saves three grids: test images above their
// reconstructions, 64 digits decoded from z ~ N(0, I), and walks in latent space between pairs of test
// digits (one row per pair, the two ends being the decoded means of the two images).
//
// Run: npx tsx examples/s4-10-vae.ts [--epochs 5] [--train-size 60000] [--batch-size 128] [--seed 0] [--out out]
// Measured (seed 0, 5 epochs on 60,000 images, native backend, one thread, 15-22 s per epoch, 90 s in all):
//   epoch | train loss (seed's scale) | test loss per image (bce + kl)
//       1 | 0.20918                   | 119.17 (98.76 + 20.42)
//       2 | 0.15512                   | 107.48 (84.24 + 23.23)
//       3 | 0.14632                   | 103.64 (79.36 + 24.29)
//       4 | 0.14249                   | 101.32 (76.75 + 24.57)
//       5 | 0.14025                   |  99.84 (75.15 + 24.69)
// so the test loss falls every epoch; `test loss: 99.84`.
import { concat, linspace, manualSeed, noGrad, randn } from '../src/index.ts';
import type { DType, Tensor } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { Adam } from '../src/optim/index.ts';
import { DataLoader, TensorDataset } from '../src/data/index.ts';
import { loadMnistSync, saveImageGrid } from '../src/node/index.ts';
import { interleaveRows } from './s4-10-autoencoder.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The seed's VAE (sizes as options so a tiny float64 copy can be gradient-checked). */
export class VAE extends nn.Module {
  fc1: nn.Linear;
  fc21: nn.Linear;
  fc22: nn.Linear;
  fc3: nn.Linear;
  fc4: nn.Linear;
  constructor(readonly inputDim = 784, hidden = 400, readonly latent = 20, dtype: DType = 'float32') {
    super();
    this.fc1 = new nn.Linear(inputDim, hidden, { dtype });
    this.fc21 = new nn.Linear(hidden, latent, { dtype });
    this.fc22 = new nn.Linear(hidden, latent, { dtype });
    this.fc3 = new nn.Linear(latent, hidden, { dtype });
    this.fc4 = new nn.Linear(hidden, inputDim, { dtype });
  }
  /** The posterior's mean and log-variance for x [N, inputDim]. */
  encode(x: Tensor): { mu: Tensor; logVar: Tensor } {
    const h = this.fc1.forward(x).relu();
    return { mu: this.fc21.forward(h), logVar: this.fc22.forward(h) };
  }
  /** Pixel probabilities [N, inputDim] for codes z [N, latent]. */
  decode(z: Tensor): Tensor {
    return this.fc4.forward(this.fc3.forward(z).relu()).sigmoid();
  }
  /** Reconstruction, mean and log-variance; z is sampled in training and is the mean in eval mode (as the seed). */
  run(x: Tensor): { recon: Tensor; mu: Tensor; logVar: Tensor } {
    const { mu, logVar } = this.encode(x);
    const z = this.training ? nn.reparameterize(mu, logVar) : mu;
    return { recon: this.decode(z), mu, logVar };
  }
  forward(x: Tensor): Tensor {
    return this.run(x).recon;
  }
}

/** Options of {@link trainVae}. */
export interface VaeOptions {
  epochs?: number;
  trainSize?: number;
  testSize?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  log?: (line: string) => void;
}

/** Per-epoch figures of a run: training loss (the seed's per-element scale) and test loss per image. */
export interface VaeResult {
  model: VAE;
  trainLoss: number[];
  testLoss: number[];
  testBce: number[];
  testKl: number[];
  seconds: number[];
  test: { images: Tensor; labels: Tensor };
}

/** The test loss per image (BCE summed over pixels + KL) and its two terms, with z = mu. */
export function vaeTestLoss(model: VAE, images: Tensor, batchSize = 1000): { loss: number; bce: number; kl: number } {
  const wasTraining = model.training;
  model.eval();
  const r = noGrad(() => {
    let bce = 0;
    let kl = 0;
    for (let i = 0; i < images.shape[0]!; i += batchSize) {
      const x = images.narrow(0, i, Math.min(batchSize, images.shape[0]! - i));
      const { recon, mu, logVar } = model.run(x);
      bce += nn.bceLoss(recon, x, 'sum').item();
      kl += nn.gaussianKl(mu, logVar, 'sum').item();
    }
    const n = images.shape[0]!;
    return { loss: (bce + kl) / n, bce: bce / n, kl: kl / n };
  });
  model.train(wasTraining);
  return r;
}

/** Trains the seed's VAE on MNIST and measures the test loss after each epoch. */
export function trainVae(opts: VaeOptions = {}): VaeResult {
  const { epochs = 5, trainSize = 60000, testSize = 10000, batchSize = 128, lr = 1e-3, seed = 0, log = console.log } = opts;
  manualSeed(seed);
  const { train, test } = loadMnistSync({ trainSize, testSize });
  const model = new VAE();
  const opt = new Adam(model.parameters(), { lr });
  const res: VaeResult = { model, trainLoss: [], testLoss: [], testBce: [], testKl: [], seconds: [], test };
  for (let e = 1; e <= epochs; e++) {
    const t0 = performance.now();
    model.train();
    let sum = 0;
    let batches = 0;
    for (const [xb] of new DataLoader(new TensorDataset(train.images), { batchSize, shuffle: true })) {
      const { recon, mu, logVar } = model.run(xb!);
      const loss = nn.vaeLoss(recon, xb!, mu, logVar, { reduction: 'mean' });
      opt.zeroGrad();
      loss.backward();
      opt.step();
      sum += loss.item();
      batches++;
    }
    const t = vaeTestLoss(model, test.images);
    res.trainLoss.push(sum / batches);
    res.testLoss.push(t.loss);
    res.testBce.push(t.bce);
    res.testKl.push(t.kl);
    res.seconds.push((performance.now() - t0) / 1000);
    log(
      `epoch ${e}/${epochs}  train loss ${res.trainLoss.at(-1)!.toFixed(5)}  ` +
        `test loss per image ${t.loss.toFixed(2)} (bce ${t.bce.toFixed(2)} + kl ${t.kl.toFixed(2)})  (${res.seconds.at(-1)!.toFixed(1)} s)`,
    );
  }
  return res;
}

/** Decodes `steps` points on the segment between the latent means of images a and b (rows of [steps, 784]). */
export function latentWalk(model: VAE, a: Tensor, b: Tensor, steps = 10): Tensor {
  model.eval();
  return noGrad(() => {
    const { mu } = model.encode(concat([a.reshape([1, -1]), b.reshape([1, -1])], 0));
    const t = linspace(0, 1, steps).reshape([steps, 1]);
    const za = mu.narrow(0, 0, 1);
    const zb = mu.narrow(0, 1, 1);
    return model.decode(za.mul(t.neg().add(1)).add(zb.mul(t)));
  });
}

function firstOf(labels: Tensor, digit: number, skip = 0): number {
  const d = labels.contiguousData();
  for (let i = 0, seen = 0; i < d.length; i++) if (d[i] === digit && seen++ === skip) return i;
  throw new Error(`no test image of digit ${digit}`);
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

function main(): void {
  const epochs = Number(arg('epochs', '5'));
  const trainSize = Number(arg('train-size', '60000'));
  const outDir = arg('out', 'out');
  console.log(`S4-10 VAE 784-400-(20, 20)-400-784, BCE + KL, Adam 1e-3, ${epochs} epoch(s) on ${trainSize} images`);
  const t0 = performance.now();
  const r = trainVae({ epochs, trainSize, batchSize: Number(arg('batch-size', '128')), seed: Number(arg('seed', '0')) });
  const { model, test } = r;
  model.eval();
  mkdirSync(outDir, { recursive: true });

  const x = test.images.narrow(0, 0, 32);
  const recon = noGrad(() => model.forward(x));
  const pRecon = join(outDir, 's4-10-vae-reconstructions.png');
  saveImageGrid(pRecon, interleaveRows([x, recon], 16, 2), { cols: 16, scale: 2 });
  console.log(`saved ${pRecon} (rows 1 and 3: test images; rows 2 and 4: their reconstructions)`);

  const samples = noGrad(() => model.decode(randn([64, model.latent])));
  const pSamples = join(outDir, 's4-10-vae-samples.png');
  saveImageGrid(pSamples, samples, { cols: 8, scale: 2 });
  console.log(`saved ${pSamples} (64 digits decoded from z ~ N(0, I))`);

  const pairs: [number, number][] = [[1, 7], [3, 8], [4, 9], [0, 6], [2, 5]];
  const walks = pairs.map(([a, b]) => latentWalk(model, test.images.narrow(0, firstOf(test.labels, a), 1), test.images.narrow(0, firstOf(test.labels, b), 1), 10));
  const pWalk = join(outDir, 's4-10-vae-latent-walk.png');
  saveImageGrid(pWalk, concat(walks, 0), { cols: 10, scale: 2 });
  console.log(`saved ${pWalk} (latent walks ${pairs.map(([a, b]) => `${a}->${b}`).join(', ')}, one per row)`);

  const falls = r.testLoss.every((v, i) => i === 0 || v < r.testLoss[i - 1]!);
  console.log(`test loss falls every epoch: ${falls ? 'yes' : 'no'}`);
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`test loss: ${r.testLoss.at(-1)!.toFixed(2)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
