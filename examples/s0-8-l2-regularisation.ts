// S0-8 — L2 regularisation inside backprop, on S0-7's wide net. The seed adds the penalty's derivative
// to each dense layer's weight gradient (dW += λ·W, λ = 0.001) and leaves the biases and the reported
// loss alone; in neurona that is SGD's weightDecay on the weights only, given as two param groups
// (weights: weightDecay 0.001, biases: 0). Same data, init, loss, per-sample SGD, lr 0.1, 20 epochs as
// S0-7; prints train vs test accuracy and the gap, which is narrower than S0-7's.
//
// Run: npx tsx examples/s0-8-l2-regularisation.ts [--epochs 20] [--seed 123] [--lambda 0.001]
// Expected (seed 123, 20 epochs; about 35 s alone on this machine, 57-59 s measured with S0-7 and S0-8 running at once):
//   epoch 1/20   error=0.068334  ...  epoch 20/20   error=0.012231
//   train accuracy: 0.952
//   test accuracy: 0.872
//   gap (train − test): 0.080
//   (S0-7 without L2: train 0.985, test 0.888, gap 0.097. L2 trades some train fit for a smaller gap;
//   with λ = 0.001 per sample the test accuracy does not improve on this 1,000-image sample.)
import { numberArg, report, runWide } from './s0-7-wide-overfit.ts';

if (import.meta.url === `file://${process.argv[1]}`) {
  const lambda = numberArg('lambda', 0.001);
  console.log(`L2 lambda = ${lambda} on the weights`);
  report(runWide({ epochs: numberArg('epochs', 20), seed: numberArg('seed', 123), lambda, log: console.log }));
}
