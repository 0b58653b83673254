// Image grids: tensors of images laid out as one RGBA picture and encoded as PNG (fast-png, pure JS, so
// this runs in browsers too; writing the file lives in src/node/plot.ts).
import { encode } from 'fast-png';
import { ShapeError, ValueError } from '../core/index.ts';
import { concat } from '../tensor/index.ts';
import type { Tensor } from '../tensor/index.ts';

/** An 8-bit RGBA picture, row-major, 4 bytes per pixel. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Options for {@link imageGrid}. */
export interface ImageGridOptions {
  /** Images per row (default: ceil(sqrt(N))). */
  cols?: number;
  /** Pixels between images (default 2). */
  padding?: number;
  /** Each source pixel becomes a `scale` x `scale` block (default 1). */
  scale?: number;
  /** Value range mapped to 0..255: 'auto' = each image's own min..max; default [0, 1]. */
  range?: [number, number] | 'auto';
  /** Colour of the padding, grey level 0..255 (default 255, white). */
  background?: number;
}

/**
 * Lays out N images as a grid. `images` is [N, H, W] (grey), [N, C, H, W] with C = 1 or 3 (NCHW, as the
 * conv layers use), or [N, H*W] with square images (as a dense autoencoder outputs); values are mapped
 * from `range` to 0..255 and clamped.
 *
 * ```ts
 * const png = encodePng(imageGrid(x.slice(0, 0, 16), { cols: 8, scale: 2 }));
 * ```
 */
export function imageGrid(images: Tensor, opts: ImageGridOptions = {}): RgbaImage {
  let n: number, c: number, h: number, w: number;
  const s = images.shape;
  if (s.length === 2) {
    const side = Math.round(Math.sqrt(s[1]!));
    if (side * side !== s[1]) throw new ShapeError(`imageGrid: [N, H*W] with square images, [N, H, W] or [N, C, H, W]; got [${s.join(', ')}] (${s[1]} is not a square)`);
    [n, c, h, w] = [s[0]!, 1, side, side];
  } else if (s.length === 3) {
    [n, c, h, w] = [s[0]!, 1, s[1]!, s[2]!];
  } else if (s.length === 4) {
    [n, c, h, w] = [s[0]!, s[1]!, s[2]!, s[3]!];
    if (c !== 1 && c !== 3) throw new ShapeError(`imageGrid: 1 or 3 channels in [N, C, H, W]; got C = ${c} in [${s.join(', ')}]`);
  } else {
    throw new ShapeError(`imageGrid: images as [N, H*W], [N, H, W] or [N, C, H, W]; got [${s.join(', ')}]`);
  }
  if (n === 0) throw new ValueError('imageGrid: at least one image; got N = 0');
  const cols = opts.cols ?? Math.ceil(Math.sqrt(n));
  const pad = opts.padding ?? 2;
  const scale = opts.scale ?? 1;
  if (!Number.isInteger(cols) || cols < 1 || !Number.isInteger(pad) || pad < 0 || !Number.isInteger(scale) || scale < 1) {
    throw new ValueError(`imageGrid: integer cols >= 1, padding >= 0, scale >= 1; got cols=${cols}, padding=${pad}, scale=${scale}`);
  }
  const rows = Math.ceil(n / cols);
  const width = cols * w * scale + (cols + 1) * pad;
  const height = rows * h * scale + (rows + 1) * pad;
  const out = new Uint8Array(width * height * 4).fill(opts.background ?? 255);
  const src = images.contiguousData();
  const per = c * h * w;
  for (let k = 0; k < n; k++) {
    let lo = 0, hi = 1;
    if (opts.range === 'auto') {
      lo = Infinity;
      hi = -Infinity;
      for (let i = k * per; i < (k + 1) * per; i++) {
        const v = Number(src[i]);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (!(hi > lo)) hi = lo + 1;
    } else if (opts.range) {
      [lo, hi] = opts.range;
      if (!(hi > lo)) throw new ValueError(`imageGrid: range [lo, hi] with hi > lo; got [${lo}, ${hi}]`);
    }
    const k0 = (k % cols) * (w * scale + pad) + pad;
    const r0 = Math.floor(k / cols) * (h * scale + pad) + pad;
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) {
        const o = ((r0 + y) * width + k0 + x) * 4;
        const p = Math.floor(y / scale) * w + Math.floor(x / scale);
        for (let ch = 0; ch < 3; ch++) {
          const v = Number(src[k * per + (c === 3 ? ch * h * w : 0) + p]);
          out[o + ch] = Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo)) * 255)));
        }
        out[o + 3] = 255;
      }
    }
  }
  return { width, height, data: out };
}

