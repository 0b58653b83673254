// `npm run bench`: workloads W1 and W2 (and W4 on request) of shared/workloads.md on neurona and on the
// peers installed on this machine, in one run, as one table (see bench/README.md).
//
// Every timed measurement is its own child process run as `flock /tmp/bench.lock <command>`, so no two
// measurements (of this run, or of anyone else's that takes the same lock) share the 2 cores. Each
// child loads MNIST, runs one workload once, and prints one JSON line {seconds, samplesPerSec,
// testAccuracy}; the timing inside excludes data loading and process start-up. Runs are interleaved
// round-robin over the systems so that a slow spell of the machine does not land on one system only.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { median } from './median.ts';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');
const LOCK = '/tmp/bench.lock';
const PYTHON = '/usr/bin/python3';
const OPENBLAS_VARS = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'] as const;

type Workload = 'w1' | 'w2' | 'w3' | 'w4' | 'w5' | 'w5b1';
type Peer = 'torch' | 'tfjs-cpu' | 'tfjs-wasm' | 'brain';
const WORKLOADS: Workload[] = ['w1', 'w2', 'w3', 'w4', 'w5', 'w5b1'];
/** Run when --workloads is not given (W4 takes about a minute on neurona: ask for it). */
const DEFAULT_WORKLOADS: Workload[] = ['w1', 'w2', 'w5', 'w5b1'];
const PEERS: Peer[] = ['torch', 'tfjs-cpu', 'tfjs-wasm', 'brain'];
const DEFAULT_RUNS: Record<Workload, number> = { w1: 3, w2: 3, w3: 1, w4: 1, w5: 3, w5b1: 3 };
/** Peers run by default: TF.js cpu takes ~2 minutes for W1, brain.js has W2 only, W4 is PyTorch only. */
const DEFAULT_PEERS: Record<Workload, Peer[]> = { w1: ['torch', 'tfjs-wasm'], w2: ['torch', 'tfjs-cpu', 'tfjs-wasm', 'brain'], w3: ['torch'], w4: ['torch'], w5: ['torch'], w5b1: ['torch'] };
const SAMPLES: Record<Workload, string> = { w1: '60,000 samples x 1 epoch', w2: '1,000 samples x 10 epochs', w3: '10,000 samples x 1 epoch', w4: '10,000 samples x 1 epoch', w5: '10,000 samples', w5b1: '10,000 samples' };
/** Samples processed per run (for samples/s). */
const SAMPLE_COUNT: Record<Workload, number> = { w1: 60000, w2: 10000, w3: 10000, w4: 10000, w5: 10000, w5b1: 10000 };
/** neurona's backends, each a row (NEURONA_BACKEND=<name>); the first is the baseline of "vs neurona". */
const BACKENDS = ['native', 'wasm'] as const;

/** One row of the table: a system (a peer in one configuration) and how to start one measurement. */
interface System {
  key: string;
  label: string;
  workloads: Workload[];
  command: (w: Workload) => { cmd: string; args: string[]; env?: NodeJS.ProcessEnv };
  note?: string;
}

interface Measurement {
  seconds: number;
  samplesPerSec: number;
  testAccuracy: number;
}

interface Row {
  workload: Workload;
  system: string;
  label: string;
  runs: Measurement[];
  errors: string[];
  median?: Measurement;
  min?: number;
  max?: number;
  note?: string;
}

// ---- options ------------------------------------------------------------------------------------

function list<T extends string>(allowed: readonly T[], what: string) {
  return (value: string): T[] => {
    const items = value.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
    for (const s of items) if (!allowed.includes(s as T)) throw new InvalidArgumentError(`unknown ${what} '${s}' (one of ${allowed.join(', ')})`);
    return items as T[];
  };
}

/** `--runs 5` (every workload) or `--runs w1=1,w2=5,w4=3`. */
function parseRuns(value: string): Partial<Record<Workload, number>> {
  const out: Partial<Record<Workload, number>> = {};
  const count = (s: string): number => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`a run count is a positive integer; got '${s}'`);
    return n;
  };
  if (/^\d+$/.test(value.trim())) {
    for (const w of WORKLOADS) out[w] = count(value.trim());
    return out;
  }
  for (const part of value.split(',')) {
    const [w, n] = part.split('=').map((s) => s.trim().toLowerCase());
    if (!WORKLOADS.includes(w as Workload) || n === undefined) throw new InvalidArgumentError(`--runs takes N or w1=N,w2=M,w4=K; got '${value}'`);
    out[w as Workload] = count(n);
  }
  return out;
}

