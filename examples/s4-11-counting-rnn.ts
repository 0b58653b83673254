// S4-11 — the notebook's RNN from scratch: count the ones of a binary sequence with a linear recurrence
//   s_t = s_{t-1}·W + x_t·U,   s_0 = 0,   output s_n,   loss (s_n − y)²  (y = number of ones)
// written by hand with neurona tensors (float64, as numpy): forward_step over a batch, backward_step
// accumulating dU and dW backwards through time (not autograd), plain gradient descent.
//
// Run: npx tsx examples/s4-11-counting-rnn.ts                                          (about 2 s)
// Prints the loss curves as text (loss, U, W and the gradient norm every 10-1,000 epochs) and plots them
// (out/s4-11-rnn-loss.png, out/s4-11-rnn-weights.png; `--out DIR` elsewhere). Expected:
// 0. The hand BPTT gradient against autograd on the same forward (notebook sequence at (U, W) = (-2, 1)):
//    hand dU=-96 dW=864, autograd dU=-96 dW=864 (difference 0).
// 1. The notebook's run: its length-10 sequence [0 0 1 0 1 1 0 1 0 0] (y = 4: what numpy's
//    np.random.binomial gives after np.random.seed(6202), copied here so that this run is the notebook's
//    own), lr 0.0005, 150 epochs from (-2, 1). Loss 144 -> 18.5 (epoch 15) -> 16.02; final
//    (U, W) = (-1.9176, 0.0376), the numbers the notebook's numpy code prints. It does NOT learn
//    U = W = 1: one sequence is fitted by a whole curve of (U, W), and from (-2, 1) the W-gradient is
//    ~10x the U-gradient, so W collapses towards 0, where the output is x_10·U = 0 and U gets almost no
//    gradient: a plateau at loss ≈ y² = 16.
// 2. Learning U = W = 1: the same forward/backward over a batch of 16 random length-10 sequences
//    (neurona's manualSeed(6202) and rand < 0.7, so not numpy's draws), which only U = W = 1 fits
//    all at once; same start (-2, 1) and lr, the loss averaged over the batch (the notebook sums; the
//    same for one sequence). The valley is badly conditioned, so it takes thousands of epochs:
//    loss 500.6 -> 0.41 (epoch 1,000) -> 0.0062 (6,000) -> 8.3e-6; within 0.1 of (1, 1) at epoch 6,094;
//    after 12,000 epochs (U, W) = (1.0037, 0.9992). Those weights count the 40-element sequence below:
//    11.86 (y = 12), and 11.87 shifted by one step. (Plain gradient descent here is fragile: other
//    draws of 16-64 sequences take 1,700-9,200 epochs, and a few diverge or stall at lr 0.0005.)
// 3. Exploding gradients: the notebook's 40-element sequence (y = 12) from (-2, 0), lr 0.0005,
//    150 epochs, exactly as the notebook (no randomness). The loss falls 144 -> 37.93 at epoch 23
//    (U=-2.1002, W=-0.8751), then W steps past -1 and |W|^40 takes over: epoch 24 loss 1.74e5 (W=-1.1231,
//    gradient norm 9.3e6), epoch 25 loss 3.7e260, epoch 26 inf (gradient NaN), NaN from epoch 27 on
//    (0-based epochs; the notebook: "se disparan en la epoca 23").
// 4. The same long run with the (dU, dW) vector clipped to norm 1, lr 0.01 (a clipped step moves at
//    most lr·1; with lr 0.0005 W would move only 0.075 in 150 epochs): finite all the way, loss
//    144 -> 28.1 (epoch 90) -> 0.113 (epoch 100); final (U, W) = (-2.1032, -0.9536), loss 0.113 (it
//    oscillates across the narrow valley, 0.11-1.2). Clipping stops the explosion but does not learn
//    U = W = 1: from (-2, 0) the descent goes to a minimum that fits this one sequence with an
//    alternating sign (every 1 sits an odd number of steps before the end), 12.34 for it but -12.94
//    for the same sequence shifted by one step. Plain gradient descent on the scalar RNN did not find
//    U = W = 1 on length-40 sequences here (batches of them, clipped or not, lr 1e-5..0.05); the LSTM
//    of examples/s4-11-counting-lstm.ts learns the counting.
import { Tensor, noGrad, manualSeed, rand, tensor, zeros } from '../src/index.ts';
import { hconcat, linePlot } from '../src/plot/index.ts';
import type { PlotSpec } from '../src/plot/index.ts';
import { writePlot } from './plot-out.ts';

