// Convolution and pooling: values worked out by hand, output sizes, the layer defaults, clear
// errors, and a small CNN that learns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, avgPool2d, conv2d, interpolateBilinear, manualSeed, maxPool2d, ones, randn, randint, setBackend, tensor } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { Adam } from '../src/optim/index.ts';

test('conv2d values by hand: 3x3 image, 2x2 kernel, stride, padding, bias, channels', () => {
  const x = arange(9).float().reshape([1, 1, 3, 3]); // 0..8
  const w = tensor([[[[1, 0], [0, -1]]]]); // x[i][j] - x[i+1][j+1] = -4 everywhere
  assert.deepEqual(conv2d(x, w).toArray(), [[[[-4, -4], [-4, -4]]]]);
  assert.deepEqual(conv2d(x, w, tensor([10])).toArray(), [[[[6, 6], [6, 6]]]]);
  // padding 1, stride 2: windows at (-1,-1), (-1,1), (1,-1), (1,1): 0 - x00, 0 - x02, 0 - x20, x11 - x22
  assert.deepEqual(conv2d(x, w, null, { padding: 1, stride: 2 }).toArray(), [[[[0, -2], [-6, -4]]]]);
  // two input channels are summed; 'same' keeps the size
  const x2 = ones([1, 2, 4, 4]);
  assert.deepEqual(conv2d(x2, ones([3, 2, 3, 3]), null, { padding: 'same' }).shape, [1, 3, 4, 4]);
  assert.equal(conv2d(x2, ones([1, 2, 3, 3]), null, { padding: 'same' }).index(0, 0, 1, 1).item(), 18);
  // the seed's output size formula (w + 2p - f)/s + 1
  assert.deepEqual(conv2d(randn([2, 1, 28, 28]), randn([4, 1, 10, 10])).shape, [2, 4, 19, 19]);
  assert.deepEqual(conv2d(randn([2, 1, 28, 28]), randn([4, 1, 5, 5]), null, { stride: 2, padding: 1 }).shape, [2, 4, 13, 13]);
});

test('pooling values by hand', () => {
  const x = arange(16).float().reshape([1, 1, 4, 4]);
  assert.deepEqual(maxPool2d(x, 2).toArray(), [[[[5, 7], [13, 15]]]]);
  assert.deepEqual(avgPool2d(x, 2).toArray(), [[[[2.5, 4.5], [10.5, 12.5]]]]);
  // 3x3 average, stride 1
  assert.deepEqual(avgPool2d(x, 3, { stride: 1 }).toArray(), [[[[5, 6], [9, 10]]]]);
  // padding counted in the divisor (PyTorch's default) or not
  assert.equal(avgPool2d(x, 2, { padding: 1 }).index(0, 0, 0, 0).item(), 0 / 4);
  assert.equal(avgPool2d(x.add(1), 2, { padding: 1, countIncludePad: false }).index(0, 0, 0, 0).item(), 1);
});

test('WASM and TS backends give the same convolution', () => {
  manualSeed(1);
  const x = randn([3, 4, 9, 9]);
  const w = randn([8, 4, 3, 3]);
  const a = conv2d(x, w, null, { padding: 1 }).contiguousData();
  setBackend('ts');
  const b = conv2d(x, w, null, { padding: 1 }).contiguousData();
  setBackend('wasm');
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-4);
});

test('clear errors: channels, kernel larger than the padded input, non-4D input, groups', () => {
  assert.throws(() => conv2d(randn([1, 3, 5, 5]), randn([2, 2, 3, 3])), /conv2d: an input with 2 channels .*got 3 channels/);
  assert.throws(() => conv2d(randn([1, 1, 2, 2]), randn([1, 1, 3, 3])), /conv2d: a kernel \(3x3, dilation 1x1\) no larger than the padded input; got input 2x2/);
  assert.throws(() => conv2d(randn([1, 5, 5]), randn([1, 1, 3, 3])), /conv2d: a 4-d input \[N, C, H, W\]; got \[1,5,5\]/);
  assert.throws(() => new nn.Conv2d(3, 4, 3, { groups: 2 }), /Conv2d: in and out channels divisible by groups/);
  assert.throws(() => new nn.Conv2d(3, 4, 3).forward(randn([1, 1, 8, 8])), /Conv2d: an input with 3 channels in dim 1; got \[1,1,8,8\]/);
  assert.throws(() => maxPool2d(randn([1, 1, 2, 2]), 3), /maxPool2d: a kernel \(3x3\) no larger than the padded input/);
});

