// Pictures and charts to files in Node: PNG image grids, charts as SVG or PNG (Vega renders the SVG,
// resvg rasterises it with the DejaVu Sans font shipped by the dejavu-fonts-ttf package, so text
// looks the same on every machine), the HTML training report, and loss sparklines for terminals.
// Every file is written atomically.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname } from 'node:path';
import type { Resvg as ResvgClass } from '@resvg/resvg-js';
import sparkly from 'sparkly';
import { ValueError } from '../core/index.ts';
import { writeFileAtomic } from './io.ts';
import { encodePng, imageGrid, toSvg, trainingReport } from '../plot/index.ts';
import type { ImageGridOptions, PlotSpec, ReportOptions, RgbaImage } from '../plot/index.ts';
import type { Tensor } from '../tensor/index.ts';

function ensureDir(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
}

/** Writes an RGBA picture as a PNG file (atomically). */
export function writePng(path: string, image: RgbaImage): void {
  ensureDir(path);
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

const require = createRequire(import.meta.url);
let fontFiles: string[] | null = null;
function fonts(): string[] {
  if (!fontFiles) {
    try {
      fontFiles = [require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')];
    } catch {
      fontFiles = [];
    }
  }
  return fontFiles;
}

// resvg's native module is loaded on the first rasterisation, so importing neurona/node stays cheap.
let resvg: typeof ResvgClass | null = null;

/** Options of {@link svgToPng} and {@link savePlot}'s PNG output. */
export interface PngOptions {
  /** Pixels per SVG unit (default 2, for sharp text). */
  scale?: number;
  /** Background colour (default white). */
  background?: string;
}

/** Rasterises an SVG document to PNG bytes (resvg; text in DejaVu Sans, else the system's sans-serif). */
export function svgToPng(svg: string, opts: PngOptions = {}): Uint8Array {
  const scale = opts.scale ?? 2;
  if (!(scale > 0) || scale > 16) throw new ValueError(`svgToPng: scale in (0, 16]; got ${scale}`);
  const files = fonts();
  resvg ??= (require('@resvg/resvg-js') as { Resvg: typeof ResvgClass }).Resvg;
  const r = new resvg(svg, {
    background: opts.background ?? 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: files.length === 0, fontFiles: files, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return r.render().asPng();
}

/** Renders a chart to PNG bytes. */
export async function renderPng(spec: PlotSpec, opts: PngOptions = {}): Promise<Uint8Array> {
  return svgToPng(await toSvg(spec), opts);
}

/**
 * Writes a chart to a file chosen by its extension: `.png`, `.svg`, or `.json` (the Vega-Lite spec,
 * to open in the Vega editor). Creates the folder if needed; the write is atomic.
 *
 * ```ts
 * await savePlot('out/curves.png', learningCurves(history));
 * ```
 */
export async function savePlot(path: string, spec: PlotSpec, opts: PngOptions = {}): Promise<void> {
  const ext = extname(path).toLowerCase();
  let data: string | Uint8Array;
  if (ext === '.png') data = await renderPng(spec, opts);
  else if (ext === '.svg') data = await toSvg(spec);
  else if (ext === '.json') data = JSON.stringify(spec, null, 1);
  else throw new ValueError(`savePlot: a path ending in .png, .svg or .json; got '${path}'`);
  ensureDir(path);
  writeFileAtomic(path, data);
}

/**
 * Writes a self-contained HTML training report (inline SVG charts and CSS, nothing loaded from the
 * network); see {@link trainingReport} for what it can show.
 *
 * ```ts
 * await writeReport('out/report.html', { model, history, yTrue: yTest, yPred, hyperparameters: { lr } });
 * ```
 */
export async function writeReport(path: string, opts: ReportOptions): Promise<void> {
  const html = await trainingReport(opts);
  ensureDir(path);
  writeFileAtomic(path, html);
}

/**
 * A text sparkline of a series (e.g. the loss per step) `width` characters wide: the values are
 * averaged into `width` buckets and drawn with the block characters ▁▂▃▄▅▆▇█ (sparkly).
 *
 * ```ts
 * sparkline([0.9, 0.7, 0.5, 0.42, 0.4], 5); // '█▅▂▁▁'
 * ```
 */
export function sparkline(values: readonly number[], width = 20): string {
  if (!Number.isInteger(width) || width < 1) throw new ValueError(`sparkline: width a positive integer; got ${width}`);
  const v = values.filter(Number.isFinite);
  if (!v.length) return '';
  const n = Math.min(width, v.length);
  const buckets = Array.from({ length: n }, (_, i) => {
    const a = Math.floor((i * v.length) / n);
    const b = Math.max(a + 1, Math.floor(((i + 1) * v.length) / n));
    let s = 0;
    for (let j = a; j < b; j++) s += v[j]!;
    return s / (b - a);
  });
  return sparkly(buckets);
}