/** The notebook's length-10 sequence: numpy's np.random.binomial(1, 0.7, [1, 10]) after np.random.seed(6202). */
export const NOTEBOOK_SHORT = [0, 0, 1, 0, 1, 1, 0, 1, 0, 0];
/** The notebook's 40-element sequence (12 ones), given literally there with y = 12. */
export const NOTEBOOK_LONG = [
  0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0,
  0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0,
];

const f64 = { dtype: 'float64' } as const;

/** Sequences as a float64 [B, n] tensor and their counts of ones [B]. */
export function batchOf(seqs: number[][]): { x: Tensor; y: Tensor } {
  const x = tensor(seqs, f64);
  return { x, y: x.sum(1) };
}

/** B random binary sequences of length n, each element 1 with probability p (neurona's generator). */
export function randomSequences(batch: number, n: number, p = 0.7): { x: Tensor; y: Tensor } {
  const x = rand([batch, n], f64).lt(p).double();
  return { x, y: x.sum(1) };
}

/** The notebook's forward_step: the states s_0 .. s_n of every sequence of the batch, each [B]. */
export function forwardStep(x: Tensor, U: number | Tensor, W: number | Tensor): Tensor[] {
  const n = x.shape[1]!;
  const s: Tensor[] = [zeros([x.shape[0]!], f64)];
  for (let t = 0; t < n; t++) s.push(s[t]!.mul(W).add(x.select(1, t).mul(U)));
  return s;
}

/** The loss: (s_n − y)² averaged over the batch (the notebook's (y − s_n)² for one sequence). */
export function lossOf(s: Tensor[], y: Tensor): Tensor {
  return s.at(-1)!.sub(y).square().mean();
}

/**
 * The notebook's backward_step: dJ/ds_n = 2(s_n − y) (divided by B, as the loss is a batch mean; the
 * notebook sums, which is the same for its one sequence), then backwards through time
 *   dU += Σ_b dJ/ds_k · x_k,  dW += Σ_b dJ/ds_k · s_{k-1},  dJ/ds_{k-1} = dJ/ds_k · W.
 */
export function backwardStep(x: Tensor, s: Tensor[], y: Tensor, W: number): { dU: number; dW: number } {
  const n = x.shape[1]!;
  let gS = s[n]!.sub(y).mul(2 / x.shape[0]!);
  let dU = zeros([], f64);
  let dW = zeros([], f64);
  for (let k = n; k > 0; k--) {
    dU = dU.add(gS.mul(x.select(1, k - 1)).sum());
    dW = dW.add(gS.mul(s[k - 1]!).sum());
    gS = gS.mul(W);
  }
  return { dU: dU.item(), dW: dW.item() };
}

export interface TrainOptions {
  epochs: number;
  lr?: number;
  /** Initial (U, W); the notebook's default is (-2, 0). */
  weights?: [number, number];
  /** Rescale (dU, dW) to this L2 norm when it is longer (off by default). */
  clipNorm?: number;
  /** Stop once both weights are within this distance of 1 (reported in `reachedAt`). */
  stopWithin?: number;
}

export interface TrainResult {
  /** Per epoch, before its update (as the notebook records them). */
  losses: number[];
  us: number[];
  ws: number[];
  /** Norm of (dU, dW) before any clipping. */
  gradNorms: number[];
  U: number;
  W: number;
  /** First epoch (0-based) after whose update |U−1| and |W−1| are below `stopWithin`, or -1. */
  reachedAt: number;
}

/** The notebook's train(): gradient descent on (U, W) with the hand-written BPTT. */
export function train(x: Tensor, y: Tensor, opts: TrainOptions): TrainResult {
  const { epochs, lr = 0.0005, clipNorm, stopWithin } = opts;
  let [U, W] = opts.weights ?? [-2, 0];
  const r: TrainResult = { losses: [], us: [], ws: [], gradNorms: [], U, W, reachedAt: -1 };
  for (let e = 0; e < epochs; e++) {
    const s = forwardStep(x, U, W);
    r.losses.push(lossOf(s, y).item());
    r.us.push(U);
    r.ws.push(W);
    let { dU, dW } = backwardStep(x, s, y, W);
    const norm = Math.hypot(dU, dW);
    r.gradNorms.push(norm);
    if (clipNorm !== undefined && norm > clipNorm) {
      dU *= clipNorm / norm;
      dW *= clipNorm / norm;
    }
    U -= lr * dU;
    W -= lr * dW;
    if (stopWithin !== undefined && Math.abs(U - 1) < stopWithin && Math.abs(W - 1) < stopWithin) {
      r.reachedAt = e;
      break;
    }
  }
  r.U = U;
  r.W = W;
  return r;
}

