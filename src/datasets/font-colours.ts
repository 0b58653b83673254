// The font-colour data set of course notebook S2: random RGB backgrounds labelled light/dark font by WCAG contrast.
import { ValueError } from '../core/index.ts';
import { Tensor, defaultGenerator } from '../tensor/index.ts';
import type { Generator } from '../tensor/index.ts';

/** Options of `makeFontColours`. */
export interface FontColoursOptions {
  /** The number of background colours (default 1345, the size of the notebook's CSV). */
  nSamples?: number;
  /** The random generator (default: the global one, seeded with manualSeed). */
  generator?: Generator;
}

/** The font-colour data: inputs scaled to [0, 1], labels, and the raw colours. */
export interface FontColours {
  /** Background colours float32 [n, 3]: (R, G, B) / 255. */
  x: Tensor;
  /** int32 [n]: 1 = light (white) font, 0 = dark (black) font. */
  y: Tensor;
  /** The raw colours int32 [n, 3], each channel in 0..255. */
  rgb: Tensor;
}

/** One sRGB channel (0..255) as linear light: c/12.92 for c <= 0.04045, else ((c + 0.055)/1.055)^2.4, c = v/255. */
export function srgbToLinear(v: number): number {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG relative luminance of an sRGB colour (channels 0..255): L = 0.2126 R + 0.7152 G + 0.0722 B (linear channels). */
export function relativeLuminance(r: number, g: number, b: number): number {
  return 0.2126 * srgbToLinear(r) + 0.7152 * srgbToLinear(g) + 0.0722 * srgbToLinear(b);
}

/** WCAG contrast ratio of two luminances: (L_lighter + 0.05) / (L_darker + 0.05), from 1 to 21. */
export function contrastRatio(l1: number, l2: number): number {
  return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
}

/**
 * The font label of a background colour (channels 0..255): 1 (light font) when white text has a higher
 * WCAG contrast ratio than black text, (1 + 0.05)/(L + 0.05) > (L + 0.05)/(0 + 0.05), else 0 (dark font).
 */
export function fontColourLabel(r: number, g: number, b: number): 0 | 1 {
  for (const [name, v] of [['r', r], ['g', g], ['b', b]] as const) {
    if (!(v >= 0 && v <= 255)) throw new ValueError(`fontColourLabel: channels in [0, 255]; got ${name}=${v}`);
  }
  const l = relativeLuminance(r, g, b);
  return contrastRatio(1, l) > contrastRatio(0, l) ? 1 : 0;
}

/**
 * Random background colours (each channel a uniform integer in 0..255) labelled by `fontColourLabel`
 * (1 = light font when white text out-contrasts black text, WCAG): the stand-in for notebook S2's
 * CSV, which is not reachable. x = rgb / 255.
 *
 * ```ts
 * const { x, y } = makeFontColours({ generator: new Generator(1) }); // 1345 colours
 * ```
 */
export function makeFontColours(opts: FontColoursOptions = {}): FontColours {
  const { nSamples = 1345, generator = defaultGenerator } = opts;
  if (!Number.isInteger(nSamples) || nSamples < 1) throw new ValueError(`makeFontColours: nSamples a positive integer; got ${nSamples}`);
  const rgb = new Int32Array(nSamples * 3);
  const x = new Float32Array(nSamples * 3);
  const y = new Int32Array(nSamples);
  for (let i = 0; i < nSamples; i++) {
    for (let c = 0; c < 3; c++) {
      const v = generator.int(0, 256);
      rgb[i * 3 + c] = v;
      x[i * 3 + c] = v / 255;
    }
    y[i] = fontColourLabel(rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!);
  }
  return {
    x: Tensor.fromData(x, [nSamples, 3], 'float32'),
    y: Tensor.fromData(y, [nSamples], 'int32'),
    rgb: Tensor.fromData(rgb, [nSamples, 3], 'int32'),
  };
}
