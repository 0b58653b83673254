// S3-2 — Rosenblatt's perceptron rule w += eta (y − ŷ) x on a linearly separable 2-D set: points in
// [-1, 1]² labelled by the line y = 0.5x + 0.2 (1 below it, 0 above), with a band of 0.1 on each side
// left empty so a separating line exists. The perceptron (TLU with bias, Heaviside step, eta 0.1)
// reaches an epoch without error; it prints the errors per epoch, its line w1 x + w2 y + b = 0 and its
// accuracy on the training points and on new points. Then the same with the sign step and -1/1 targets.
//
// Run: npx tsx examples/s3-2-perceptron-rule.ts        (under 1 s)
// Expected (data seed 2, randomState 0):
//   training points: 100 (61 of class 1), test points: 1000
//   heaviside: errors per epoch [5,0]
//   learned line: 0.2809 x + -0.6187 y + 0.0325 = 0   (y = 0.454 x + 0.053; the true line y = 0.5 x + 0.2)
//   train accuracy: 1.000
//   test accuracy: 0.986
//   sign: errors per epoch [3,0], train accuracy 1.000, test accuracy 0.982
// The rule stops at the first line that separates the training points, not at the true line, so a few
// new points fall on its wrong side.
import { Generator } from '../src/index.ts';
import { Perceptron } from '../src/classic/index.ts';

/** n points uniform in [-1, 1]² at least `margin` away from the line y = 0.5x + 0.2; label 1 below it (0.5x − y + 0.2 > 0), else 0. */
export function separableSet(n: number, g: Generator, margin = 0.1): { x: number[][]; y: number[] } {
  const x: number[][] = [];
  const y: number[] = [];
  while (x.length < n) {
    const p = [2 * g.random() - 1, 2 * g.random() - 1];
    const d = (0.5 * p[0]! - p[1]! + 0.2) / Math.hypot(0.5, 1); // signed distance to the line
    if (Math.abs(d) < margin) continue;
    x.push(p);
    y.push(d > 0 ? 1 : 0);
  }
  return { x, y };
}

export interface RuleRun {
  errors: number[];
  converged: boolean;
  weights: number[];
  bias: number;
  trainAcc: number;
  testAcc: number;
}

/** Trains a perceptron with the given step on the separable set (targets 0/1 or -1/1). */
export function runPerceptronRule(activation: 'heaviside' | 'sign' = 'heaviside', dataSeed = 2, randomState = 0): RuleRun {
  const g = new Generator(dataSeed);
  const train = separableSet(100, g);
  const test = separableSet(1000, g);
  const target = (y: number[]): number[] => (activation === 'sign' ? y.map((v) => 2 * v - 1) : y);
  const p = new Perceptron({ nInputs: 2, activation, eta: 0.1, maxEpochs: 100, randomState });
  const errors = p.fit(train.x, target(train.y));
  return {
    errors, converged: p.converged, weights: p.weights[0]!, bias: p.bias[0]!,
    trainAcc: p.score(train.x, target(train.y)), testAcc: p.score(test.x, target(test.y)),
  };
}

function main(): void {
  const g = new Generator(2);
  const train = separableSet(100, g);
  console.log(`training points: ${train.x.length} (${train.y.filter((v) => v === 1).length} of class 1), test points: 1000`);
  const r = runPerceptronRule('heaviside');
  const [w1, w2] = r.weights as [number, number];
  console.log(`heaviside: errors per epoch [${r.errors.join(',')}]`);
  console.log(
    `learned line: ${w1.toFixed(4)} x + ${w2.toFixed(4)} y + ${r.bias.toFixed(4)} = 0   ` +
      `(y = ${(-w1 / w2).toFixed(3)} x + ${(-r.bias / w2).toFixed(3)}; the true line y = 0.5 x + 0.2)`,
  );
  console.log(`train accuracy: ${r.trainAcc.toFixed(3)}`);
  console.log(`test accuracy: ${r.testAcc.toFixed(3)}`);
  const s = runPerceptronRule('sign');
  console.log(`sign: errors per epoch [${s.errors.join(',')}], train accuracy ${s.trainAcc.toFixed(3)}, test accuracy ${s.testAcc.toFixed(3)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