/** The same forward under autograd: dJ/dU and dJ/dW from loss.backward(). */
export function autogradGradients(x: Tensor, y: Tensor, U0: number, W0: number): { dU: number; dW: number } {
  const U = tensor(U0, { ...f64, requiresGrad: true });
  const W = tensor(W0, { ...f64, requiresGrad: true });
  lossOf(forwardStep(x, U, W), y).backward();
  return { dU: U.grad!.item(), dW: W.grad!.item() };
}

/** The model's answer s_n for one sequence. */
export function count(seq: number[], U: number, W: number): number {
  return noGrad(() => forwardStep(tensor([seq], f64), U, W).at(-1)!.item());
}

/** The first epoch whose loss is not finite or above 1000x the starting loss (-1 if none). */
export function explosionEpoch(r: TrainResult): number {
  return r.losses.findIndex((l) => !Number.isFinite(l) || l > 1000 * r.losses[0]!);
}

const num = (v: number, d = 4): string => (!Number.isFinite(v) ? String(v) : Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(d));

/** One line per `every` epochs: loss and weights. */
function curve(r: TrainResult, every: number, log: (s: string) => void, extra: number[] = []): void {
  const shown = new Set([...Array.from({ length: Math.ceil(r.losses.length / every) }, (_, i) => i * every), ...extra, r.losses.length - 1]);
  const firstNaN = r.losses.findIndex(Number.isNaN);
  for (const e of [...shown].filter((i) => i < r.losses.length).sort((a, b) => a - b)) {
    if (firstNaN >= 0 && e > firstNaN) {
      log(`  ... NaN from epoch ${firstNaN} to the end (epoch ${r.losses.length - 1})`);
      break;
    }
    log(`  epoch ${String(e).padStart(5)}  loss ${num(r.losses[e]!).padStart(10)}  U ${num(r.us[e]!).padStart(9)}  W ${num(r.ws[e]!).padStart(9)}  |grad| ${num(r.gradNorms[e]!, 2)}`);
  }
}