const program = new Command()
  .name('npm run bench --')
  .description('W1, W2 and W4 of shared/workloads.md on neurona and the peers installed here; one table.')
  .option('--workloads <list>', `workloads to run: ${WORKLOADS.join(',')}`, list(WORKLOADS, 'workload'), DEFAULT_WORKLOADS)
  .option('--runs <n>', `runs per system: N for every workload, or w1=N,w2=M,w4=K (default w1=${DEFAULT_RUNS.w1}, w2=${DEFAULT_RUNS.w2}, w4=${DEFAULT_RUNS.w4})`, parseRuns)
  .option('--peers <list>', `peers: ${PEERS.join(',')} (default: those installed; W1 ${DEFAULT_PEERS.w1.join('+')}, W2 all, W4 ${DEFAULT_PEERS.w4.join('+')})`, list(PEERS, 'peer'))
  .option('--k1', 'also run K1 (fp32 GEMM n = 64, 256, 1024; all threads and 1) on neurona\'s backends and PyTorch')
  .option('--json <file>', 'also write the results as JSON to this file')
  .option('--timeout <seconds>', 'give up on one measurement after this long', (v) => {
    const n = Number(v);
    if (!(n > 0)) throw new InvalidArgumentError(`a positive number of seconds; got '${v}'`);
    return n;
  }, 1200)
  .showHelpAfterError();
program.parse();
const opts = program.opts<{ workloads: Workload[]; runs?: Partial<Record<Workload, number>>; peers?: Peer[]; json?: string; timeout: number; k1?: boolean }>();
const runsOf = (w: Workload): number => opts.runs?.[w] ?? DEFAULT_RUNS[w];

// ---- which peers are installed ------------------------------------------------------------------

const notes: string[] = [];
const log = (s: string): void => void process.stderr.write(`${s}\n`);
const require = createRequire(import.meta.url);
const resolves = (name: string): boolean => {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
};

/** The torch version and the OpenBLAS kernel set ("core") that a torch process gets in env. */
function probeTorch(env: NodeJS.ProcessEnv): { version: string; blas: string } | { error: string } {
  const code = [
    'import ctypes, json, torch',
    'b = ctypes.CDLL("libblas.so.3")',
    'core = None',
    'try:',
    '    b.openblas_get_corename.restype = ctypes.c_char_p; core = "OpenBLAS " + b.openblas_get_corename().decode()',
    'except AttributeError:',
    '    core = "reference BLAS (not OpenBLAS)"',
    'print(json.dumps({"version": torch.__version__, "blas": core}))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', code], { env, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || 'failed').trim().split('\n').pop()! };
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { version: string; blas: string };
}

const tsx = (script: string, ...args: string[]) => (): { cmd: string; args: string[] } => ({
  cmd: process.execPath,
  args: ['--import', 'tsx', join(BENCH, script), ...args],
});

