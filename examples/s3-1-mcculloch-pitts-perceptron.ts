// S3-1 — McCulloch-Pitts neurons and the perceptron on logic gates: AND, OR and NOT work; XOR cannot be
// done by one unit (no line separates its 1s from its 0s), so the single perceptron never reaches an
// epoch without error; two layers solve it (hand-wired McCulloch-Pitts neurons, and a trained 2-4-1 net).
//
// Run: npx tsx examples/s3-1-mcculloch-pitts-perceptron.ts        (under 1 s)
// Expected (randomState 0, manualSeed 0):
//   McCulloch-Pitts AND [0,0,0,1]  OR [0,1,1,1]  NOT [1,0]
//   single McCulloch-Pitts neuron for XOR: none of 36 wirings (thresholds 0-3, each input excitatory/inhibitory/unused)
//   two-layer McCulloch-Pitts XOR: [0,1,1,0]
//   perceptron AND: errors per epoch [2,2,1,2,1,2,1,1,0] -> [0,0,0,1]
//   perceptron OR: errors per epoch [2,2,1,1,1,1,0] -> [0,1,1,1]
//   perceptron NOT: errors per epoch [1,2,1,2,1,1,2,2,1,0] -> [1,0]
//   perceptron AND and OR at once (2 units): errors per epoch [4,5,4,3,4,2,2,4,3,1,1,2,1,1,0]
//   perceptron XOR: errors per epoch [2,1,2,1,2,2,1,3,2,3,1,4,4,3,4,3,4,2,2,3] ... never 0 in 100 epochs (min 1)
//   2-layer net (2-4-1, tanh, trained by backprop): XOR -> [0,1,1,0], loss 0.0002
import { manualSeed, noGrad, tensor } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { Adam } from '../src/optim/index.ts';
import { McCullochPittsNeuron, Perceptron } from '../src/classic/index.ts';

export const INPUTS2 = [[0, 0], [0, 1], [1, 0], [1, 1]];
export const GATES: Record<string, { x: number[][]; y: number[] }> = {
  AND: { x: INPUTS2, y: [0, 0, 0, 1] },
  OR: { x: INPUTS2, y: [0, 1, 1, 1] },
  NOT: { x: [[0], [1]], y: [1, 0] },
  XOR: { x: INPUTS2, y: [0, 1, 1, 0] },
};

const table = (f: (x: number[]) => number, xs: number[][]): number[] => xs.map(f);
const show = (v: readonly number[]): string => `[${v.join(',')}]`;

/** Every single McCulloch-Pitts neuron over 2 inputs (threshold 0-3, each input excitatory, inhibitory or unused) that computes `y`. */
export function singleNeuronsFor(y: readonly number[]): { count: number; found: McCullochPittsNeuron[] } {
  const found: McCullochPittsNeuron[] = [];
  let count = 0;
  const roles = ['excitatory', 'inhibitory', 'unused'] as const;
  for (const r0 of roles) {
    for (const r1 of roles) {
      for (let threshold = 0; threshold <= 3; threshold++) {
        const pick = (r: string): number[] => [r0, r1].flatMap((role, i) => (role === r ? [i] : []));
        const n = new McCullochPittsNeuron({ threshold, excitatory: pick('excitatory'), inhibitory: pick('inhibitory'), nInputs: 2 });
        count++;
        if (INPUTS2.every((x, i) => n.activate(x) === y[i])) found.push(n);
      }
    }
  }
  return { count, found };
}

/** XOR from McCulloch-Pitts neurons in two layers: (x1 OR x2) and not (x1 AND x2). */
export function mcCullochPittsXor(x: readonly number[]): number {
  const or = new McCullochPittsNeuron({ threshold: 1, nInputs: 2 });
  const and = new McCullochPittsNeuron({ threshold: 2, nInputs: 2 });
  const out = new McCullochPittsNeuron({ threshold: 1, excitatory: [0], inhibitory: [1] });
  return out.activate([or.activate(x), and.activate(x)]);
}

/** Trains a perceptron on a gate; returns its errors per epoch and its outputs on the gate's inputs. */
export function perceptronOn(gate: string, opts: { maxEpochs?: number; seed?: number } = {}): { errors: number[]; converged: boolean; out: number[] } {
  const { x, y } = GATES[gate]!;
  const p = new Perceptron({ nInputs: x[0]!.length, eta: 0.1, maxEpochs: opts.maxEpochs ?? 100, randomState: opts.seed ?? 0 });
  const errors = p.fit(x, y);
  return { errors, converged: p.converged, out: Array.from(p.predict(x).contiguousData()) };
}

/**
 * A 2-4-1 net (tanh hidden layer, logistic output) trained by backpropagation (autograd, Adam lr 0.1) on
 * XOR: the hidden layer maps the four points to where one line separates them. Tiny nets can stall in a
 * local minimum (2 of 20 seeds do with 4 hidden units, half with 2): the seed is fixed.
 */
export function twoLayerXor(seed = 0, steps = 1000): { out: number[]; loss: number } {
  manualSeed(seed);
  const net = new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 1));
  const x = tensor(INPUTS2);
  const y = tensor(GATES.XOR!.y.map((v) => [v]));
  const opt = new Adam(net.parameters(), { lr: 0.1 });
  let loss = 0;
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const l = nn.bceWithLogitsLoss(net.forward(x), y);
    l.backward();
    opt.step();
    loss = l.item();
  }
  const out = noGrad(() => net.forward(x).sigmoid());
  return { out: Array.from(out.contiguousData(), (p) => (p >= 0.5 ? 1 : 0)), loss };
}

function main(): void {
  const and = new McCullochPittsNeuron({ threshold: 2, nInputs: 2 });
  const or = new McCullochPittsNeuron({ threshold: 1, nInputs: 2 });
  const not = new McCullochPittsNeuron({ threshold: 0, inhibitory: [0] });
  console.log(`McCulloch-Pitts AND ${show(table((x) => and.activate(x), INPUTS2))}  OR ${show(table((x) => or.activate(x), INPUTS2))}  NOT ${show(table((x) => not.activate(x), [[0], [1]]))}`);
  const xorSearch = singleNeuronsFor(GATES.XOR!.y);
  console.log(
    `single McCulloch-Pitts neuron for XOR: ${xorSearch.found.length === 0 ? 'none' : xorSearch.found.length} of ${xorSearch.count} wirings ` +
      '(thresholds 0-3, each input excitatory/inhibitory/unused)',
  );
  console.log(`two-layer McCulloch-Pitts XOR: ${show(table(mcCullochPittsXor, INPUTS2))}`);

  for (const gate of ['AND', 'OR', 'NOT']) {
    const r = perceptronOn(gate);
    console.log(`perceptron ${gate}: errors per epoch ${show(r.errors)} -> ${show(r.out)}`);
  }
  const both = new Perceptron({ nInputs: 2, nOutputs: 2, randomState: 0 });
  const bothErrors = both.fit(INPUTS2, INPUTS2.map((_, i) => [GATES.AND!.y[i]!, GATES.OR!.y[i]!]));
  console.log(`perceptron AND and OR at once (2 units): errors per epoch ${show(bothErrors)}`);
  const xor = perceptronOn('XOR');
  console.log(
    `perceptron XOR: errors per epoch ${show(xor.errors.slice(0, 20))} ... ${xor.converged ? 'converged?!' : `never 0 in ${xor.errors.length} epochs (min ${Math.min(...xor.errors)})`}`,
  );
  const two = twoLayerXor();
  console.log(`2-layer net (2-4-1, tanh, trained by backprop): XOR -> ${show(two.out)}, loss ${two.loss.toFixed(4)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
