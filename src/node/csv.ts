// Reading a CSV file from disk: the file's text through `parseCsv` (src/datasets).
import { readFileSync } from 'node:fs';
import { DataError } from '../core/index.ts';
import { parseCsv } from '../datasets/index.ts';
import type { CsvOptions, CsvTable } from '../datasets/index.ts';

/**
 * Reads a CSV file (UTF-8) and parses it with `parseCsv`: `{ columns, rows }`, numeric columns as
 * numbers. A missing or unreadable file is a DataError naming the path.
 *
 * ```ts
 * const { columns, rows } = readCsv('data/wine.csv', { header: true });
 * ```
 */
export function readCsv(path: string, opts: CsvOptions = {}): CsvTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : String((e as Error).message);
    throw new DataError(`readCsv: a readable CSV file at ${JSON.stringify(path)}; got ${why}`);
  }
  return parseCsv(text, opts);
}
