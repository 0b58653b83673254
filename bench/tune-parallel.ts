// Parallel tuning: the same random search (the S3-6 MLP space on an MNIST subset) run in this process,
// one trial at a time, and in worker threads (one trial per worker). The issue asks for <= 0.6x the
// sequential time with 2 workers. The times cover the whole search(): for the workers, their start-up
// (tsx, neurona, the MNIST subset loaded in each) is included. Both runs must give the same results.
//
// The sequential run uses the native backend's default threads (all cores); each worker uses 1 (the
// trials are the parallelism). `--seq-threads 1` times the sequential run on one thread as well.
//
// It first measures what the machine can give: the same pure-JS loop in 1 worker thread, then in 2 at
// once. On two free cores that is 2x the throughput; on this project's shared VM it measured ~1.15x (two
// spinning processes each run ~1.75x slower than one alone), which bounds the search's speed-up too.
//
// The parallel run uses worker processes (workerProcesses, single-threaded GC) by default; `--executor
// threads` times workerThreads instead.
//
// `--tuner hyperband` runs the issue's CLI example instead (`neurona tune mnist --tuner hyperband
// --max-epochs 9 --parallel 2`: Hyperband, factor 3, 23 trials), whose rounds wait for each other.
//
// Run: flock /tmp/bench.lock npx tsx bench/tune-parallel.ts [--tuner random|hyperband] [--executor processes|threads] [--trials 8] [--epochs 2] [--max-epochs 9] [--train-size 3000] [--val-size 1000] [--workers 2] [--runs 1] [--seq-threads 1]
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { getNumThreads, setNumThreads } from '../src/index.ts';
import { Hyperband, RandomSearch } from '../src/tune/index.ts';
import type { TrialExecutor } from '../src/tune/index.ts';
import { workerProcesses, workerThreads } from '../src/node/index.ts';
import { median } from './median.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
}
const trials = arg('trials', 8);
const epochs = arg('epochs', 2);
const trainSize = arg('train-size', 3000);
const valSize = arg('val-size', 1000);
const workers = arg('workers', 2);
const runs = arg('runs', 1);
const seqThreads = arg('seq-threads', 0);
const maxEpochs = arg('max-epochs', 9);
const ti = process.argv.indexOf('--tuner');
const tunerKind = ti > 0 ? process.argv[ti + 1] : 'random';
if (tunerKind !== 'random' && tunerKind !== 'hyperband') throw new Error(`--tuner random|hyperband; got ${tunerKind}`);
const ei = process.argv.indexOf('--executor');
const executorKind = ei > 0 ? process.argv[ei + 1] : 'processes';
if (executorKind !== 'processes' && executorKind !== 'threads') throw new Error(`--executor threads|processes; got ${executorKind}`);
const makeExecutor = (): TrialExecutor => (executorKind === 'threads' ? workerThreads({ workers }) : workerProcesses({ workers }));
const hypermodel = { module: new URL('../apps/cli/mnist-hypermodel.ts', import.meta.url), export: 'build' };

/** The machine's CPU time so far (all processes: /proc/stat), to show how many cores the run really had. */
function machineBusy(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  return (f[0]! + f[1]! + f[2]!) / 100; // user + nice + system, in seconds (USER_HZ 100)
}