/** Encodes an RGBA picture as PNG bytes. */
export function encodePng(image: RgbaImage): Uint8Array {
  if (image.data.length !== image.width * image.height * 4) {
    throw new ShapeError(`encodePng: ${image.width}x${image.height}x4 = ${image.width * image.height * 4} bytes of RGBA; got ${image.data.length}`);
  }
  return encode({ width: image.width, height: image.height, data: image.data, channels: 4, depth: 8 });
}

/**
 * Convolution filters as a grid: a conv weight [out, in, kH, kW] shows one tile per output channel, in
 * colour when in = 3, else grey (the mean over the input channels, or input channel `channel`); each
 * filter is scaled to its own min..max.
 */
export function filterGrid(weight: Tensor, opts: ImageGridOptions & { channel?: number } = {}): RgbaImage {
  if (weight.ndim !== 4) throw new ShapeError(`filterGrid: a conv weight [out, in, kH, kW]; got [${weight.shape.join(', ')}]`);
  const inC = weight.shape[1]!;
  let w = weight.detach();
  if (opts.channel !== undefined) {
    if (!Number.isInteger(opts.channel) || opts.channel < 0 || opts.channel >= inC) throw new ValueError(`filterGrid: channel an integer in [0, ${inC}); got ${opts.channel}`);
    w = w.narrow(1, opts.channel, 1);
  } else if (inC !== 1 && inC !== 3) {
    w = w.mean(1, true);
  }
  const k = Math.max(w.shape[2]!, w.shape[3]!);
  return imageGrid(w, { range: 'auto', scale: Math.max(1, Math.round(24 / k)), padding: 2, ...opts });
}

/** Feature maps [C, H, W] or [1, C, H, W] (one sample's activations) as a grid of grey tiles, each scaled to its own min..max. */
export function featureMapGrid(maps: Tensor, opts: ImageGridOptions = {}): RgbaImage {
  let m = maps.detach();
  if (m.ndim === 4 && m.shape[0] === 1) m = m.reshape(m.shape.slice(1));
  if (m.ndim !== 3) throw new ShapeError(`featureMapGrid: feature maps [C, H, W] or [1, C, H, W]; got [${maps.shape.join(', ')}]`);
  return imageGrid(m, { range: 'auto', scale: Math.max(1, Math.round(48 / m.shape[1]!)), ...opts });
}

/**
 * Originals above their reconstructions: rows of `cols` originals, each followed by a row of the
 * matching reconstructions (both as imageGrid takes them, same shape).
 */
export function reconstructionGrid(originals: Tensor, reconstructions: Tensor, opts: ImageGridOptions = {}): RgbaImage {
  if (originals.shape.join() !== reconstructions.shape.join()) {
    throw new ShapeError(`reconstructionGrid: originals and reconstructions of one shape; got [${originals.shape.join(', ')}] and [${reconstructions.shape.join(', ')}]`);
  }
  const n = originals.shape[0]!;
  const cols = opts.cols ?? Math.min(n, 10);
  const parts: Tensor[] = [];
  for (let i = 0; i < n; i += cols) {
    const k = Math.min(cols, n - i);
    const pad = (t: Tensor): Tensor => (k < cols ? concat([t, t.newZeros([cols - k, ...t.shape.slice(1)]).fill_(opts.range === 'auto' ? 0 : (opts.range?.[1] ?? 1))], 0) : t);
    parts.push(pad(originals.detach().narrow(0, i, k)), pad(reconstructions.detach().narrow(0, i, k)));
  }
  return imageGrid(concat(parts, 0), { ...opts, cols });
}
