// A tuner's project directory (Keras Tuner's `directory/project_name`):
//   <dir>/<project>/project.json                  the tuner, its settings and the search space
//   <dir>/<project>/trial_0007/checkpoint.safetensors   best-epoch weights + optimizer state
//   <dir>/<project>/trial_0007/trial.json         the trial record (written last: it marks the trial done)
// Every file is written atomically, so an interrupted search leaves only whole files, and resuming
// reruns exactly the trials with no trial.json. A trial.json that does not parse or validate is
// reported, moved aside to trial.json.corrupt-<time> (kept, never deleted) and its trial runs again.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataError, ValueError } from '../../core/index.ts';
import { invalidRecord } from '../../tune/index.ts';
import type { ProjectMeta, StoreContents, TrialOutcome, TrialRecord, TrialStore } from '../../tune/index.ts';
import { writeFileAtomic } from '../io.ts';

/** Options of tunerProject. */
export interface TunerProjectOptions {
  /** Delete what the project holds and start over (default false: resume). */
  overwrite?: boolean;
}

const TRIAL_DIR = /^trial_(\w+)$/;

/** A TrialStore in `<directory>/<projectName>` (created if missing). */
export class TunerProject implements TrialStore {
  readonly path: string;
  constructor(readonly directory: string, readonly name: string, private readonly o: TunerProjectOptions = {}) {
    if (!name || /[/\\]/.test(name) || name === '.' || name === '..') throw new ValueError(`tunerProject: a project name without slashes; got '${name}'`);
    this.path = resolve(directory, name);
  }

  private trialDir(id: string): string {
    return join(this.path, `trial_${id}`);
  }

  async open(meta: ProjectMeta): Promise<StoreContents> {
    if (this.o.overwrite && existsSync(this.path)) rmSync(this.path, { recursive: true, force: true });
    mkdirSync(this.path, { recursive: true });
    const metaFile = join(this.path, 'project.json');
    let saved: ProjectMeta | null = null;
    if (existsSync(metaFile)) {
      try {
        saved = JSON.parse(readFileSync(metaFile, 'utf8')) as ProjectMeta;
        if (typeof saved.tuner !== 'string' || typeof saved.settings !== 'object' || !Array.isArray(saved.space)) throw new Error('missing tuner, settings or space');
      } catch (e) {
        throw new DataError(`tunerProject: a readable project.json in ${this.path}; got ${(e as Error).message}. Pass { overwrite: true } to start the project over`);
      }
    } else writeFileAtomic(metaFile, JSON.stringify(meta, null, 1) + '\n');
    const trials: TrialRecord[] = [];
    const problems: string[] = [];
    for (const entry of readdirSync(this.path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const m = TRIAL_DIR.exec(entry.name);
      if (!entry.isDirectory() || !m) continue;
      const id = m[1]!;
      const file = join(this.path, entry.name, 'trial.json');
      if (!existsSync(file)) continue; // interrupted before it finished: it runs again
      let why: string | null;
      let rec: TrialRecord | null = null;
      try {
        rec = JSON.parse(readFileSync(file, 'utf8')) as TrialRecord;
        why = invalidRecord(rec, id);
      } catch (e) {
        why = (e as Error).message;
      }
      if (why === null && rec) {
        trials.push(rec);
        continue;
      }
      const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(file, aside);
      problems.push(`tunerProject: a valid trial file at ${file}; got ${why}. Kept as ${aside}; trial ${id} runs again`);
    }
    return { meta: saved, trials, problems };
  }

  async saveTrial(o: TrialOutcome): Promise<void> {
    const dir = this.trialDir(o.record.id);
    mkdirSync(dir, { recursive: true });
    const ck = join(dir, 'checkpoint.safetensors');
    if (o.checkpoint) writeFileAtomic(ck, o.checkpoint);
    else rmSync(ck, { force: true });
    writeFileAtomic(join(dir, 'trial.json'), JSON.stringify(o.record, null, 1) + '\n');
  }

  async loadCheckpoint(id: string): Promise<Uint8Array | null> {
    const ck = join(this.trialDir(id), 'checkpoint.safetensors');
    return existsSync(ck) ? new Uint8Array(readFileSync(ck)) : null;
  }
}

/**
 * A tuner project directory `<directory>/<projectName>`: pass it as a tuner's `store`. An interrupted
 * search resumes where it stopped (finished trials are not rerun); `{ overwrite: true }` starts over.
 *
 * ```ts
 * new Hyperband({ hypermodel, maxEpochs: 9, store: tunerProject('tuner_dir', 'mnist') });
 * ```
 */
export function tunerProject(directory: string, projectName: string, o: TunerProjectOptions = {}): TunerProject {
  return new TunerProject(directory, projectName, o);
}