async function search(executor?: TrialExecutor): Promise<{ seconds: number; scores: string; cores: number; machine: number }> {
  const common = { hypermodel, objective: 'val_accuracy', seed: 1, verbose: 0, ...(executor ? { executor } : {}) } as const;
  const t = tunerKind === 'hyperband' ? new Hyperband({ ...common, maxEpochs, factor: 3 }) : new RandomSearch({ ...common, maxTrials: trials });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const m0 = machineBusy();
  await t.search({ epochs, batchSize: 64, dataArgs: { trainSize, valSize } });
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cores = (c.user + c.system) / 1e6 / seconds;
  const machine = (machineBusy() - m0) / seconds;
  const scores = [...t.trials.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((r) => `${r.id}:${r.score}`).join(' ');
  return { seconds, scores, cores, machine };
}
const load = (r: { cores: number; machine: number }): string => `(this process used ${r.cores.toFixed(2)} cores; the whole machine ${r.machine.toFixed(2)} of ${availableParallelism()})`;

/**
 * How much faster `workers` threads do independent work than one: the same pure-JS loop in one worker
 * thread, then in `workers` at once. 2.0 on two free cores; the best ratio a parallel search can reach is
 * about 1 / this.
 */
async function capacity(): Promise<number> {
  // (inside a function: a top-level 'let' of an eval'd worker script is a script-scope slot, ~2x slower to update)
  const code = `const { parentPort } = require('node:worker_threads'); (() => { const t0 = performance.now(); let s = 0; for (let i = 0; i < 2e8; i++) s += Math.sqrt(i); parentPort.postMessage([performance.now() - t0, s]); })();`;
  const one = (): Promise<number> => new Promise((resolve) => {
    const w = new Worker(code, { eval: true });
    w.once('message', (m: [number, number]) => {
      resolve(m[0]);
      void w.terminate();
    });
  });
  const alone = await one();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: workers }, one));
  return (workers * alone) / (performance.now() - t0);
}

const defaultThreads = getNumThreads();
const plan = tunerKind === 'hyperband' ? `Hyperband, max ${maxEpochs} epochs, factor 3` : `random search, ${trials} trials x ${epochs} epochs`;
console.log(`${plan}, MNIST ${trainSize} train / ${valSize} validation, S3-6 space; ${runs} run(s) each`);
const cap = await capacity();
console.log(`machine: ${workers} threads do independent pure-JS work ${cap.toFixed(2)}x as fast as one (best reachable ratio ~${(1 / cap).toFixed(2)})`);
const seq: number[] = [];
const seq1: number[] = [];
const par: number[] = [];
let same = true;
for (let r = 0; r < runs; r++) {
  const s = await search();
  seq.push(s.seconds);
  console.log(`  sequential (native threads ${defaultThreads}): ${s.seconds.toFixed(1)} s ${load(s)}`);
  if (seqThreads) {
    setNumThreads(seqThreads);
    const s1 = await search();
    setNumThreads(defaultThreads);
    seq1.push(s1.seconds);
    console.log(`  sequential (native threads ${seqThreads}): ${s1.seconds.toFixed(1)} s ${load(s1)}`);
  }
  const p = await search(makeExecutor());
  par.push(p.seconds);
  console.log(`  parallel (${workers} worker ${executorKind}, 1 native thread each): ${p.seconds.toFixed(1)} s ${load(p)}${executorKind === 'processes' ? ' (the children\'s CPU is not counted as this process\'s)' : ''}`);
  if (p.scores !== s.scores) same = false;
}
const ms = median(seq);
const mp = median(par);
console.log(`sequential: ${ms.toFixed(1)} s`);
if (seq1.length) console.log(`sequential, ${seqThreads} native thread: ${median(seq1).toFixed(1)} s (ratio parallel/that ${(mp / median(seq1)).toFixed(2)})`);
console.log(`parallel (${workers} workers): ${mp.toFixed(1)} s`);
console.log(`ratio parallel/sequential: ${(mp / ms).toFixed(2)} (target <= 0.60; this machine's floor ~${(1 / cap).toFixed(2)})`);
// Each parallel run follows its sequential run: the ratio within a pair is less exposed to the machine's
// slow and fast spells than the ratio of the medians.
const pairs = par.map((p, i) => p / seq[i]!);
if (runs > 1) console.log(`ratio within each pair: ${pairs.map((r) => r.toFixed(2)).join(', ')}; median ${median(pairs).toFixed(2)}`);
console.log(`same results: ${same ? 'yes' : 'NO'}`);
if (!same) process.exitCode = 1;
