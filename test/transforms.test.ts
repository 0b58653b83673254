// Tests of neurona/data's image transforms and TransformDataset, and neurona/node's Fashion-MNIST loader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, Generator, ShapeError, Tensor, ValueError, manualSeed, stack, tensor } from '../src/index.ts';
import {
  DataLoader,
  TensorDataset,
  TransformDataset,
  colorJitter,
  compose,
  gaussianNoise,
  normalize,
  randomCrop,
  randomHorizontalFlip,
  randomRotation,
  randomShift,
  randomVerticalFlip,
  randomZoom,
  resize,
} from '../src/data/index.ts';
import type { Dataset, Transform } from '../src/data/index.ts';
import { FASHION_MNIST_CLASSES, fashionMnistDataDir, loadFashionMnistSync } from '../src/node/index.ts';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): void => {
  assert.equal(a.length, b.length, `lengths ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `at ${i}: ${a[i]} vs ${b[i]}`);
};
const flat = (t: Tensor): number[] => Array.from(t.contiguousData());
/** An image [c, h, w] with values 1, 2, 3... */
const img = (c: number, h: number, w: number): Tensor => tensor(Array.from({ length: c * h * w }, (_, i) => i + 1)).reshape([c, h, w]);

test('flips: exact mirror with p = 1, copy with p = 0; names', () => {
  const x = img(1, 2, 3); // [[1,2,3],[4,5,6]]
  assert.deepEqual(flat(randomHorizontalFlip({ p: 1 })(x)), [3, 2, 1, 6, 5, 4]);
  assert.deepEqual(flat(randomVerticalFlip({ p: 1 })(x)), [4, 5, 6, 1, 2, 3]);
  assert.deepEqual(flat(randomHorizontalFlip({ p: 0 })(x)), [1, 2, 3, 4, 5, 6]);
  const two = randomHorizontalFlip({ p: 1 })(img(2, 1, 2)); // each channel mirrored
  assert.deepEqual(flat(two), [2, 1, 4, 3]);
  assert.equal(randomHorizontalFlip().name, 'randomHorizontalFlip');
  assert.equal(compose([normalize({ mean: [0], std: [1] }), resize({ size: 2 })]).name, 'compose(normalize, resize)');
  assert.equal(x.shape.join(), '1,2,3'); // input untouched
  assert.deepEqual(flat(x), [1, 2, 3, 4, 5, 6]);
});

test('randomRotation: ±90° is torch.rot90 (transpose + flip), 180° flips both ways, 0° is the identity', () => {
  const n = 4;
  const x = img(2, n, n);
  const v = flat(x);
  const at = (c: number, r: number, col: number): number => v[c * n * n + r * n + col]!;
  const want = (f: (r: number, c: number) => [number, number]): number[] => {
    const out: number[] = [];
    for (let c = 0; c < 2; c++) for (let r = 0; r < n; r++) for (let col = 0; col < n; col++) out.push(at(c, ...f(r, col)));
    return out;
  };
  close(flat(randomRotation({ degrees: [90, 90] })(x)), want((r, c) => [c, n - 1 - r])); // counter-clockwise
  close(flat(randomRotation({ degrees: [-90, -90] })(x)), want((r, c) => [n - 1 - c, r]));
  close(flat(randomRotation({ degrees: [180, 180] })(x)), want((r, c) => [n - 1 - r, n - 1 - c]));
  close(flat(randomRotation({ degrees: 0 })(x)), v);
  // 45° on a 3x3: the centre stays, the corners come from outside (partly zero), bilinear in between.
  const y = flat(randomRotation({ degrees: [45, 45] })(img(1, 3, 3)));
  close([y[4]!], [5]);
  // out(row 0, col 1) = in at (x, y) = (1 + sin45, 1 - cos45) = (1.707, 0.293): bilinear of 2, 3, 5, 6.
  const f = 1 - Math.SQRT1_2;
  close([y[1]!], [f * (1 - f) * 2 + (1 - f) * (1 - f) * 3 + f * f * 5 + (1 - f) * f * 6]);
  // out(0,0) samples in at (1, 1 - √2) = (1, -0.414): 0.414 of zero fill, 0.586 of in(0, 1) = 2.
  close([y[0]!], [(1 - (Math.SQRT2 - 1)) * 2]);
});

test('randomCrop: zero padding then a crop, at every position over many draws', () => {
  const x = img(1, 2, 2); // [[1,2],[3,4]]
  assert.deepEqual(flat(randomCrop({ size: 4, padding: 1 })(x)), [0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0]);
  const padded = [0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0];
  const windows = new Set<string>();
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) windows.add([padded[r * 4 + c], padded[r * 4 + c + 1], padded[r * 4 + c + 4], padded[r * 4 + c + 5]].join());
  const seen = new Set<string>();
  const g = new Generator(1);
  const crop = randomCrop({ padding: 1 }); // size defaults to the input's: 2x2
  for (let i = 0; i < 200; i++) {
    const out = crop(x, g);
    assert.deepEqual(out.shape, [1, 2, 2]);
    const key = flat(out).join();
    assert.ok(windows.has(key), `unexpected crop ${key}`);
    seen.add(key);
  }
  assert.equal(seen.size, 9);
  assert.deepEqual(randomCrop({ size: [1, 2] })(img(1, 3, 2), g).shape, [1, 1, 2]);
  assert.throws(() => randomCrop({ size: 5, padding: 1 })(x), (e: Error) => e instanceof ShapeError && /^randomCrop: a crop size no larger than the padded image \[4,4\]; got size \[5,5\]/.test(e.message));
});

test('randomShift: whole-pixel shifts with zero fill', () => {
  const x = img(1, 2, 2);
  const allowed = new Set(['0,1,0,3', '1,2,3,4', '2,0,4,0']);
  const seen = new Set<string>();
  const g = new Generator(2);
  for (let i = 0; i < 100; i++) {
    const key = flat(randomShift({ maxDx: 1, maxDy: 0 })(x, g)).join();
    assert.ok(allowed.has(key), key);
    seen.add(key);
  }
  assert.equal(seen.size, 3);
  assert.deepEqual(flat(randomShift({ maxDx: 0 })(x)), [1, 2, 3, 4]);
  assert.throws(() => randomShift({ maxDx: 1.5 }), /randomShift: maxDx an integer >= 0; got 1.5/);
});

test('resize: bilinear, align_corners=false, matching PyTorch', () => {
  // torch.nn.functional.interpolate(tensor([[[[1,2],[3,4]]]]), size=(4,4), mode='bilinear', align_corners=False)
  const up = resize({ size: [4, 4] })(img(1, 2, 2));
  assert.deepEqual(up.shape, [1, 4, 4]);
  close(flat(up), [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]);
  // size (3,3): source coords 0 (clamped from -1/6), 0.5, 1 (clamped at the edge).
  close(flat(resize({ size: 3 })(img(1, 2, 2))), [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4]);
  // 4x4 -> 2x2 samples at 0.5 and 2.5: the mean of each 2x2 block.
  close(flat(resize({ size: 2 })(img(1, 4, 4))), [3.5, 5.5, 11.5, 13.5]);
  // a batch, non-square, float64 kept
  const b = resize({ size: [3, 5] })(stack([img(2, 2, 2), img(2, 2, 2)]).double());
  assert.deepEqual(b.shape, [2, 2, 3, 5]);
  assert.equal(b.dtype, 'float64');
});

test('normalize: per channel (x - mean) / std; count and std checks', () => {
  const x = img(2, 1, 2); // ch0 [1,2], ch1 [3,4]
  close(flat(normalize({ mean: [1, 2], std: [2, 0.5] })(x)), [0, 0.5, 2, 4]);
  const batch = normalize({ mean: [1, 2], std: [2, 0.5] })(stack([x, x]));
  close(flat(batch), [0, 0.5, 2, 4, 0, 0.5, 2, 4]);
  assert.throws(
    () => normalize({ mean: [0.5], std: [0.5] })(x),
    (e: Error) => e instanceof ShapeError && /^normalize: an image with 1 channel \(one per mean\/std value\); got 2 channels/.test(e.message),
  );
  assert.throws(() => normalize({ mean: [0, 0], std: [1, 0] }), (e: Error) => e instanceof ValueError && /^normalize: std values other than 0 .*; got std\[1\] = 0/.test(e.message));
  assert.throws(() => normalize({ mean: [0, 0], std: [1] }), /normalize: as many std values as mean values .*; got 2 means and 1 stds/);
});

test('randomZoom, colorJitter, gaussianNoise: hand-checked values and invariants', () => {
  const x = img(1, 3, 3); // 1..9
  // scale 2 about the centre: out(0,0) = in(0.5, 0.5) = mean(1,2,4,5); the centre stays.
  const zin = flat(randomZoom({ range: [2, 2] })(x));
  close([zin[0]!, zin[4]!, zin[8]!], [3, 5, 7]);
  // scale 0.5: out(x) = in(2x - 1): only the centre comes from inside.
  close(flat(randomZoom({ range: [0.5, 0.5] })(x)), [0, 0, 0, 0, 5, 0, 0, 0, 0]);

  const g = new Generator(3);
  const b = flat(colorJitter({ brightness: 0.5 })(x, g));
  const k = b[0]! / 1;
  assert.ok(k >= 0.5 && k <= 1.5);
  close(b, flat(x).map((v) => v * k));
  const c = flat(colorJitter({ contrast: 0.5 })(x, g));
  const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
  close([mean(c)], [5]); // contrast keeps the mean
  const f = (c[8]! - 5) / (9 - 5);
  assert.ok(f >= 0.5 && f <= 1.5);
  close(c, flat(x).map((v) => f * v + (1 - f) * 5));

  close(flat(gaussianNoise({ std: 0 })(x)), flat(x));
  const noise = flat(gaussianNoise({ std: 2, mean: 1 })(tensor(new Array(20000).fill(0)).reshape([1, 100, 200]), g));
  const m = mean(noise);
  const sd = Math.sqrt(mean(noise.map((v) => (v - m) ** 2)));
  assert.ok(Math.abs(m - 1) < 0.05 && Math.abs(sd - 2) < 0.05, `mean ${m}, std ${sd}`);
});

test('determinism with a seed, per-sample draws in a batch, the global generator', () => {
  const aug = compose([
    randomCrop({ padding: 2 }),
    randomHorizontalFlip(),
    randomRotation({ degrees: 20 }),
    randomZoom({ range: [0.9, 1.1] }),
    colorJitter({ brightness: 0.2, contrast: 0.2 }),
    gaussianNoise({ std: 0.01 }),
  ]);
  const x = img(1, 8, 8).div(64);
  const batch = stack(Array.from({ length: 6 }, () => x));
  const a = aug(batch, new Generator(42));
  const b = aug(batch, new Generator(42));
  assert.deepEqual(flat(a), flat(b));
  assert.notDeepEqual(flat(aug(batch, new Generator(43))), flat(a));
  // each sample has its own draws...
  const rows = Array.from({ length: 6 }, (_, i) => flat(a.select(0, i)).join());
  assert.equal(new Set(rows).size, 6);
  // ...the same as transforming the samples one by one with the same stream.
  const g = new Generator(7);
  const rot = randomRotation({ degrees: 30 });
  const whole = rot(batch, g);
  const g2 = new Generator(7);
  const one = stack(Array.from({ length: 6 }, () => rot(x, g2)));
  close(flat(whole), flat(one));
  // default: the global generator, reset by manualSeed
  manualSeed(5);
  const c = aug(batch);
  manualSeed(5);
  assert.deepEqual(flat(aug(batch)), flat(c));
});

test('errors: non-image input, integer dtype, keepShape, bad options', () => {
  const flip = randomHorizontalFlip({ p: 1 });
  assert.throws(
    () => flip(tensor([1, 2, 3])),
    (e: Error) => e instanceof ShapeError && /^randomHorizontalFlip: an image \[C,H,W\] or a batch of images \[N,C,H,W\]; got shape \[3\]\. Transforms apply to images only/.test(e.message),
  );
  assert.throws(() => flip(tensor([[1, 2]])), /got shape \[1,2\]/);
  assert.throws(() => flip(Tensor.fromData(new Int32Array(4), [1, 2, 2], 'int32')), (e: Error) => e instanceof DTypeError && /got int32\. Convert with \.float\(\)/.test(e.message));
  const keep = compose([randomHorizontalFlip(), resize({ size: 4 })], { keepShape: true });
  assert.throws(
    () => keep(img(1, 2, 2)),
    (e: Error) => e instanceof ShapeError && /^compose: transforms that keep the sample shape \[1,2,2\] \(keepShape\); got \[1,4,4\] from resize/.test(e.message),
  );
  assert.deepEqual(compose([resize({ size: 4 })])(img(1, 2, 2)).shape, [1, 4, 4]); // fine without keepShape
  assert.throws(() => randomHorizontalFlip({ p: 2 }), /randomHorizontalFlip: p \(a probability\) a number >= 0 <= 1; got 2/);
  assert.throws(() => randomRotation({ degrees: [10, -10] }), /lo <= hi/);
  assert.throws(() => randomZoom({ range: [0, 1] }), ValueError);
  assert.throws(() => gaussianNoise({ std: -1 }), ValueError);
  assert.throws(() => resize({ size: [0, 2] }), /resize: size an integer >= 1; got 0/);
  assert.throws(() => compose([1 as unknown as Transform]), /compose: transforms as functions .*; got number at position 0/);
});

test('TransformDataset: per-batch augmentation through a DataLoader, labels untouched', () => {
  const n = 10;
  const x = stack(Array.from({ length: n }, (_, i) => img(1, 2, 2).add(10 * i))); // sample i: [[1,2],[3,4]] + 10i
  const y = tensor(Array.from({ length: n }, (_, i) => i)).int();
  const ds = new TransformDataset(new TensorDataset(x, y), randomHorizontalFlip({ p: 1 }));
  assert.equal(ds.length, n);
  const [x3, y3] = ds.get(3) as Tensor[];
  assert.deepEqual(flat(x3!), [32, 31, 34, 33]);
  assert.equal(y3!.item(), 3);
  let count = 0;
  for (const [xb, yb] of new DataLoader(ds, { batchSize: 4, shuffle: true, generator: new Generator(1) })) {
    assert.deepEqual(xb!.shape.slice(1), [1, 2, 2]);
    flat(yb!).forEach((label, r) => assert.deepEqual(flat(xb!.select(0, r)), [2, 1, 4, 3].map((v) => v + 10 * label)));
    count += yb!.shape[0]!;
  }
  assert.equal(count, n);

  // a dataset without getBatch (samples collated first), object samples, and fresh draws every epoch
  const plain: Dataset<{ image: Tensor; label: number }> = { length: n, get: (i) => ({ image: x.select(0, i), label: i }) };
  const shifted = new TransformDataset(plain, randomShift({ maxDx: 1, maxDy: 1 }), { index: 'image', generator: new Generator(9) });
  const loader = new DataLoader(shifted, { batchSize: n });
  const [e1] = [...loader];
  const [e2] = [...loader];
  assert.deepEqual(e1!.image.shape, [n, 1, 2, 2]);
  assert.deepEqual(flat(e1!.label), Array.from({ length: n }, (_, i) => i));
  assert.notDeepEqual(flat(e1!.image), flat(e2!.image));

  // the transform pointed at the labels, or one that drops rows, is refused
  const wrong = new TransformDataset(new TensorDataset(x, y), randomHorizontalFlip(), { index: 1 });
  assert.throws(() => wrong.getBatch(new Int32Array([0, 1])), (e: Error) => e instanceof ShapeError && /got shape \[2\]\. Transforms apply to images only/.test(e.message));
  const dropper = Object.assign((t: Tensor) => t.narrow(0, 0, 1), {}) as Transform;
  const bad = new TransformDataset(new TensorDataset(x, y), dropper);
  assert.throws(
    () => bad.getBatch(new Int32Array([0, 1, 2])),
    (e: Error) => e instanceof ShapeError && /^TransformDataset: a transform that keeps one image per sample .*so labels stay aligned; got \[1,1,2,2\]/.test(e.message),
  );
  assert.throws(() => new TransformDataset(new TensorDataset(x, y), randomHorizontalFlip(), { index: -1 }), ValueError);
});

let haveFashion = true;
try {
  fashionMnistDataDir();
} catch {
  haveFashion = false;
}

test('loadFashionMnistSync: 60000/10000 images from the fashion-mnist package, labels 0..9', { skip: !haveFashion && 'fashion-mnist not installed' }, () => {
  const { train, test: te } = loadFashionMnistSync({ flatten: false });
  assert.deepEqual(train.images.shape, [60000, 1, 28, 28]);
  assert.deepEqual(te.images.shape, [10000, 1, 28, 28]);
  for (const [labels, per] of [[train.labels, 6000], [te.labels, 1000]] as const) {
    const counts = new Array<number>(10).fill(0);
    for (const v of labels.contiguousData()) counts[v]!++;
    assert.deepEqual(counts, new Array(10).fill(per));
  }
  const px = train.images.contiguousData();
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < 784 * 100; i++) {
    lo = Math.min(lo, px[i]!);
    hi = Math.max(hi, px[i]!);
  }
  assert.ok(lo === 0 && hi === 1, `pixels in [${lo}, ${hi}]`);
  assert.equal(FASHION_MNIST_CLASSES.length, 10);
  assert.equal(FASHION_MNIST_CLASSES[9], 'Ankle boot');
  const small = loadFashionMnistSync({ trainSize: 100, testSize: 10 });
  assert.deepEqual(small.train.images.shape, [100, 784]);
  assert.deepEqual(flat(small.train.labels), flat(train.labels.narrow(0, 0, 100))); // the same fixed split every time
});
