// S1-2 — the notebook's shallow model A on two circles: the baseline that does not suffer from
// vanishing gradients. make_circles(1000, noise 0.1) MinMax-scaled to [-1, 1], first 500 points
// train, last 500 test; Dense(5, tanh) -> Dense(1, sigmoid), both with RandomUniform(0, 1) kernels;
// SGD(lr 0.01, momentum 0.9), binary cross-entropy, 500 epochs (batch 32), validation on the test half.
// Prints the summary, the history every 50 epochs, the notebook's `Train: ..., Test: ...` line and
// the predicted class counts over all 1000 points (the notebook's scatter of predict_classes), and
// draws the notebook's plots: out/s1-2-accuracy.png (train/test accuracy and loss per epoch) and
// out/s1-2-predicted-classes.png (the points coloured by predicted class, over the decision regions).
//
// Run: npx tsx examples/s1-2-circles-shallow.ts [--out out]        (about 3-4 s)
// Expected (seed 1):
//   Total params: 21
//   epoch 500  loss 0.3879  accuracy 0.866  val_loss 0.4270  val_accuracy 0.836
//   Train: 0.860, Test: 0.836
//   predicted classes over the 1000 points: 0 -> 530, 1 -> 470
//   train accuracy: 0.860
//   test accuracy: 0.836
// The circles overlap (factor 0.8, noise 0.1): about 0.84 is the best any classifier gets. The
// notebook prints no outputs; other seeds give 0.79-0.84 test accuracy.
import type { Tensor } from '../src/index.ts';
import { decisionBoundary, hconcat, learningCurves, scatterPlot } from '../src/plot/index.ts';
import { buildCirclesModel, predictedClassCounts, printResult, runCircles } from './s1-circles.ts';
import { writePlot } from './plot-out.ts';

buildCirclesModel('shallow-tanh').summary();
const r = runCircles('shallow-tanh', { log: console.log });
const [zeros, ones] = predictedClassCounts(r);
console.log(`predicted classes over the 1000 points: 0 -> ${zeros}, 1 -> ${ones}`);
await writePlot('s1-2-accuracy.png', learningCurves(r.history, { metrics: ['accuracy', 'loss'], title: 'S1-2: shallow tanh net on two circles (validation = the test half)' }));
const predicted = (r.model.predict(r.data.x) as Tensor).gt(0.5).int().reshape([-1]);
await writePlot('s1-2-predicted-classes.png', hconcat(
  scatterPlot(r.data.x, predicted, { title: 'predicted class (all 1000 points)' }),
  decisionBoundary(r.model, r.data.x, r.data.y.reshape([-1]).int(), { title: 'decision regions, true classes' }),
));
printResult(r);
