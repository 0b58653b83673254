// Pictures to files in Node: PNG image grids written atomically.
import { writeFileAtomic } from './io.ts';
import { encodePng, imageGrid } from '../plot/index.ts';
import type { ImageGridOptions, RgbaImage } from '../plot/index.ts';
import type { Tensor } from '../tensor/index.ts';

/** Writes an RGBA picture as a PNG file (atomically). */
export function writePng(path: string, image: RgbaImage): void {
  writeFileAtomic(path, encodePng(image));
}

/**
 * Writes N images as a PNG grid (see {@link imageGrid} for the accepted shapes and options).
 *
 * ```ts
 * saveImageGrid('reconstructions.png', x.slice(0, 0, 32), { cols: 8, scale: 2 });
 * ```
 */
export function saveImageGrid(path: string, images: Tensor, opts: ImageGridOptions = {}): void {
  writePng(path, imageGrid(images, opts));
}
