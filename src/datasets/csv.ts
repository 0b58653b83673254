// CSV text to a table (RFC 4180 quoting), with pandas-like per-column number parsing. No file access.
import { DataError, ValueError } from '../core/index.ts';

/** One cell of a parsed CSV table: a number (numeric columns) or the field's text. */
export type CsvValue = string | number;

/** Options of `parseCsv`. */
export interface CsvOptions {
  /** The first record holds the column names (default true); without it columns are named '0', '1', ... */
  header?: boolean;
  /** The field separator, one character (default ','). */
  delimiter?: string;
  /** The quote character, one character (default '"'); a quote inside a quoted field is written twice. */
  quote?: string;
  /**
   * Turn columns whose every field is a number (or empty / NA / NaN, which become NaN) into numbers,
   * as pandas does (default true); other columns keep their text.
   */
  parseNumbers?: boolean;
  /** Drop records with no text at all (default true). */
  skipEmptyLines?: boolean;
}

/** A parsed table: the column names and the rows (one value per column). */
export interface CsvTable {
  columns: string[];
  rows: CsvValue[][];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|Infinity)$/;
const MISSING = new Set(['', 'NA', 'NaN', 'nan', 'N/A', 'null']);

/** The records of CSV text as fields, with the 1-based line where each record starts. */
function records(text: string, delimiter: string, quote: string): { fields: string[]; line: number; empty: boolean }[] {
  const out: { fields: string[]; line: number; empty: boolean }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false; // the current field was quoted (so it exists even when empty)
  let line = 1;
  let start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 byte order mark
  const n = text.length;
  const endField = (): void => {
    fields.push(field);
    field = '';
    quoted = false;
  };
  const endRecord = (): void => {
    const empty = fields.length === 0 && field === '' && !quoted;
    endField();
    out.push({ fields, line: start, empty });
    fields = [];
  };
  while (i < n) {
    const ch = text[i]!;
    if (ch === quote && field === '' && !quoted) {
      // A quoted field: up to the closing quote; a doubled quote is a literal one.
      quoted = true;
      const open = line;
      i++;
      for (;;) {
        if (i >= n) throw new DataError(`parseCsv: a closing ${quote} for the quoted field opened on line ${open}; got the end of the text`);
        const c = text[i]!;
        if (c === quote) {
          if (text[i + 1] === quote) {
            field += quote;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
        field += c;
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') {
        throw new DataError(
          `parseCsv: the delimiter or a line end after a closing ${quote} (line ${line}); got '${next}'. Double a quote inside a quoted field`,
        );
      }
      continue;
    }
    if (ch === delimiter) {
      endField();
      i++;
    } else if (ch === '\n' || ch === '\r') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      start = line;
    } else {
      field += ch;
      i++;
    }
  }
  if (field !== '' || fields.length > 0 || quoted) endRecord();
  return out;
}

/**
 * Parses CSV text (RFC 4180: fields in quotes may hold delimiters, line breaks and doubled quotes;
 * LF, CRLF or CR line ends; a leading BOM is skipped) into `{ columns, rows }`. Numeric columns
 * become numbers (missing values NaN) unless `parseNumbers` is false. Every record must have as many
 * fields as the first one.
 *
 * ```ts
 * const { columns, rows } = parseCsv('name,score\n"Smith, J",3.5\n');
 * // columns ['name', 'score'], rows [['Smith, J', 3.5]]
 * ```
 */
export function parseCsv(text: string, opts: CsvOptions = {}): CsvTable {
  const { header = true, delimiter = ',', quote = '"', parseNumbers = true, skipEmptyLines = true } = opts;
  if (typeof text !== 'string') throw new ValueError(`parseCsv: the CSV text as a string; got ${typeof text}`);
  for (const [name, v] of [['delimiter', delimiter], ['quote', quote]] as const) {
    if (typeof v !== 'string' || v.length !== 1 || v === '\n' || v === '\r') {
      throw new ValueError(`parseCsv: ${name} a single character other than a line break; got ${JSON.stringify(v)}`);
    }
  }
  if (delimiter === quote) throw new ValueError(`parseCsv: different delimiter and quote characters; got ${JSON.stringify(delimiter)} for both`);
  let recs = records(text, delimiter, quote);
  if (skipEmptyLines) recs = recs.filter((r) => !r.empty);
  if (recs.length === 0) return { columns: [], rows: [] };
  const width = recs[0]!.fields.length;
  for (const r of recs) {
    if (r.fields.length !== width) {
      throw new DataError(
        `parseCsv: records of ${width} fields (as ${header ? 'the header' : 'the first record'}); got ${r.fields.length} on line ${r.line}. ` +
          'Quote fields that contain the delimiter',
      );
    }
  }
  const columns = header ? recs[0]!.fields : Array.from({ length: width }, (_, j) => String(j));
  const body = (header ? recs.slice(1) : recs).map((r) => r.fields as CsvValue[]);
  if (parseNumbers) {
    for (let j = 0; j < width; j++) {
      let numeric = body.length > 0;
      let any = false;
      for (const row of body) {
        const s = (row[j] as string).trim();
        if (MISSING.has(s)) continue;
        if (!NUMBER.test(s)) {
          numeric = false;
          break;
        }
        any = true;
      }
      if (!numeric || !any) continue;
      for (const row of body) {
        const s = (row[j] as string).trim();
        row[j] = MISSING.has(s) ? NaN : /inf/i.test(s) ? (s.startsWith('-') ? -Infinity : Infinity) : Number(s);
      }
    }
  }
  return { columns, rows: body };
}