function availableSystems(): Map<Peer | 'neurona', System[]> {
  const systems = new Map<Peer | 'neurona', System[]>();
  const status = spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('./src/index.ts').then((m) => console.log(JSON.stringify({ b: m.listBackends(), s: m.nativeBackendStatus() })))"], { cwd: ROOT, encoding: 'utf8' });
  const probe = JSON.parse(status.stdout.trim().split('\n').pop() ?? '{"b":[],"s":"?"}') as { b: string[]; s: string };
  const rows: System[] = [];
  for (const b of BACKENDS) {
    if (!probe.b.includes(b)) {
      notes.push(`neurona ${b}: not available here (${b === 'native' ? probe.s : 'WebAssembly SIMD did not instantiate'})`);
      continue;
    }
    rows.push({
      key: rows.length === 0 ? 'neurona' : `neurona-${b}`,
      label: `neurona ${b === 'native' ? probe.s : b}`,
      workloads: WORKLOADS,
      command: (w) => ({ ...tsx('neurona-entry.ts', w)(), env: { ...process.env, NEURONA_BACKEND: b } }),
    });
  }
  // W2 also the Keras way: fit, which runs this small net through the backend's fused kernel (model/fused-mlp.ts)
  for (const b of BACKENDS.filter((x) => probe.b.includes(x))) {
    rows.push({
      key: `neurona-fit-${b}`,
      label: `neurona ${b === 'native' ? probe.s : b}, fit`,
      workloads: ['w2'],
      command: () => ({ ...tsx('neurona-entry.ts', 'w2fit')(), env: { ...process.env, NEURONA_BACKEND: b } }),
      note: "the same W2 (network, init, sample order, updates) written as Keras' compile + fit with loss 'mse' and lr 1.0 (the mean over 10 outputs: the seed's lr 0.1 on the sum); fit runs it through the fused small-MLP kernel",
    });
  }
  systems.set('neurona', rows);
  const wanted = new Set<Peer>(opts.peers ?? PEERS);

  if (wanted.has('torch')) {
    const envAsIs = { ...process.env };
    const envUnset = { ...process.env };
    for (const v of OPENBLAS_VARS) delete envUnset[v];
    const shown = OPENBLAS_VARS.map((v) => `${v}=${process.env[v] ?? '(unset)'}`).join(' ');
    const probe = existsSync(PYTHON) ? probeTorch(envAsIs) : { error: `${PYTHON} not found` };
    if ('error' in probe) {
      notes.push(`torch: skipped (PyTorch not usable with ${PYTHON}: ${probe.error}; apt-get install -y python3-torch libopenblas0-pthread)`);
    } else {
      const script = join(BENCH, 'peers', 'torch_workloads.py');
      const rows: System[] = [{
        key: 'torch',
        label: `PyTorch ${probe.version} (${probe.blas})`,
        workloads: WORKLOADS,
        command: (w) => ({ cmd: PYTHON, args: [script, w], env: envAsIs }),
        note: `PyTorch ${probe.version}: 1 torch thread, OpenBLAS's own threads; BLAS env as this machine has it: ${shown} -> ${probe.blas}`,
      }];
      if (probe.blas.startsWith('reference')) notes.push('torch: libblas.so.3 is the reference BLAS here, far slower than OpenBLAS (apt-get install -y libopenblas0-pthread)');
      if (OPENBLAS_VARS.some((v) => process.env[v] !== undefined)) {
        const unset = probeTorch(envUnset);
        rows.push({
          key: 'torch-avx512',
          label: `PyTorch ${probe.version} AVX-512 (${'error' in unset ? '?' : unset.blas})`,
          workloads: WORKLOADS,
          command: (w) => ({ cmd: PYTHON, args: [script, w], env: envUnset }),
          note: `same, with ${OPENBLAS_VARS.join(' and ')} unset so that OpenBLAS picks its AVX-512 kernels`,
        });
      } else {
        notes.push(`torch: ${OPENBLAS_VARS.join(' and ')} are not set in this environment, so the PyTorch row already runs OpenBLAS's own choice (${probe.blas}); the separate "AVX-512 (unset)" row would be the same and is left out`);
      }
      systems.set('torch', rows);
    }
  }
  const tfjs = resolves('@tensorflow/tfjs');
  if (wanted.has('tfjs-cpu')) {
    if (tfjs) systems.set('tfjs-cpu', [{ key: 'tfjs-cpu', label: 'TF.js cpu', workloads: ['w1', 'w2'], command: (w) => tsx('peers/tfjs.ts', 'cpu', w)() }]);
    else notes.push('tfjs-cpu: skipped (@tensorflow/tfjs is not installed: npm install)');
  }
  if (wanted.has('tfjs-wasm')) {
    let wasmOk = false;
    try {
      wasmOk = tfjs && existsSync(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), 'tfjs-backend-wasm-simd.wasm'));
    } catch {
      wasmOk = false;
    }
    if (wasmOk) systems.set('tfjs-wasm', [{ key: 'tfjs-wasm', label: 'TF.js wasm', workloads: ['w1', 'w2'], command: (w) => tsx('peers/tfjs.ts', 'wasm', w)() }]);
    else notes.push('tfjs-wasm: skipped (@tensorflow/tfjs and @tensorflow/tfjs-backend-wasm with its .wasm files are not installed: npm install)');
  }
  if (wanted.has('brain')) {
    if (resolves('brain.js')) {
      systems.set('brain', [{
        key: 'brain',
        label: 'brain.js 1.x (see note)',
        workloads: ['w2'],
        command: (w) => tsx('peers/brain.ts', w)(),
        note: 'brain.js 1.x, W2 only, its own train loop, batch 1, lr 0.1, momentum 0; differs from W2: sigmoid in the hidden layer too (one activation for all layers), '
          + 'output delta (y-ŷ)σ\' = half the seed\'s 2(ŷ-y) gradient, init U(±0.2)',
      }]);
    } else {
      notes.push('brain: skipped (brain.js is not installed: npm install)');
    }
  }
  return systems;
}

