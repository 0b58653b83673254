// Tests of neurona/metrics against values worked out by hand (they match scikit-learn's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, ValueError, tensor } from '../src/index.ts';
import {
  accuracy,
  classificationReport,
  confusionMatrix,
  f1Score,
  formatConfusionMatrix,
  formatFixed,
  precision,
  precisionRecallF1,
  recall,
} from '../src/metrics/index.ts';

const near = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
const nearAll = (a: readonly number[], b: readonly number[]): void => {
  assert.equal(a.length, b.length);
  a.forEach((v, i) => near(v, b[i]!));
};

// scikit-learn's classification_report example: 3 classes, 5 samples.
const yTrue = [0, 1, 2, 2, 2];
const yPred = [0, 0, 2, 2, 1];

test('accuracy: labels, int tensors, and [n, C] scores (argmax over dim 1)', () => {
  assert.equal(accuracy(yTrue, yPred), 0.6); // 3 of 5
  assert.equal(accuracy(tensor(yTrue, { dtype: 'int32' }), tensor(yPred, { dtype: 'int32' })), 0.6);
  const scores = tensor([
    [0.9, 0.05, 0.05], // 0
    [0.2, 0.7, 0.1], // 1
    [0.1, 0.1, 0.8], // 2
    [0.5, 0.3, 0.2], // 0
  ]);
  assert.equal(accuracy(tensor([0, 1, 2, 2], { dtype: 'int32' }), scores), 0.75);
  assert.throws(() => accuracy([0, 1], [0]), (e: Error) => e instanceof ShapeError && /accuracy: yTrue and yPred with one entry per sample; got 2 and 1/.test(e.message));
  assert.throws(() => accuracy([0, 1], [0, 0.7]), (e: Error) => e instanceof ValueError && /yPred of non-negative integer class labels; got 0.7 at position 1/.test(e.message));
  assert.throws(() => accuracy([0, 1], tensor([[0.2], [0.9]])), /scores \[n, C\] with C >= 2/);
  assert.throws(() => accuracy([], []), /at least one sample/);
});

test('confusionMatrix: rows true, columns predicted', () => {
  // true 0 -> pred 0; true 1 -> pred 0; true 2 -> pred 2, 2, 1
  const cm = confusionMatrix(yTrue, yPred);
  assert.equal(cm.dtype, 'int32');
  assert.deepEqual(cm.toArray(), [
    [1, 0, 0],
    [1, 0, 0],
    [0, 1, 2],
  ]);
  assert.deepEqual(confusionMatrix([0, 1], [1, 1], 3).toArray(), [
    [0, 1, 0],
    [0, 1, 0],
    [0, 0, 0],
  ]);
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), /confusionMatrix: labels in \[0, 3\) for numClasses=3; got label 3/);
});

test('precisionRecallF1: per class, macro, weighted, micro (scikit-learn example)', () => {
  // scikit-learn's precision_recall_fscore_support example: cat=0, dog=1, pig=2
  const t = [0, 1, 2, 0, 1, 2];
  const p = [0, 2, 1, 0, 0, 1];
  // cat: tp 2, predicted 3, true 2 -> P 2/3, R 1, F1 2*2/(3+2) = 0.8; dog and pig: tp 0 -> 0, 0, 0
  const per = precisionRecallF1(t, p, { average: null });
  assert.deepEqual(per.labels, [0, 1, 2]);
  nearAll(per.precision, [2 / 3, 0, 0]);
  nearAll(per.recall, [1, 0, 0]);
  nearAll(per.f1, [0.8, 0, 0]);
  assert.deepEqual(per.support, [2, 2, 2]);
  const macro = precisionRecallF1(t, p, { average: 'macro' }); // sklearn: (0.22..., 0.33..., 0.26...)
  near(macro.precision, 2 / 9);
  near(macro.recall, 1 / 3);
  near(macro.f1, 0.8 / 3);
  const micro = precisionRecallF1(t, p, { average: 'micro' }); // sklearn: (0.33..., 0.33..., 0.33...)
  near(micro.precision, 1 / 3);
  near(micro.recall, 1 / 3);
  near(micro.f1, 1 / 3);
  const weighted = precisionRecallF1(t, p, { average: 'weighted' }); // equal supports: same as macro
  near(weighted.f1, 0.8 / 3);
  assert.equal(weighted.support, 6);
  // weighted with unequal supports (report example): P per class [.5, 0, 1], supports [1, 1, 3] -> (0.5 + 3) / 5 = 0.7
  near(precision(yTrue, yPred, { average: 'weighted' }), 0.7);
  near(recall(yTrue, yPred, { average: 'weighted' }), 0.6); // (1 + 0 + 2) / 5
  near(f1Score(yTrue, yPred, { average: 'weighted' }), (2 / 3 + 3 * 0.8) / 5); // 0.6133
  near(f1Score(yTrue, yPred), (2 / 3 + 0 + 0.8) / 3); // macro by default: 0.4889
  nearAll(recall(yTrue, yPred, { average: null }), [1, 0, 2 / 3]);
  // restricted labels: micro over classes 1 and 2 only -> tp 0+2, predicted 1+2, true 1+3
  const sub = precisionRecallF1(yTrue, yPred, { average: 'micro', labels: [1, 2] });
  near(sub.precision, 2 / 3);
  near(sub.recall, 0.5);
  near(sub.f1, 4 / 7);
});

