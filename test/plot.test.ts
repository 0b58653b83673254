// Every ready-made chart rendered to PNG (Vega -> SVG -> resvg), checked for its size and for content
// (not blank: a share of non-white pixels and several colours); the PNGs are kept in out/test-plots/
// to look at. Also the GradientRecorder (with fit and by hand), the report HTML and the sparkline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode } from 'fast-png';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { manualSeed, randn, rand } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { SGD } from '../src/optim/index.ts';
import { History, dense, sequential } from '../src/model/index.ts';
import { makeMoons } from '../src/datasets/index.ts';
import { confusionMatrix } from '../src/metrics/index.ts';
import {
  GradientRecorder, activationPlot, confusionMatrixPlot, decisionBoundary, featureMapGrid, filterGrid, gradientMagnitudes, hconcat, histogram,
  imageGrid, imagePlot, learningCurves, linePlot, reconstructionGrid, samplePredictions, scatterPlot, toSvg, trainingReport,
} from '../src/plot/index.ts';
import type { PlotSpec, RgbaImage } from '../src/plot/index.ts';
import { renderPng, savePlot, sparkline, writeReport } from '../src/node/index.ts';

const dir = 'out/test-plots';

/** Share of pixels that are not (near) white, and the number of distinct colours. */
function content(img: { width: number; height: number; data: Uint8Array | Uint16Array | Uint8ClampedArray; channels?: number }): { ink: number; colours: number } {
  const ch = img.channels ?? 4;
  let ink = 0;
  const colours = new Set<number>();
  for (let i = 0; i < img.width * img.height; i++) {
    const [r, g, b] = [img.data[i * ch]!, img.data[i * ch + 1]!, img.data[i * ch + 2]!];
    if (r < 240 || g < 240 || b < 240) ink++;
    colours.add((r << 16) | (g << 8) | b);
  }
  return { ink: ink / (img.width * img.height), colours: colours.size };
}

async function checkPng(name: string, spec: PlotSpec, minW: number, minH: number, minColours = 8): Promise<void> {
  const path = `${dir}/${name}.png`;
  await savePlot(path, spec);
  const png = decode(readFileSync(path));
  assert.ok(png.width >= minW && png.height >= minH, `${name}: ${png.width}x${png.height}, expected at least ${minW}x${minH}`);
  const c = content(png);
  assert.ok(c.ink > 0.02, `${name}: only ${(c.ink * 100).toFixed(2)}% of the pixels are not white`);
  assert.ok(c.colours >= minColours, `${name}: ${c.colours} distinct colours`);
}

function fakeHistory(seed: number): History {
  const h = new History();
  for (let e = 0; e < 12; e++) {
    const n = Math.sin(seed * 7 + e) * 0.02;
    h.onEpochEnd(e, { loss: Math.exp(-e / 4) + n, accuracy: 1 - Math.exp(-e / 3) / 2 + n, val_loss: Math.exp(-e / 5) + 0.1 + n, val_accuracy: 0.9 - Math.exp(-e / 3) / 2 - n });
  }
  return h;
}

test('learning curves (one history, runs with mean ± std, explicit _std bands) and line plots render to PNG', async () => {
  rmSync(dir, { recursive: true, force: true });
  await checkPng('learning-curves', learningCurves(fakeHistory(0)), 700, 250);
  await checkPng('learning-curves-runs', learningCurves([0, 1, 2].map(fakeHistory)), 700, 250);
  const m = [1, 0.6, 0.4, 0.3];
  await checkPng('learning-curves-std', learningCurves({ loss: m, loss_std: [0.3, 0.2, 0.1, 0.1], val_loss: m.map((v) => v + 0.1), val_loss_std: [0.1, 0.1, 0.05, 0.05] }, { logY: true }), 400, 250);
  const svg = await toSvg(learningCurves([0, 1].map(fakeHistory)));
  assert.match(svg, /mean ± std over 2 runs/);
  assert.ok((svg.match(/<path[^>]*mark-area|role-mark.*area/g) ?? []).length > 0, 'a band is drawn');
  await checkPng('line-plot', linePlot({ loss: [144, 40, 1e5, Infinity, NaN], U: [-2, -2.1, -2.1] }, { logY: true, xTitle: 'epoch' }), 400, 250);
  assert.throws(() => learningCurves({}), /learningCurves: a history with at least one metric/);
});