test('Conv2d default init bound 1/sqrt(fanIn); BatchNorm2d normalises per channel', () => {
  manualSeed(2);
  const c = new nn.Conv2d(4, 8, 3);
  const bound = 1 / Math.sqrt(4 * 9);
  assert.ok(c.weight.abs().max().item() <= bound + 1e-7);
  assert.ok(c.bias!.abs().max().item() <= bound + 1e-7);
  const bn = new nn.BatchNorm2d(3);
  const x = randn([4, 3, 5, 5]).mul(3).add(2);
  const y = bn.forward(x);
  const m = y.mean([0, 2, 3]).toArray() as number[];
  m.forEach((v) => assert.ok(Math.abs(v) < 1e-5));
  assert.deepEqual(bn.runningMean.shape, [3]);
});

test("the seed's Mnist_CNN builds (flatten 200) and one Adam step lowers the loss", () => {
  manualSeed(3);
  const net = new nn.Sequential(
    new nn.Conv2d(1, 32, 3), new nn.ReLU(), new nn.Conv2d(32, 32, 3), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(32, 2, 3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(200, 50), new nn.ReLU(), new nn.Linear(50, 10),
  );
  const x = randn([8, 1, 28, 28]);
  const y = randint(0, 10, [8]);
  const opt = new Adam(net.parameters(), { lr: 1e-3 });
  const loss = (): number => nn.crossEntropy(net.forward(x), y).item();
  const before = loss();
  for (let i = 0; i < 5; i++) {
    const l = nn.crossEntropy(net.forward(x), y);
    opt.zeroGrad();
    l.backward();
    opt.step();
  }
  assert.ok(loss() < before);
  assert.deepEqual(new nn.AdaptiveAvgPool2d().forward(randn([2, 5, 3, 3])).shape, [2, 5, 1, 1]);
});

test('freeze / unfreeze by module or name pattern; summary counts frozen parameters as non-trainable', async () => {
  const K = await import('../src/model/index.ts');
  manualSeed(4);
  const features = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.ReLU());
  const head = new nn.Linear(4 * 26 * 26, 10);
  const net = new nn.Sequential({ features, head });
  net.freeze('features.');
  const trainable = net.namedParameters().filter(([, p]) => p.requiresGrad).map(([n]) => n);
  assert.deepEqual(trainable, ['head.weight', 'head.bias']);
  assert.match(K.summary(net), new RegExp(`Non-trainable params: ${4 * 9 + 4}\\b`));
  // Fine-tuning: a smaller learning rate for the backbone through param groups.
  net.unfreeze(/^features/);
  const opt = new Adam([{ params: features.parameters(), lr: 1e-4 }, { params: head.parameters(), lr: 1e-3 }]);
  assert.deepEqual(opt.paramGroups.map((g) => g.lr), [1e-4, 1e-3]);
  assert.throws(() => net.freeze('nope.'), /freeze: a pattern matching some parameter names/);
});

test('Keras-style CNN: conv2d/maxPooling2d/globalAveragePooling2d layers train, save and load', async () => {
  const K = await import('../src/model/index.ts');
  manualSeed(5);
  const m = K.sequential([
    K.input({ shape: [1, 12, 12] }),
    K.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inChannels: 1, padding: 'same' }),
    K.batchNormalization2d({ channels: 4 }),
    K.maxPooling2d({ poolSize: 2 }),
    K.globalAveragePooling2d(),
    K.dense({ units: 3, activation: 'softmax' }),
  ]);
  const x = randn([16, 1, 12, 12]);
  const y = randint(0, 3, [16]);
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const h = m.fit(x, y, { epochs: 15, batchSize: 8, verbose: 0 });
  assert.ok(h.history.loss!.at(-1)! < h.history.loss![0]!);
  const l = K.loadModelBytes(K.saveModelBytes(m));
  assert.deepEqual((l.predict(x) as import('../src/index.ts').Tensor).toArray(), (m.predict(x) as import('../src/index.ts').Tensor).toArray());
});

test('S4-9 blocks: residual (identity and projection), VGG stack, Inception, separable and Xception; a tiny ResNet learns', () => {
  manualSeed(6);
  const x = randn([2, 8, 8, 8]);
  assert.ok(new nn.ResidualBlock(8, 8).shortcut instanceof nn.Identity);
  assert.deepEqual(new nn.ResidualBlock(8, 8).forward(x).shape, [2, 8, 8, 8]);
  assert.deepEqual(new nn.ResidualBlock(8, 16, 2).forward(x).shape, [2, 16, 4, 4]);
  assert.deepEqual(nn.vggBlock(8, 12, 2).forward(x).shape, [2, 12, 4, 4]);
  assert.deepEqual(new nn.InceptionBlock(8, { c1: 4, c3reduce: 3, c3: 5, c5reduce: 2, c5: 3, pool: 2 }).forward(x).shape, [2, 14, 8, 8]);
  const sep = new nn.SeparableConv2d(8, 16);
  assert.deepEqual(sep.forward(x).shape, [2, 16, 8, 8]);
  assert.equal(sep.numParameters(), 8 * 9 + (8 * 16 + 16)); // vs 8*16*9 + 16 for a full 3x3 conv
  assert.deepEqual(new nn.XceptionBlock(8, 16).forward(x).shape, [2, 16, 8, 8]);
  const net = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ResidualBlock(4, 8, 2), new nn.AdaptiveAvgPool2d(), new nn.Flatten(), new nn.Linear(8, 2));
  const xi = randn([16, 1, 8, 8]);
  const y = xi.mean([1, 2, 3]).gt(0).int();
  const opt = new Adam(net.parameters(), { lr: 0.01 });
  const first = nn.crossEntropy(net.forward(xi), y).item();
  for (let i = 0; i < 30; i++) {
    const l = nn.crossEntropy(net.forward(xi), y);
    opt.zeroGrad();
    l.backward();
    opt.step();
  }
  assert.ok(nn.crossEntropy(net.forward(xi), y).item() < first);
});

