// S4-6 — convolution and pooling by hand, then with neurona's ops. The seed blurs a 415x620 photo
// with a 10x10 filter of weights 1/100; with no internet we use an MNIST digit upscaled to 84x84 as
// the greyscale image. Output size: (w + 2p − f)/s + 1, so 84 − 10 + 1 = 75. Then the seed's 3x3
// average pooling with stride 2 on a 5x5 input, by hand and with avgPool2d / AvgPool2d.
//
// Run: npx tsx examples/s4-6-convolution-by-hand.ts
// Expected: input 84x84 -> blurred 75x75 (formula 75), an ASCII picture of the blurred 5, the hand loop and
// conv2d agree to float32 rounding on the 0-255 scale;
// padding 2, stride 2 -> 40x40 (formula 40); pooling 5x5 -> 2x2, hand and avgPool2d equal;
// the last line: max |hand - conv2d|: 0.00018
import { avgPool2d, conv2d, full, manualSeed, rand } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { loadMnistSync } from '../src/node/index.ts';

manualSeed(0);
const { train } = loadMnistSync({ trainSize: 1, testSize: 1 });
// Upscale the 28x28 digit 3x (nearest) into an 84x84 "photo" with values 0-255.
const digit = train.images.reshape([28, 28]).contiguousData();
const W = 84;
const img = new Float32Array(W * W);
for (let r = 0; r < W; r++) for (let c = 0; c < W; c++) img[r * W + c] = 255 * digit[Math.floor(r / 3) * 28 + Math.floor(c / 3)]!;

// The seed's loop: im_c[row, col] = sum over the 10x10 patch of image * filter, clipped to [0, 255].
const f = 10;
const out = W - f + 1;
const hand = new Float32Array(out * out);
for (let row = 0; row < out; row++) {
  for (let col = 0; col < out; col++) {
    let s = 0;
    for (let i = 0; i < f; i++) for (let j = 0; j < f; j++) s += img[(row + i) * W + col + j]! * (1 / 100);
    hand[row * out + col] = Math.min(255, Math.max(0, s));
  }
}
const x = full([1, 1, W, W], 0);
x.data().set(img);
const blur = full([1, 1, f, f], 1 / 100);
const y = conv2d(x, blur).clamp(0, 255);
const outSize = (w: number, k: number, p: number, s: number): number => Math.floor((w + 2 * p - k) / s) + 1;
console.log(`input ${W}x${W}, filter ${f}x${f}: output ${y.shape[2]}x${y.shape[3]} (formula (w + 2p − f)/s + 1 = ${outSize(W, f, 0, 1)})`);
const yd = y.contiguousData();
let maxDiff = 0;
for (let i = 0; i < hand.length; i++) maxDiff = Math.max(maxDiff, Math.abs(hand[i]! - yd[i]!));
const strided = conv2d(x, blur, null, { padding: 2, stride: 2 });
console.log(`with padding 2, stride 2: ${strided.shape[2]}x${strided.shape[3]} (formula ${outSize(W, f, 2, 2)})`);
// A coarse picture of the blurred digit (every 5th pixel).
const shades = ' .:-=+*#%@';
for (let r = 0; r < out; r += 5) {
  let line = '';
  for (let c = 0; c < out; c += 3) line += shades[Math.min(9, Math.floor((yd[r * out + c]! / 256) * 10))];
  console.log(line);
}

// Pooling: 3x3 average with stride 2 over a 5x5 input -> 2x2.
const capa = rand([5, 5]);
const a = capa.contiguousData();
const pooled: number[] = [];
for (const [r0, c0] of [[0, 0], [0, 2], [2, 0], [2, 2]] as const) {
  let s = 0;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += a[(r0 + i) * 5 + c0 + j]!;
  pooled.push(s / 9);
}
const byOp = avgPool2d(capa.reshape([1, 1, 5, 5]), 3, { stride: 2 });
const byLayer = new nn.AvgPool2d(3, { stride: 2 }).forward(capa.reshape([1, 1, 5, 5]));
console.log('pooling by hand:   ', pooled.map((v) => v.toFixed(4)).join(' '));
console.log('avgPool2d:         ', Array.from(byOp.contiguousData(), (v) => v.toFixed(4)).join(' '));
console.log('AvgPool2d layer:   ', Array.from(byLayer.contiguousData(), (v) => v.toFixed(4)).join(' '));
console.log(`max |hand - conv2d|: ${maxDiff.toFixed(5)}`);