test('histograms (binned, discrete labels, groups), scatter, decision regions and confusion matrix render to PNG', async () => {
  manualSeed(0);
  await checkPng('histogram', histogram(randn([2000]), { title: 'N(0, 1)' }), 400, 250);
  await checkPng('histogram-labels', histogram([0, 1, 1, 2, 2, 2, 3, 9], { discrete: true, title: 'labels' }), 400, 250);
  await checkPng('histogram-groups', histogram({ a: randn([500]), b: randn([500]).add(2) }), 400, 250);
  const { x, y } = makeMoons({ nSamples: 200, noise: 0.1 });
  await checkPng('scatter', scatterPlot(x, y, { title: 'moons' }), 300, 300);
  const model = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 2));
  const opt = new SGD(model.parameters(), { lr: 0.5 });
  for (let i = 0; i < 200; i++) {
    const l = nn.crossEntropy(model.forward(x), y);
    opt.zeroGrad();
    l.backward();
    opt.step();
  }
  model.train();
  const t0 = performance.now();
  const db = decisionBoundary(model, x, y, { resolution: 100 });
  const ms = performance.now() - t0;
  assert.ok(model.training, 'decisionBoundary restores the training mode');
  await checkPng('decision-boundary', db, 320, 320);
  assert.ok(ms < 2000, `decision grid in ${ms} ms`);
  const binary = decisionBoundary((b) => b.narrow(1, 0, 1).gt(0.5).float(), x, y, { resolution: 20 });
  await checkPng('decision-boundary-fn', binary, 320, 320);
  const cm = confusionMatrix([0, 1, 2, 2, 1, 0, 2, 2], [0, 2, 2, 2, 1, 0, 1, 2], 3);
  await checkPng('confusion-matrix', confusionMatrixPlot(cm, { labels: ['cat', 'dog', 'bird'] }), 150, 150);
  assert.throws(() => confusionMatrixPlot([[1, 2]]), /confusionMatrixPlot: a square matrix/);
  assert.throws(() => scatterPlot(randn([5, 3])), /scatterPlot: x as \[N, 2\] points; got \[5, 3\]/);
});

test('activation functions with autograd derivatives render to PNG; the derivative is right', async () => {
  await checkPng('activations', activationPlot(['sigmoid', 'tanh', 'relu', 'selu']), 800, 200);
  const spec = activationPlot({ square: (t) => t.mul(t) }, { range: [-1, 1], points: 3 }) as unknown as { data: { values: { x: number; value: number; curve: string }[] } };
  const d = spec.data.values.filter((r) => r.curve === "f'(x)").map((r) => r.value);
  assert.deepEqual(d, [-2, 0, 2]);
  assert.throws(() => activationPlot(['nope']), /activationPlot: an activation among sigmoid/);
});

