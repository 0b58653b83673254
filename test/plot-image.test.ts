import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode } from 'fast-png';
import { tensor, zeros } from '../src/index.ts';
import { encodePng, imageGrid } from '../src/plot/index.ts';

test('imageGrid lays out [N, H*W] images with padding and scale, and encodePng round-trips', () => {
  // two 2x2 images: one black, one white; 2 columns, padding 1, scale 2 -> 11 x 6
  const imgs = tensor([[0, 0, 0, 0], [1, 1, 1, 1]]);
  const g = imageGrid(imgs, { cols: 2, padding: 1, scale: 2, background: 128 });
  assert.equal(g.width, 2 * 4 + 3);
  assert.equal(g.height, 4 + 2);
  const px = (x: number, y: number) => g.data[(y * g.width + x) * 4];
  assert.equal(px(0, 0), 128); // padding
  assert.equal(px(1, 1), 0); // first image
  assert.equal(px(4, 4), 0);
  assert.equal(px(6, 1), 255); // second image
  const png = decode(encodePng(g));
  assert.equal(png.width, g.width);
  assert.deepEqual(Array.from(png.data), Array.from(g.data));
});

test('imageGrid maps ranges, handles RGB NCHW, and rejects bad shapes', () => {
  const rgb = zeros([1, 3, 1, 1]);
  rgb.index(0, 0).fill_(1); // red pixel
  const g = imageGrid(rgb, { padding: 0 });
  assert.deepEqual(Array.from(g.data), [255, 0, 0, 255]);
  const auto = imageGrid(tensor([[[-2, 2]]]), { padding: 0, range: 'auto' });
  assert.deepEqual([auto.data[0], auto.data[4]], [0, 255]);
  assert.throws(() => imageGrid(zeros([2, 5])), /imageGrid: .*5 is not a square/);
  assert.throws(() => imageGrid(zeros([1, 2, 3, 3])), /imageGrid: 1 or 3 channels/);
});
