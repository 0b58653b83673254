// S1-1 — the activation functions of the hidden layers and their derivatives: sigmoid, tanh, ReLU and
// SELU on [-5, 5]. The notebook differentiates symbolically (sympy) and numerically (np.gradient);
// here the derivative comes from autograd (backward of sum f(x)), checked against the closed forms
// and against central differences, and the four functions with their derivatives are plotted.
//
// Run: npx tsx examples/s1-1-activations.ts [--out out]        (about 2 s)
// Writes out/s1-1-activations.png. Expected (autograd on 201 points of [-5, 5], float64):
//   sigmoid  f'(0) = 0.2500  max f' = 0.2500  f'(-5) = 6.65e-3  |autograd - closed form| 1.5e-16  |autograd - numeric| 2.1e-10
//   tanh     f'(0) = 1.0000  max f' = 1.0000  f'(-5) = 1.82e-4  |autograd - closed form| 0.0e+0  |autograd - numeric| 3.3e-9
//   relu     f'(0) = 0.0000  (the subgradient neurona uses at the kink) ...
//   selu     f'(0) = 1.7581  (the left-hand value, scale*alpha) ...
// and the notebook's reading: the sigmoid's and tanh's derivatives are near 0 except around the
// origin (vanishing gradients), ReLU's is 0 for every negative input (dying ReLU).
import { linspace } from '../src/index.ts';
import type { Tensor } from '../src/index.ts';
import { activationFunctions, activationPlot } from '../src/plot/index.ts';
import { writePlot } from './plot-out.ts';

const ALPHA = 1.6732632423543772;
const SCALE = 1.0507009873554805;

/** The derivatives written out (the notebook's sympy results). */
export const closedForms: Record<string, (x: number) => number> = {
  sigmoid: (x) => Math.exp(-x) / (1 + Math.exp(-x)) ** 2,
  tanh: (x) => 1 - Math.tanh(x) ** 2,
  relu: (x) => (x > 0 ? 1 : 0),
  selu: (x) => (x > 0 ? SCALE : SCALE * ALPHA * Math.exp(x)),
};

/** Autograd derivative of `name` at `points` points of [a, b], with the closed form and central differences there. */
export function derivatives(name: string, a = -5, b = 5, points = 201): { x: number[]; autograd: number[]; closed: number[]; numeric: number[] } {
  const f = activationFunctions[name]!;
  const x = linspace(a, b, points, { dtype: 'float64' }).requiresGrad_();
  f(x).sum().backward();
  const xs = Array.from(x.contiguousData(), Number);
  const autograd = Array.from((x.grad as Tensor).contiguousData(), Number);
  const h = 1e-4;
  const at = (v: number) => f(linspace(v, v, 1, { dtype: 'float64' })).item();
  const numeric = xs.map((v) => (at(v + h) - at(v - h)) / (2 * h));
  return { x: xs, autograd, closed: xs.map(closedForms[name]!), numeric };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const name of ['sigmoid', 'tanh', 'relu', 'selu']) {
    const d = derivatives(name);
    const i0 = d.x.findIndex((v) => Math.abs(v) < 1e-12);
    // Central differences straddle ReLU's and SELU's kink at 0: leave that point out of the comparison.
    const maxDiff = (other: number[]) => Math.max(...d.autograd.map((g, i) => (i === i0 ? 0 : Math.abs(g - other[i]!))));
    console.log(
      `${name.padEnd(8)} f'(0) = ${d.autograd[i0]!.toFixed(4)}  max f' = ${Math.max(...d.autograd).toFixed(4)}  ` +
        `f'(-5) = ${d.autograd[0]!.toExponential(2)}  |autograd - closed form| ${maxDiff(d.closed).toExponential(1)}  |autograd - numeric| ${maxDiff(d.numeric).toExponential(1)}`,
    );
  }
  console.log("sigmoid and tanh: f' is near 0 away from the origin (vanishing gradients); relu: f' = 0 for every x < 0 (dying ReLU)");
  await writePlot('s1-1-activations.png', activationPlot(['sigmoid', 'tanh', 'relu', 'selu'], { title: 'S1-1: activation functions and their derivatives (autograd)' }));
}