test('precision/recall/F1: zero division gives 0, binary average', () => {
  // class 1 is never predicted: its precision 0/0 -> 0 (scikit-learn's default, without the warning)
  const per = precisionRecallF1([0, 0, 1], [0, 0, 0], { average: null });
  nearAll(per.precision, [2 / 3, 0]);
  nearAll(per.recall, [1, 0]);
  nearAll(per.f1, [0.8, 0]); // 2*2/(3+2) and 0/(0+1)
  near(precision([0, 0, 1], [0, 0, 0]), 1 / 3);
  // a class only predicted (never true): recall 0/0 -> 0
  nearAll(recall([0, 0], [0, 1], { average: null }), [0.5, 0]);
  // binary: class 1 has tp 2, predicted 2, true 3 -> P 1, R 2/3, F1 4/5
  const b = precisionRecallF1([0, 1, 1, 0, 1], [0, 1, 0, 0, 1], { average: 'binary' });
  near(b.precision, 1);
  near(b.recall, 2 / 3);
  near(b.f1, 0.8);
  assert.throws(() => f1Score(yTrue, yPred, { average: 'binary' }), /at most 2 classes for average 'binary'; got 3/);
});

test('classificationReport: the scikit-learn layout, digit by digit', () => {
  const expected = [
    '              precision    recall  f1-score   support',
    '',
    '     class 0       0.50      1.00      0.67         1',
    '     class 1       0.00      0.00      0.00         1',
    '     class 2       1.00      0.67      0.80         3',
    '',
    '    accuracy                           0.60         5',
    '   macro avg       0.50      0.56      0.49         5',
    'weighted avg       0.70      0.60      0.61         5',
    '',
  ].join('\n');
  assert.equal(classificationReport(yTrue, yPred, { targetNames: ['class 0', 'class 1', 'class 2'] }), expected);
  // default names are the labels; digits 3; names wider than 'weighted avg' widen the first column
  const r3 = classificationReport(yTrue, yPred, { digits: 3 }).split('\n');
  assert.equal(r3[2], '           0      0.500     1.000     0.667         1');
  assert.equal(r3[7], '   macro avg      0.500     0.556     0.489         5');
  const wide = classificationReport([0, 1], [0, 1], { targetNames: ['a very long name', 'b'] }).split('\n');
  assert.equal(wide[0], '                  precision    recall  f1-score   support');
  assert.equal(wide[2], 'a very long name       1.00      1.00      1.00         1');
  // a label subset that leaves out a present class prints a micro avg row instead of accuracy
  const sub = classificationReport(yTrue, yPred, { labels: [1, 2] }).split('\n');
  assert.equal(sub[5], '   micro avg       0.67      0.50      0.57         4');
  // names for all 4 classes while class 3 is absent: it gets a row of zeros
  const all = classificationReport(yTrue, yPred, { targetNames: ['a', 'b', 'c', 'd'] }).split('\n');
  assert.equal(all[5], '           d       0.00      0.00      0.00         0');
  assert.throws(() => classificationReport(yTrue, yPred, { targetNames: ['a', 'b'] }), /one target name per reported class \(3: \[0, 1, 2\]\); got 2 names/);
});

test('formatFixed rounds like Python (exact ties to even), formatConfusionMatrix aligns', () => {
  assert.equal(formatFixed(0.125, 2), '0.12'); // an exact binary tie: Python gives 0.12, toFixed 0.13
  assert.equal(formatFixed(0.375, 2), '0.38');
  assert.equal(formatFixed(2.5, 0), '2');
  assert.equal(formatFixed(0.135, 2), '0.14'); // 0.135 is 0.13500000000000000888 in binary: not a tie
  assert.equal(formatFixed(2 / 3, 2), '0.67');
  assert.equal(formatFixed(-0.125, 2), '-0.12');
  const text = formatConfusionMatrix(confusionMatrix(yTrue, yPred), ['cat', 'dog', 'bird']);
  assert.equal(text, ['true\\pred   cat   dog  bird', '      cat     1     0     0', '      dog     1     0     0', '     bird     0     1     2'].join('\n'));
  assert.equal(formatConfusionMatrix([[10, 0], [2, 7]]), ['true\\pred   0   1', '        0  10   0', '        1   2   7'].join('\n'));
  assert.throws(() => formatConfusionMatrix(tensor([[1, 2]])), /a square matrix \[K, K\]; got shape \[1,2\]/);
  assert.throws(() => formatConfusionMatrix([[1]], ['a', 'b']), /one label per class \(1\); got 2/);
});