// ---- measuring ----------------------------------------------------------------------------------

/** The process group of the measurement under way (flock and its command), ended on a timeout or Ctrl-C. */
let current: number | undefined;
const endCurrent = (): void => {
  if (current === undefined) return;
  try {
    process.kill(-current, 'SIGTERM');
  } catch {
    // already gone
  }
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    endCurrent();
    process.exit(130);
  });
}

function measure(sys: System, w: Workload): Promise<Measurement> {
  return measureRaw(sys.command(w)).then((r) => {
    const m = r as unknown as Measurement;
    return { seconds: m.seconds, samplesPerSec: m.samplesPerSec, testAccuracy: m.testAccuracy ?? NaN };
  });
}

/** Runs one command under the lock and returns the last JSON line it printed. */
function measureRaw({ cmd, args, env }: { cmd: string; args: string[]; env?: NodeJS.ProcessEnv }): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn('flock', [LOCK, cmd, ...args], { cwd: ROOT, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    current = child.pid;
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => {
      endCurrent();
      reject(new Error(`timed out after ${opts.timeout} s`));
    }, opts.timeout * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      current = undefined;
      const line = out.split('\n').filter((l) => l.startsWith('{')).pop();
      if (code !== 0 || line === undefined) {
        const tail = err.trim().split('\n').filter((l) => !l.includes('nodedir')).slice(-3).join(' | ');
        reject(new Error(`exit ${code}${tail ? `: ${tail}` : ''}`));
        return;
      }
      resolve(JSON.parse(line) as Record<string, unknown>);
    });
  });
}

const fmt = (x: number, digits: number): string => x.toFixed(digits);
const fmtSeconds = (s: number): string => (s < 10 ? s.toFixed(2) : s.toFixed(1));
const fmtRate = (r: number): string => (r >= 1000 ? `${Math.round(r).toLocaleString('en-US')}` : r.toFixed(0));

function versus(row: Row, base: Row | undefined): string {
  if (row.system === 'neurona') return '1 (baseline)';
  if (!row.median || !base?.median) return 'n/a';
  const r = row.median.seconds / base.median.seconds;
  return r >= 1 ? `${fmt(r, 2)}x slower` : `${fmt(1 / r, 2)}x faster`;
}

