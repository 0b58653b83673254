// Trials: what an oracle asks to run (TrialSpec), what a run produces (TrialRecord), the objective
// (a logged value and a direction), and the results table.
import { ValueError } from '../core/index.ts';
import type { HpDef, HpValue } from './hyperparameters.ts';

/** What the search optimises: a key of the fit logs and whether bigger is better. */
export interface Objective {
  name: string;
  direction: 'min' | 'max';
}

/** An objective by name ('val_accuracy', 'val_loss': the direction is inferred) or with its direction. */
export type ObjectiveLike = string | Objective;

/** Resolves an objective; names with loss/error go down, accuracy/auc/precision/recall/f1 go up. */
export function resolveObjective(o: ObjectiveLike | undefined): Objective {
  if (o === undefined) return { name: 'val_loss', direction: 'min' };
  if (typeof o === 'string') {
    if (/loss|error|mse|mae|rmse/i.test(o)) return { name: o, direction: 'min' };
    if (/acc|auc|precision|recall|f1|r2/i.test(o)) return { name: o, direction: 'max' };
    throw new ValueError(`tune: an objective whose direction is known (a loss, error, accuracy, auc, precision, recall or f1) or { name, direction }; got '${o}'. Pass { name: '${o}', direction: 'max' } (or 'min')`);
  }
  if (o === null || typeof o !== 'object' || typeof o.name !== 'string' || !o.name || (o.direction !== 'min' && o.direction !== 'max')) {
    throw new ValueError(`tune: an objective { name, direction: 'min' | 'max' }; got ${JSON.stringify(o)}`);
  }
  return { name: o.name, direction: o.direction };
}

/** Whether score `a` beats `b` under the objective (null, a failed or NaN run, loses to any number). */
export function beats(obj: Objective, a: number | null, b: number | null): boolean {
  if (a === null) return false;
  if (b === null) return true;
  return obj.direction === 'max' ? a > b : a < b;
}

/** A trial to run, decided by an oracle from (seed, trial id) and earlier results only. */
export interface TrialSpec {
  /** Zero-padded index in the oracle's plan ('0007'); trials sort by it. */
  id: string;
  /** Values chosen by the oracle (hyperparameters met for the first time while building get theirs from `lazySeed`). */
  values: Record<string, HpValue>;
  /** Train up to this epoch. */
  epochs: number;
  /** Start at this epoch (Hyperband: the parent trial's epochs). */
  initialEpoch: number;
  /** Hyperband: the trial whose best weights this one continues from. */
  parentId: string | null;
  /** Seeds the model's initial weights and the shuffling (execution e uses deriveSeed(seed, e)). */
  seed: number;
  /** Seeds the values of hyperparameters that were not in the space when the oracle decided; null: their defaults. */
  lazySeed: number | null;
  /** Hyperband's bracket and round, for the results table. */
  bracket?: number;
  round?: number;
}

/** One training run of a trial. */
export interface ExecutionRecord {
  /** The objective's best value over the epochs (null if it was never a finite number). */
  score: number | null;
  /** The epoch (0-based, counting initialEpoch) of that value. */
  bestEpoch: number;
  /** The fit logs per epoch. */
  history: Record<string, number[]>;
}

/** A finished trial, as stored in the project directory (trial.json). */
export interface TrialRecord {
  id: string;
  status: 'completed' | 'failed';
  /** The values the model was built with (active hyperparameters only). */
  values: Record<string, HpValue>;
  /** The objective: the mean over executions of each one's best value; null when failed or never finite. */
  score: number | null;
  /** The logs of the best epoch of the best execution. */
  metrics: Record<string, number>;
  executions: ExecutionRecord[];
  epochs: number;
  initialEpoch: number;
  parentId: string | null;
  bracket?: number;
  round?: number;
  seed: number;
  seconds: number;
  /** Who ran it (`main`, `thread 1`, a worker's host:pid). */
  worker: string;
  /** Why it failed. */
  error?: string;
  /** Hyperparameters met for the first time while building (not in the oracle's space). */
  newDefs?: HpDef[];
}

/** A trial record's shape check (for files read back from disk); returns a reason, or null if valid. */
export function invalidRecord(r: unknown, id?: string): string | null {
  if (r === null || typeof r !== 'object') return 'not an object';
  const t = r as Record<string, unknown>;
  if (typeof t.id !== 'string') return 'no string id';
  if (id !== undefined && t.id !== id) return `id '${String(t.id)}' where '${id}' was expected`;
  if (t.status !== 'completed' && t.status !== 'failed') return `status ${JSON.stringify(t.status)}`;
  if (t.values === null || typeof t.values !== 'object' || Array.isArray(t.values)) return 'no values object';
  for (const [k, v] of Object.entries(t.values as object)) {
    if (!['number', 'string', 'boolean'].includes(typeof v)) return `value of '${k}' is ${JSON.stringify(v)}`;
  }
  if (t.score !== null && typeof t.score !== 'number') return `score ${JSON.stringify(t.score)}`;
  if (!Array.isArray(t.executions)) return 'no executions list';
  if (typeof t.epochs !== 'number' || typeof t.initialEpoch !== 'number') return 'no epochs';
  if (t.metrics === null || typeof t.metrics !== 'object') return 'no metrics';
  return null;
}

/** Orders trial ids numerically when both are numbers ('0010' after '0009', '10000' after '9999'). */
export function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts records best first (failed and null scores last, ties by id). */
export function rankTrials(records: Iterable<TrialRecord>, obj: Objective): TrialRecord[] {
  return [...records].sort((a, b) => {
    const sa = a.status === 'completed' ? a.score : null;
    const sb = b.status === 'completed' ? b.score : null;
    if (beats(obj, sa, sb)) return -1;
    if (beats(obj, sb, sa)) return 1;
    return compareIds(a.id, b.id);
  });
}

/** A value for the table: numbers to 4 significant digits, strings as they are. */
export function formatValue(v: HpValue | null | undefined): string {
  if (v === null || v === undefined) return '-';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? Number(v.toPrecision(3)).toExponential() : Number(v.toPrecision(4)).toString();
}

/** A text table: right-aligned columns under a header and a rule. */
export function formatTable(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(w[i]!)).join('  ');
  return [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

/** The results table: one row per trial (best first), its hyperparameters, objective, epochs, time. */
export function trialsTable(records: TrialRecord[], obj: Objective, names: string[]): string {
  const hasBracket = records.some((r) => r.bracket !== undefined);
  const header = ['trial', ...names, ...(hasBracket ? ['bracket', 'round'] : []), 'epochs', obj.name, 'status', 'seconds'];
  const rows = records.map((r) => [
    r.id,
    ...names.map((n) => formatValue(r.values[n])),
    ...(hasBracket ? [formatValue(r.bracket), formatValue(r.round)] : []),
    r.initialEpoch ? `${r.initialEpoch}->${r.epochs}` : String(r.epochs),
    r.score === null ? '-' : r.score.toFixed(4),
    r.status,
    r.seconds.toFixed(1),
  ]);
  return formatTable(header, rows);
}