test('convTranspose2d is the adjoint of conv2d; DCGAN-style sizes; Upsample; Dropout2d drops whole channels', async () => {
  const { convTranspose2d, upsampleNearest } = await import('../src/index.ts');
  manualSeed(7);
  const x = randn([2, 3, 9, 9]);
  const w = randn([4, 3, 3, 3]);
  const opts = { stride: 2, padding: 1 } as const;
  const y = conv2d(x, w, null, opts);
  const g = randn(y.shape);
  // <conv2d(x), g> = <x, convT(g)> with the same weight (convT weight layout [in=4, out=3, k, k]).
  const lhs = y.mul(g).sum().item();
  const rhs = x.mul(convTranspose2d(g, w, null, { ...opts, outputPadding: 0 })).sum().item();
  assert.ok(Math.abs(lhs - rhs) < 1e-3 * Math.abs(lhs) + 1e-3, `${lhs} vs ${rhs}`);
  assert.deepEqual(new nn.ConvTranspose2d(8, 4, 4, { stride: 2, padding: 1 }).forward(randn([2, 8, 7, 7])).shape, [2, 4, 14, 14]);
  assert.deepEqual(upsampleNearest(tensor([[[[1, 2], [3, 4]]]]), 2).toArray(), [[[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]]);
  const d = new nn.Dropout2d(0.5).forward(ones([4, 6, 3, 3]));
  const perChannel = (d.sum([2, 3]).toArray() as number[][]).flat();
  assert.ok(perChannel.every((v) => v === 0 || v === 18));
});

test('Conv1d equals a height-1 Conv2d and has finite-difference gradients', async () => {
  const { gradcheck } = await import('../src/index.ts');
  manualSeed(8);
  const c = new nn.Conv1d(3, 4, 3, { padding: 1, stride: 2, dtype: 'float64' });
  const x = randn([2, 3, 9], { dtype: 'float64' }).requiresGrad_();
  assert.deepEqual(c.forward(x).shape, [2, 4, 5]);
  const ref = conv2d(x.unsqueeze(2), c.weight.unsqueeze(2), c.bias, { padding: [0, 1], stride: [1, 2] }).squeeze(2);
  assert.deepEqual(c.forward(x).toArray(), ref.toArray());
  assert.ok(gradcheck((a) => c.forward(a), [x]));
  assert.deepEqual(new nn.Conv1d(2, 2, 5, { padding: 'same' }).forward(randn([1, 2, 7])).shape, [1, 2, 7]);
  assert.throws(() => new nn.Conv1d(2, 2, 3).forward(randn([1, 3, 7])), /Conv1d: an input with 2 channels in dim 1; got \[1,3,7\]/);
});

test('bilinear interpolation and Upsample(mode bilinear) match PyTorch (align_corners=False)', () => {
  // F.interpolate(torch.tensor([[[[1., 2.], [3., 4.]]]]), size=(4, 4), mode='bilinear', align_corners=False)
  const x = tensor([[[[1, 2], [3, 4]]]]);
  assert.deepEqual(interpolateBilinear(x, 4).reshape([4, 4]).toArray(), [
    [1, 1.25, 1.75, 2],
    [1.5, 1.75, 2.25, 2.5],
    [2.5, 2.75, 3.25, 3.5],
    [3, 3.25, 3.75, 4],
  ]);
  const up = new nn.Upsample(2, { mode: 'bilinear' });
  assert.deepEqual(up.forward(x).toArray(), interpolateBilinear(x, [4, 4]).toArray());
  assert.deepEqual((new nn.Upsample(2).forward(x).reshape([4, 4]).toArray() as number[][])[0], [1, 1, 2, 2]);
  assert.throws(() => interpolateBilinear(tensor([1, 2]), 4), /interpolate: a 4-d input \[N, C, H, W\]; got \[2\]/);
  assert.throws(() => new nn.Upsample(2, { mode: 'cubic' as 'bilinear' }), /Upsample: mode 'nearest' or 'bilinear'; got 'cubic'/);
});
