// Shared by the examples that draw the seed's plots: where they go (`--out DIR`, default out/, which
// git ignores) and a line saying each file written. Not an experiment of its own.
import { join } from 'node:path';
import { savePlot } from '../src/node/index.ts';
import type { PlotSpec } from '../src/plot/index.ts';

/** The output folder: `--out DIR` on the command line, else 'out'. */
export function outDir(): string {
  const i = process.argv.indexOf('--out');
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : 'out';
}

/** Writes a chart to `<out>/<file>` (PNG or SVG by extension), prints where, and returns the path. */
export async function writePlot(file: string, spec: PlotSpec, log: (s: string) => void = console.log): Promise<string> {
  const path = join(outDir(), file);
  await savePlot(path, spec);
  log(`wrote ${path}`);
  return path;
}