export function main(log: (s: string) => void = console.log): { r1: TrainResult; r2: TrainResult; r3: TrainResult; r4: TrainResult } {
  // 0. Hand BPTT vs autograd.
  const short = batchOf([NOTEBOOK_SHORT]);
  const s0 = forwardStep(short.x, -2, 1);
  const hand = backwardStep(short.x, s0, short.y, 1);
  const auto = autogradGradients(short.x, short.y, -2, 1);
  log('0. gradient check at (U, W) = (-2, 1) on the notebook sequence');
  log(`  hand BPTT: dU=${hand.dU} dW=${hand.dW}   autograd: dU=${auto.dU} dW=${auto.dW}   max |difference| ${Math.max(Math.abs(hand.dU - auto.dU), Math.abs(hand.dW - auto.dW))}`);

  // 1. The notebook's run.
  log(`\n1. the notebook's run: x = [${NOTEBOOK_SHORT.join(' ')}], y = ${short.y.item()}, lr 0.0005, 150 epochs from (U, W) = (-2, 1)`);
  const r1 = train(short.x, short.y, { epochs: 150, lr: 0.0005, weights: [-2, 1] });
  curve(r1, 15, log);
  log(`  final (U, W) = (${num(r1.U)}, ${num(r1.W)}): the weights moved but settled on W ≈ 0 (output ≈ x_10·U = 0, loss ≈ y² = 16), not U = W = 1`);

  // 2. A batch of sequences: only U = W = 1 fits all of them.
  manualSeed(6202);
  const batch = randomSequences(16, 10);
  log("\n2. a batch of 16 random length-10 sequences (neurona's manualSeed(6202), not numpy's generator), same start (-2, 1) and lr 0.0005");
  const r2 = train(batch.x, batch.y, { epochs: 12000, lr: 0.0005, weights: [-2, 1] });
  const within = r2.us.findIndex((u, i) => Math.abs(u - 1) < 0.1 && Math.abs(r2.ws[i]! - 1) < 0.1);
  curve(r2, 1000, log);
  log(`  within 0.1 of (1, 1) at epoch ${within}; final (U, W) = (${num(r2.U)}, ${num(r2.W)}): learns U = W = 1`);
  log(`  those weights count the 40-element sequence: ${count(NOTEBOOK_LONG, r2.U, r2.W).toFixed(2)} (y = 12), shifted one step: ${count([0, ...NOTEBOOK_LONG.slice(0, -1)], r2.U, r2.W).toFixed(2)}`);

  // 3. The long sequence explodes.
  const long = batchOf([NOTEBOOK_LONG]);
  log(`\n3. the notebook's 40-element sequence, y = ${long.y.item()}, lr 0.0005, 150 epochs from (-2, 0)`);
  const r3 = train(long.x, long.y, { epochs: 150, lr: 0.0005, weights: [-2, 0] });
  const ex = explosionEpoch(r3);
  const nonFinite = r3.losses.findIndex((l) => !Number.isFinite(l));
  curve(r3, 10, log, ex > 0 ? [ex - 2, ex - 1, ex, ex + 1, ex + 2, ex + 3] : []);
  log(`  the loss explodes at epoch ${ex}: the weights before it (epoch ${ex - 1}) U=${num(r3.us[ex - 1]!)} W=${num(r3.ws[ex - 1]!)} (loss ${num(r3.losses[ex - 1]!)}); `
    + `at epoch ${ex} W=${num(r3.ws[ex]!)} (|W| > 1, so |W|^40 grows) and |grad| = ${num(r3.gradNorms[ex]!, 2)}; first non-finite loss at epoch ${nonFinite}; final (U, W) = (${r3.U}, ${r3.W})`);

  // 4. The same with gradient clipping.
  log('\n4. the same long run with (dU, dW) clipped to norm 1, lr 0.01 (a clipped step moves at most lr·1)');
  const r4 = train(long.x, long.y, { epochs: 150, lr: 0.01, weights: [-2, 0], clipNorm: 1 });
  curve(r4, 10, log);
  const finite = r4.losses.every(Number.isFinite) && Number.isFinite(r4.U) && Number.isFinite(r4.W);
  const final4 = (count(NOTEBOOK_LONG, r4.U, r4.W) - 12) ** 2;
  log(`  finite throughout: ${finite}; final (U, W) = (${num(r4.U)}, ${num(r4.W)}), loss ${num(final4)} (it oscillates across the narrow valley: a clipped step is always lr·1 long)`);
  log(`  it fits this one sequence with an alternating sign (W < 0), not by counting: the sequence gives ${count(NOTEBOOK_LONG, r4.U, r4.W).toFixed(2)}, `
    + `shifted by one step ${count([0, ...NOTEBOOK_LONG.slice(0, -1)], r4.U, r4.W).toFixed(2)} (y = 12 for both)`);
  return { r1, r2, r3, r4 };
}

/** The notebook's training plots: the loss of each run (log scale; a diverged run stops where it turned non-finite), and U, W over the epochs. */
export function rnnPlots(r: { r1: TrainResult; r2: TrainResult; r3: TrainResult; r4: TrainResult }): { loss: PlotSpec; weights: PlotSpec } {
  // Run 3 up to the epoch after the explosion (later values are astronomically large, then NaN).
  const ex = explosionEpoch(r.r3);
  const upTo = ex > 0 ? ex + 1 : r.r3.us.length;
  const loss = hconcat(
    linePlot({ '1: notebook sequence': r.r1.losses, '3: length 40, exploding': r.r3.losses.slice(0, upTo), '4: length 40, clipped': r.r4.losses }, { logY: true, xTitle: 'epoch', yTitle: 'loss (log)', title: 'loss per epoch' }),
    linePlot({ '2: 16 sequences': r.r2.losses }, { logY: true, xTitle: 'epoch', yTitle: 'loss (log)', title: 'run 2: learning U = W = 1' }),
  );
  const weights = hconcat(
    linePlot({ U: r.r2.us, W: r.r2.ws }, { xTitle: 'epoch', yTitle: 'weight', title: 'run 2: U, W -> 1' }),
    linePlot({ U: r.r3.us.slice(0, upTo), W: r.r3.ws.slice(0, upTo) }, { xTitle: 'epoch', yTitle: 'weight', title: `run 3: W passes -1 at epoch ${ex}` }),
    linePlot({ 'run 3': r.r3.gradNorms.slice(0, upTo), 'run 4 (clipped after)': r.r4.gradNorms }, { logY: true, xTitle: 'epoch', yTitle: '|(dU, dW)| (log)', title: 'gradient norm before clipping' }),
  );
  return { loss, weights };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = performance.now();
  const runs = main();
  console.log(`\n(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const plots = rnnPlots(runs);
  await writePlot('s4-11-rnn-loss.png', plots.loss);
  await writePlot('s4-11-rnn-weights.png', plots.weights);
}