test('image grids: samples, reconstructions, filters, feature maps, sample predictions render to PNG', async () => {
  manualSeed(1);
  const imgs = rand([12, 28, 28]);
  const check = (name: string, img: RgbaImage) => checkPng(name, imagePlot(img, { title: name }), img.width, img.height);
  await check('image-grid', imageGrid(imgs, { cols: 6 }));
  await check('reconstructions', reconstructionGrid(imgs.narrow(0, 0, 7), imgs.narrow(0, 0, 7).mul(0.5), { cols: 4 }));
  const conv = new nn.Conv2d(3, 8, 5);
  await check('filters', filterGrid(conv.weight));
  await check('filters-grey', filterGrid(new nn.Conv2d(16, 4, 3).weight));
  await check('feature-maps', featureMapGrid(conv.forward(rand([1, 3, 16, 16]))));
  await checkPng('sample-predictions', samplePredictions(imgs.narrow(0, 0, 10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [0, 1, 2, 3, 4, 5, 6, 7, 8, 1]), 300, 60);
  assert.throws(() => filterGrid(rand([3, 3])), /filterGrid: a conv weight \[out, in, kH, kW\]/);
  assert.throws(() => reconstructionGrid(rand([2, 4]), rand([3, 4])), /reconstructionGrid: originals and reconstructions of one shape/);
});

test('GradientRecorder records per-layer |dW| with fit and by hand; gradient plots render to PNG', async () => {
  manualSeed(2);
  const x = randn([64, 4]);
  const y = randn([64, 1]);
  const model = sequential([dense({ units: 8, activation: 'sigmoid', inputShape: [4] }), dense({ units: 8, activation: 'sigmoid' }), dense({ units: 1 })]);
  model.compile({ optimizer: 'sgd', loss: 'mse' });
  const rec = new GradientRecorder();
  model.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, callbacks: [rec] });
  assert.equal(rec.records.length, 3);
  assert.equal(rec.names.length, 3);
  assert.deepEqual(rec.records.map((r) => [r.epoch, r.step]), [[1, 4], [2, 8], [3, 12]]);
  for (const r of rec.records) assert.ok(r.grad.every((v) => v > 0) && r.weight.every((v) => v > 0));

  // By hand, every 2 steps.
  const net = new nn.Sequential(new nn.Linear(4, 8), new nn.Sigmoid(), new nn.Linear(8, 1));
  const opt = new SGD(net.parameters(), { lr: 0.1 });
  const byHand = new GradientRecorder({ every: 2 });
  for (let s = 0; s < 5; s++) {
    const l = nn.mseLoss(net.forward(x), y);
    opt.zeroGrad();
    l.backward();
    byHand.record(net);
    if (s === 0) {
      const g = net.at(0) as nn.Linear;
      const expect = g.weight.grad!.abs().mean().item();
      byHand.flush();
      assert.ok(Math.abs(byHand.records[0]!.grad[0]! - expect) < 1e-7);
    }
    opt.step();
  }
  byHand.endEpoch();
  assert.deepEqual(byHand.records.map((r) => r.step), [1, 3, 5]);
  assert.deepEqual(byHand.names, ['0.weight', '2.weight']);
  await checkPng('gradients-layers', gradientMagnitudes({ sigmoid: rec, byHand }), 360, 240);
  await checkPng('gradients-training', gradientMagnitudes(rec, { view: 'training' }), 360, 240);
  await checkPng('weights-training', gradientMagnitudes(rec, { view: 'training', quantity: 'weight' }), 360, 240);
  assert.throws(() => new GradientRecorder({ every: 0 }), /GradientRecorder: every as a positive integer or 'epoch'; got 0/);
});

test('the training report is one self-contained HTML page; savePlot writes svg/json and rejects others; sparkline', async () => {
  manualSeed(3);
  const model = new nn.Sequential(new nn.Linear(4, 3));
  const yTrue = [0, 1, 2, 1, 0, 2, 2, 1];
  const yPred = [0, 1, 1, 1, 0, 2, 2, 0];
  const html = await trainingReport({
    model, history: fakeHistory(0), yTrue, yPred, hyperparameters: { lr: 0.01, hidden: [8, 8] }, classNames: ['a', 'b', 'c'],
    samples: { images: rand([8, 8, 8]), yTrue, yPred }, charts: [{ title: 'a histogram', spec: histogram(randn([100])) }], note: 'unit test <&>',
  });
  assert.equal((html.match(/<svg/g) ?? []).length, 4);
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/);
  assert.match(html, /unit test &#60;&#38;&#62;/);
  assert.match(html, /Linear/);
  assert.match(html, /macro avg/);
  const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique across the inline charts');
  await writeReport(`${dir}/report.html`, { history: fakeHistory(1), yTrue, yPred });
  assert.ok(existsSync(`${dir}/report.html`));
  await savePlot(`${dir}/h.svg`, histogram([1, 2, 3]));
  assert.match(readFileSync(`${dir}/h.svg`, 'utf8'), /^<svg/);
  await savePlot(`${dir}/h.json`, hconcat(histogram([1, 2, 3]), histogram([4, 5])));
  assert.ok(JSON.parse(readFileSync(`${dir}/h.json`, 'utf8')).hconcat.length === 2);
  await assert.rejects(savePlot(`${dir}/h.gif`, histogram([1])), /savePlot: a path ending in .png, .svg or .json; got/);
  assert.equal(sparkline([0.9, 0.7, 0.5, 0.42, 0.4], 5), '█▅▂▁▁');
  assert.equal(sparkline(Array.from({ length: 1000 }, (_, i) => 1000 - i), 10).length, 10);
  assert.equal(sparkline([]), '');
  // PNG text: the DejaVu font from npm draws the title (many grey levels from anti-aliased glyphs).
  const png = decode(await renderPng(linePlot({ a: [1, 2] }, { title: 'Text renders' })));
  assert.ok(content(png).colours > 20);
});
