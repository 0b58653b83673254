// The tuner's project directory: a search killed midway (SIGKILL of its process) resumes without rerunning
// its finished trials and ends with the same results as an uninterrupted search; a corrupt trial file is
// reported, kept aside, and its trial runs again; a project started with other settings is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RandomSearch } from '../src/tune/index.ts';
import { tunerProject } from '../src/node/index.ts';
import { resumeTuner, runResumeSearch } from './fixtures/tune-resume-child.ts';
import { Synthetic, dummyData } from './fixtures/tune-hypermodels.ts';

const finishedTrials = (project: string): string[] =>
  existsSync(project) ? readdirSync(project).filter((d) => existsSync(join(project, d, 'trial.json'))).sort() : [];

test('a search killed midway resumes where it stopped; finished trials are not rerun', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'neurona-tune-resume-'));
  try {
    const project = join(dir, 'resume');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/tune-resume-child.ts', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, sig) => r(sig)));
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (finishedTrials(project).length >= 3) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(poll);
        reject(new Error('the search ended before it could be killed'));
      });
    });
    assert.equal(await exited, 'SIGKILL');
    const before = finishedTrials(project);
    assert.ok(before.length >= 3 && before.length < 8, `killed after ${before.length} trials`);
    const saved = new Map(before.map((d) => [d, readFileSync(join(project, d, 'trial.json'), 'utf8')]));
    const rerun: string[] = [];
    const t = resumeTuner(dir, (r) => rerun.push(r.id));
    await runResumeSearch(t);
    const doneBefore = before.map((d) => d.replace('trial_', ''));
    assert.deepEqual(rerun.sort(), ['0000', '0001', '0002', '0003', '0004', '0005', '0006', '0007'].filter((id) => !doneBefore.includes(id)));
    for (const [d, text] of saved) assert.equal(readFileSync(join(project, d, 'trial.json'), 'utf8'), text, `${d} untouched`);
    assert.equal(t.trials.size, 8);
    // the same as a search that was never interrupted
    const fresh = resumeTuner(join(dir, 'fresh'));
    await runResumeSearch(fresh);
    for (const [id, r] of fresh.trials) {
      assert.deepEqual(t.trials.get(id)!.values, r.values);
      assert.equal(t.trials.get(id)!.score, r.score);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt trial file is reported, kept aside, and its trial runs again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'neurona-tune-corrupt-'));
  try {
    await runResumeSearch(resumeTuner(dir, undefined, 0));
    const file = join(dir, 'resume', 'trial_0002', 'trial.json');
    const good = JSON.parse(readFileSync(file, 'utf8')) as { score: number };
    writeFileSync(file, '{"id": "0002", "status": "compl');
    const bad2 = join(dir, 'resume', 'trial_0005', 'trial.json');
    writeFileSync(bad2, JSON.stringify({ ...JSON.parse(readFileSync(bad2, 'utf8')), score: 'high' }));
    const rerun: string[] = [];
    const warn = console.warn;
    const warned: string[] = [];
    console.warn = (m: string) => warned.push(m);
    let t;
    try {
      t = resumeTuner(dir, (r) => rerun.push(r.id), 0);
      await runResumeSearch(t);
    } finally {
      console.warn = warn;
    }
    assert.deepEqual(rerun, ['0002', '0005']);
    assert.equal(t.problems.length, 2);
    assert.equal(warned.length, 2);
    assert.match(t.problems[0]!, /^tunerProject: a valid trial file at .*trial_0002\/trial\.json; got .*JSON.*\. Kept as .*trial\.json\.corrupt-.*; trial 0002 runs again$/);
    assert.match(t.problems[1]!, /trial_0005\/trial\.json; got score "high"\./);
    const kept = readdirSync(join(dir, 'resume', 'trial_0002')).filter((f) => f.startsWith('trial.json.corrupt-'));
    assert.equal(kept.length, 1);
    assert.equal(readFileSync(join(dir, 'resume', 'trial_0002', kept[0]!), 'utf8'), '{"id": "0002", "status": "compl');
    assert.equal(t.trials.get('0002')!.score, good.score, 'rerun with the same seed: the same result');
    assert.match(t.resultsSummary(10, { print: false }), /problems:\n {2}tunerProject: a valid trial file at .*trial_0002/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a project started with other settings is refused (overwrite starts over)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'neurona-tune-settings-'));
  const d = dummyData();
  const mk = (maxTrials: number, overwrite = false): RandomSearch =>
    new RandomSearch({ hypermodel: new Synthetic(), objective: { name: 'val_score', direction: 'max' }, maxTrials, store: tunerProject(dir, 'p', { overwrite }), verbose: 0 });
  try {
    await mk(3).search(d.x, d.y);
    await assert.rejects(mk(4).search(d.x, d.y), /RandomSearch\.search: the settings the project p was started with, to resume it; got different maxTrials 3 vs 4\. Pass overwrite: true/);
    const t = mk(4, true);
    await t.search(d.x, d.y);
    assert.equal(t.trials.size, 4);
    assert.equal(readdirSync(join(dir, 'p')).filter((f) => f.startsWith('trial_')).length, 4);
    assert.ok(existsSync(join(dir, 'p', 'trial_0000', 'checkpoint.safetensors')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