function table(rows: Row[]): string {
  const head = ['workload', 'system', 'runs', 'median s', 'min-max s', 'samples/s', 'test acc', 'vs neurona', 'time / PyTorch best'];
  // (W5 batch 1 shows microseconds per sample in the test-acc column: there is no accuracy to show)
  const body = rows.map((row) => {
    const base = rows.find((r) => r.workload === row.workload && r.system === 'neurona');
    const n = `${row.runs.length}${row.errors.length ? ` (+${row.errors.length} failed)` : ''}`;
    if (!row.median) return [row.workload.toUpperCase(), row.label, n, 'failed', '', '', '', '', ''];
    const torchBest = Math.min(...rows.filter((r) => r.workload === row.workload && r.system.startsWith('torch') && r.median).map((r) => r.median!.seconds));
    return [
      row.workload.toUpperCase(),
      row.label,
      n,
      fmtSeconds(row.median.seconds),
      row.runs.length > 1 ? `${fmtSeconds(row.min!)}-${fmtSeconds(row.max!)}` : '',
      fmtRate(row.median.samplesPerSec),
      Number.isFinite(row.median.testAccuracy) ? fmt(row.median.testAccuracy, 3) : (row.workload === 'w5b1' ? `${fmt(row.median.seconds * 100, 1)} us/sample` : ''),
      versus(row, base),
      Number.isFinite(torchBest) ? fmt(row.median.seconds / torchBest, 2) : '',
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

interface K1Result {
  n: number;
  threads: number;
  gflops: number;
}

/** K1: GEMM GFLOP/s of each neurona backend (bench/k1.ts) and of PyTorch (torch.mm, OpenBLAS on 2 threads and on 1); median of 5 timing blocks each. */
async function runK1(systems: Map<Peer | 'neurona', System[]>): Promise<string[]> {
  // simd128: a WebAssembly row, read against the machine's 128-bit FMA ceiling (the width of WASM SIMD)
  const jobs: { label: string; simd128?: boolean; cmd: { cmd: string; args: string[]; env?: NodeJS.ProcessEnv } }[] = [];
  // one K1 job per backend (the fit row is the native backend again)
  for (const s of (systems.get('neurona') ?? []).filter((x) => x.workloads.includes('w1'))) {
    const env = s.command('w1').env;
    jobs.push({ label: s.label, simd128: s.label === 'neurona wasm', cmd: { ...tsx('k1.ts')(), env } });
  }
  // Node 20 loads the WASM kernels' plain SIMD build; browsers and Node >= 22 load the relaxed-SIMD one
  // (fused multiply-adds): measured here with the flag that enables it
  const wasmRow = (systems.get('neurona') ?? []).find((x) => x.label === 'neurona wasm');
  if (wasmRow && Number(process.versions.node.split('.')[0]) < 22) {
    jobs.push({ label: 'neurona wasm, relaxed SIMD (--experimental-wasm-relaxed-simd: the build browsers and Node >= 22 load)', simd128: true, cmd: { cmd: process.execPath, args: ['--experimental-wasm-relaxed-simd', ...tsx('k1.ts')().args], env: wasmRow.command('w1').env } });
  }
  for (const s of systems.get('torch') ?? []) {
    const env = s.command('w1').env ?? process.env;
    const script = join(BENCH, 'peers', 'torch_workloads.py');
    jobs.push({ label: `${s.label}, 2 threads`, cmd: { cmd: PYTHON, args: [script, 'k1'], env: { ...env, OPENBLAS_NUM_THREADS: '2' } } });
    jobs.push({ label: `${s.label}, 1 thread`, cmd: { cmd: PYTHON, args: [script, 'k1'], env: { ...env, OPENBLAS_NUM_THREADS: '1' } } });
  }
  const peakExe = buildFmaPeak();
  const peakBefore = await fmaPeak(peakExe);
  const rows: { label: string; simd128: boolean; threads: number; g: (n: number) => number }[] = [];
  const failed: string[] = [];
  for (const j of jobs) {
    try {
      const r = (await measureRaw(j.cmd)) as { results: K1Result[] };
      for (const t of [...new Set(r.results.map((x) => x.threads))]) {
        rows.push({ label: j.label, simd128: j.simd128 === true, threads: t, g: (n) => r.results.find((x) => x.n === n && x.threads === t)?.gflops ?? NaN });
      }
      log(`[K1] ${j.label}: done`);
    } catch (e) {
      failed.push(`| ${j.label} | failed: ${(e as Error).message} | | | | |`);
    }
  }
  const peakAfter = await fmaPeak(peakExe);
  if (typeof peakExe !== 'string') rmSync(dirname(peakExe.exe), { recursive: true, force: true });
  const peaks = [peakBefore, peakAfter].filter((p): p is FmaPeak => typeof p !== 'string');
  // the higher of the two measurements for t threads, with the widest vectors or with 128-bit ones
  const ceiling = (t: number, simd128: boolean): number => Math.max(...peaks.map((p) => peakAt(p, t, simd128)));
  const share = (r: (typeof rows)[number]): string => {
    const c = ceiling(r.threads, r.simd128);
    return Number.isFinite(c) ? `${Math.round((100 * r.g(1024)) / c)}%${r.simd128 ? ' (128-bit)' : ''}` : '';
  };
  const lines = [
    'K1: fp32 GEMM C = A·B, square n, GFLOP/s = 2n^3/s (median of 5 timing blocks of ~0.2 s each); the last column is n=1024 against the FMA ceiling below on as many threads (the WebAssembly rows against the 128-bit one: WASM SIMD vectors are 128 bits wide):',
    '',
    '| system | threads | n=64 | n=256 | n=1024 | n=1024 / ceiling |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.label} | ${r.threads} | ${fmt(r.g(64), 1)} | ${fmt(r.g(256), 1)} | ${fmt(r.g(1024), 1)} | ${share(r)} |`),
    ...failed,
    '',
  ];
  if (typeof peakBefore !== 'string' && typeof peakAfter !== 'string' && peakBefore.results.length) {
    const per = (simd128: boolean): string =>
      peakBefore.results
        .map((r) => `${fmt(peakAt(peakBefore, r.threads, simd128), 1)} / ${fmt(peakAt(peakAfter, r.threads, simd128), 1)} GFLOP/s on ${r.threads} thread${r.threads > 1 ? 's' : ''}`)
        .join(', ');
    lines.push(`FMA ceiling of this machine before / after the K1 runs (bench/peak/fma-peak.cc: independent ${peakBefore.isa} multiply-add chains on registers, no memory traffic): ${per(false)}; with 128-bit vectors ${per(true)}.`);
  } else {
    const why = [peakBefore, peakAfter].find((p): p is string => typeof p === 'string') ?? 'no AVX2/AVX-512 FMA on this CPU';
    lines.push(`FMA ceiling: not measured (${why}).`);
  }
  return lines;
}

interface FmaPeak {
  isa: string;
  results: { threads: number; gflops: number }[];
  /** the same chains on 128-bit vectors (the WASM SIMD width) */
  results128?: { threads: number; gflops: number }[];
}

/** A ceiling measurement's GFLOP/s on t threads, with the widest vectors or 128-bit ones (NaN if not measured). */
function peakAt(p: FmaPeak, t: number, simd128: boolean): number {
  return (simd128 ? p.results128 : p.results)?.find((r) => r.threads === t)?.gflops ?? NaN;
}

/** bench/peak/fma-peak.cc built with the C++ compiler the native addon needs: its path, or why it did not build. */
function buildFmaPeak(): { exe: string } | string {
  const dir = mkdtempSync(join(tmpdir(), 'neurona-fma-'));
  const exe = join(dir, 'fma-peak');
  const built = spawnSync('c++', ['-O2', '-pthread', join(BENCH, 'peak', 'fma-peak.cc'), '-o', exe], { encoding: 'utf8' });
  if (built.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return `could not build bench/peak/fma-peak.cc (${(built.stderr || built.error?.message || 'c++ failed').trim().split('\n').pop()})`;
  }
  return { exe };
}

/**
 * The machine's FMA ceiling at this moment, or the reason there is none. On shared cloud cores it moves
 * from hour to hour (here 405-433 GFLOP/s on 2 threads within one evening), so K1 is read against the
 * ceiling of the same run.
 */
async function fmaPeak(built: { exe: string } | string): Promise<FmaPeak | string> {
  if (typeof built === 'string') return built;
  try {
    return (await measureRaw({ cmd: built.exe, args: [] })) as unknown as FmaPeak;
  } catch (e) {
    return (e as Error).message;
  }
}

async function main(): Promise<void> {
  const check = spawnSync('flock', ['--version'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error('flock (util-linux) is needed: every measurement runs under `flock /tmp/bench.lock`');
  const systems = availableSystems();
  const rows: Row[] = [];
  for (const w of opts.workloads) {
    const peers = (opts.peers ?? DEFAULT_PEERS[w]).filter((p) => {
      if (p === 'brain' && w !== 'w2') {
        if (opts.peers) notes.push('brain: W2 only (brain.js 1.x has no softmax cross-entropy / Adam / batches for W1, no LSTM for W4)');
        return false;
      }
      if ((p === 'tfjs-cpu' || p === 'tfjs-wasm') && w !== 'w1' && w !== 'w2') {
        if (opts.peers) notes.push(`${p}: W1 and W2 only (bench/peers/tfjs.ts has no W3-W5)`);
        return false;
      }
      return systems.has(p);
    });
    const chosen = [...systems.get('neurona')!, ...peers.flatMap((p) => systems.get(p)!)].filter((s) => s.workloads.includes(w));
    const wRows = chosen.map((s): Row => ({ workload: w, system: s.key, label: s.label, runs: [], errors: [], note: s.note }));
    rows.push(...wRows);
    const n = runsOf(w);
    for (let run = 1; run <= n; run++) {
      for (const [i, s] of chosen.entries()) {
        const row = wRows[i]!;
        try {
          const m = await measure(s, w);
          row.runs.push(m);
          log(`[${w.toUpperCase()}] ${s.label} run ${run}/${n}: ${fmtSeconds(m.seconds)} s, test acc ${fmt(m.testAccuracy, 3)}`);
        } catch (e) {
          row.errors.push((e as Error).message);
          log(`[${w.toUpperCase()}] ${s.label} run ${run}/${n}: FAILED ${(e as Error).message}`);
        }
      }
    }
    for (const row of wRows) {
      if (row.runs.length === 0) continue;
      const secs = row.runs.map((r) => r.seconds);
      const s = median(secs);
      row.median = { seconds: s, samplesPerSec: SAMPLE_COUNT[w] / s, testAccuracy: median(row.runs.map((r) => r.testAccuracy ?? NaN)) };
      row.min = Math.min(...secs);
      row.max = Math.max(...secs);
    }
  }

  const k1Lines = opts.k1 ? await runK1(systems) : [];

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const out: string[] = [];
  out.push(`neurona bench, ${new Date().toISOString()}: Node ${process.version}, ${cpus().length} x ${cpu}, load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  out.push(`Runs per system: ${opts.workloads.map((w) => `${w.toUpperCase()} ${runsOf(w)}${opts.runs?.[w] === undefined ? ' (default)' : ''}`).join(', ')}; `
    + 'each run its own process under `flock /tmp/bench.lock`; times exclude data loading and start-up; medians over the runs.');
  const about: Record<Workload, string> = {
    w1: `W1: MLP 784-256-256-10 ReLU, softmax CE, Adam 1e-3, batch 64, ${SAMPLES.w1}; test accuracy on the 10,000 test images.`,
    w2: `W2: 784-16 tanh-10 sigmoid, squared error, SGD lr 0.1, batch 1, ${SAMPLES.w2}; test accuracy on training images 1,000-1,999.`,
    w3: `W3: the seed's Mnist_CNN (conv 1->32 3x3, conv 32->32 3x3, maxpool 2, conv 32->2 3x3, flatten 200, linear 50, linear 10), softmax CE, SGD momentum 0.9 lr 0.01, batch 64, ${SAMPLES.w3} (the first 10,000 training images); test accuracy on the 10,000 test images.`,
    w5: `W5: inference of W1's network over the 10,000 test images in batches of 1000, no gradients (throughput); per run, the median of 5 passes after a warm-up pass.`,
    w5b1: `W5 batch 1: the same, one sample at a time (latency: the test-acc column shows microseconds per sample).`,
    w4: `W4: LSTM over MNIST rows (28 steps x 28 pixels), hidden 128, last hidden -> linear 10, softmax CE, Adam 1e-3, batch 64, ${SAMPLES.w4} (the first 10,000 training images); test accuracy on the 10,000 test images.`,
  };
  for (const w of opts.workloads) out.push(about[w]);
  out.push('"vs neurona": median time of that row against neurona\'s ("2.00x faster" = takes half neurona\'s time).');
  out.push('');
  out.push(table(rows));
  if (k1Lines.length) out.push('', ...k1Lines);
  const rowNotes = [...new Map(rows.filter((r) => r.note).map((r) => [r.system, `${r.label}: ${r.note}`])).values()];
  const failures = rows.flatMap((r) => r.errors.map((e) => `${r.workload.toUpperCase()} ${r.label} failed: ${e}`));
  const allNotes = [...rowNotes, ...new Set(notes), ...failures];
  if (allNotes.length) {
    out.push('');
    out.push('Notes:');
    for (const n of allNotes) out.push(`- ${n}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);

  if (opts.json) {
    const json = {
      date: new Date().toISOString(),
      node: process.version,
      cpu,
      cores: cpus().length,
      runs: Object.fromEntries(opts.workloads.map((w) => [w, runsOf(w)])),
      results: rows,
      notes: allNotes,
    };
    writeFileSync(opts.json, `${JSON.stringify(json, null, 2)}\n`);
    log(`wrote ${opts.json}`);
  }
}

await main();
