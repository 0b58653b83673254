// Distributed tuning on a real Redis (Debian's redis-server, started here on a free loopback port, no
// persistence) with BullMQ: two `neurona tune worker` processes run a 12-trial search while one of them
// is killed (SIGKILL) in the middle of a trial. The search finishes with every trial, the killed one
// retried by the other worker, and no trial run to completion twice (Redis counts each run's end).
// Skipped, saying so, where redis-server is not installed (`apt-get install redis-server`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { HyperParameters, RandomSearch } from '../src/tune/index.ts';
import { redisQueue, tunerProject } from '../src/node/index.ts';
import { dummyData } from './fixtures/tune-hypermodels.ts';

const haveRedis = spawnSync('redis-server', ['--version']).status === 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Waits for a line matching `re` on a process's stdout (collecting every line in `lines`), from line `from` on. */
function watch(p: ChildProcess, lines: string[]): (re: RegExp, ms?: number, from?: number) => Promise<string> {
  const waiters: { re: RegExp; resolve(l: string): void }[] = [];
  let buf = '';
  p.stdout!.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of waiters.slice()) {
        if (!w.re.test(line)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  return (re, ms = 20000, from = 0) =>
    new Promise((resolve, reject) => {
      const old = lines.slice(from).find((l) => re.test(l));
      if (old) return resolve(old);
      const t = setTimeout(() => reject(new Error(`no line matching ${re} within ${ms} ms; got:\n${lines.join('\n')}`)), ms);
      waiters.push({ re, resolve: (l) => (clearTimeout(t), resolve(l)) });
    });
}

test('distributed search on Redis: 2 worker processes, one killed mid-trial; no trial lost or completed twice', { skip: haveRedis ? false : 'redis-server is not installed (apt-get install redis-server)', timeout: 90_000 }, async () => {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'neurona-tune-dist-'));
  const procs: ChildProcess[] = [];
  let redis: Redis | null = null;
  try {
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(server);
    await watch(server, [])(/Ready to accept connections/, 10000);
    const workerArgs = ['--import', 'tsx', 'apps/cli/main.ts', 'tune', 'worker', '--redis', url, '--lock-duration', '1500', '--stalled-interval', '500'];
    const logs: string[][] = [[], []];
    const workers = [0, 1].map((i) => {
      const w = spawn(process.execPath, workerArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
      procs.push(w);
      return { proc: w, wait: watch(w, logs[i]!) };
    });
    await Promise.all(workers.map((w) => w.wait(/waiting for trials/)));

    const hp = new HyperParameters();
    hp.fixed('sleepMs', 300); // 2 epochs: 0.6 s per trial
    const tuner = new RandomSearch({
      hypermodel: { module: new URL('./fixtures/tune-hypermodels.ts', import.meta.url), export: 'Synthetic' },
      hyperparameters: hp,
      objective: { name: 'val_score', direction: 'max' },
      maxTrials: 12,
      seed: 21,
      store: tunerProject(dir, 'dist'),
      executor: redisQueue({ url }),
      verbose: 0,
    });
    const d = dummyData();
    const searching = tuner.search(d.x, d.y, { epochs: 2 }); // the tensors travel through Redis
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the distributed search did not finish in 60 s; worker logs:\n${logs.map((l) => l.join('\n')).join('\n---\n')}`)), 60_000);
    });

    // Kill worker 0 in the middle of its second trial.
    const victim = workers[0]!;
    await Promise.race([victim.wait(/trial \d+ completed/), deadline]);
    const line = await Promise.race([victim.wait(/trial (\d+) started.*attempt 1\)$/, 20000, logs[0]!.length), deadline]);
    const killedId = /trial (\d+) started/.exec(line)![1]!;
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!logs[0]!.some((l) => l.startsWith(`trial ${killedId} completed`)), 'killed mid-trial');
    victim.proc.kill('SIGKILL');

    await Promise.race([searching, deadline]);
    clearTimeout(timer);
    assert.equal(tuner.trials.size, 12);
    for (const r of tuner.trials.values()) assert.equal(r.status, 'completed', `trial ${r.id}`);
    // the killed trial was retried by the other worker
    const survivor = logs[1]!;
    assert.ok(survivor.some((l) => new RegExp(`^trial ${killedId} started .*attempt 2\\)$`).test(l)), `trial ${killedId} retried:\n${survivor.join('\n')}`);
    // no trial run to completion twice, none lost; the kill cost one extra start
    redis = new Redis(url);
    const runs = await redis.keys('neurona:tune:dist:*:runs:*');
    assert.equal(runs.length, 12);
    for (const k of runs) assert.equal(await redis.get(k), '1', k);
    const starts = await redis.keys('neurona:tune:dist:*:starts:*');
    let totalStarts = 0;
    for (const k of starts) totalStarts += Number(await redis.get(k));
    assert.equal(totalStarts, 13);
    // the same trials as the plan says (values from the seed, whoever ran them)
    for (const s of tuner.oracle.ready(new Map())) assert.deepEqual(tuner.trials.get(s.id)!.values, s.values);
    console.log(`killed worker ${victim.proc.pid} during trial ${killedId}; the other worker reran it; 12 trials, 13 starts, 12 completed runs`);
  } finally {
    redis?.disconnect();
    // workers first (SIGTERM: they finish their trial and disconnect; SIGKILL after 5 s), then Redis
    const alive = (p: ChildProcess): boolean => p.exitCode === null && p.signalCode === null;
    const stop = async (ps: ChildProcess[]): Promise<void> => {
      const exits = ps.filter(alive).map((p) => new Promise((r) => p.once('exit', r)));
      for (const p of ps) if (alive(p)) p.kill('SIGTERM');
      const t = setTimeout(() => ps.forEach((p) => alive(p) && p.kill('SIGKILL')), 5000);
      await Promise.all(exits);
      clearTimeout(t);
    };
    await stop(procs.slice(1));
    await stop(procs.slice(0, 1));
    rmSync(dir, { recursive: true, force: true });
  }
});
