// Trials across machines on BullMQ (a Redis job queue). The searching process uses `redisQueue({ url })`
// as its tuner's executor: each trial the oracle makes ready becomes a job (id: project, settings
// fingerprint, trial id — so adding it twice is a no-op and a restarted search picks up finished jobs),
// and it waits for the job's completion. Any number of `neurona tune worker --redis URL` processes
// (runTuneWorker) take jobs, run them in a worker thread (the event loop stays free to renew the job's
// lock), store the best-epoch checkpoint in Redis and return the trial record. A worker that dies
// mid-trial stops renewing its lock; BullMQ's stalled-job check moves the job back to the queue and
// another worker runs it. Completions are idempotent on the searching side (a trial id is recorded once).
//
// Redis keys, under `neurona:tune:<project>:<fingerprint>`: `:data` (the search's tensors, when given
// as tensors), `:ckpt:<trial>` (checkpoints: Hyperband's next round reads its parent's), `:starts:<trial>`
// and `:runs:<trial>` (counts of trial runs started and run to the end, for monitoring and tests).
import { hostname } from 'node:os';
import { relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Job, Queue, QueueEvents, Worker as BullWorker } from 'bullmq';
import type { Redis } from 'ioredis';
import { ValueError } from '../../core/index.ts';
import { packTrialData, refHref } from '../../tune/index.ts';
import type { ExecutorSetup, HpDef, Objective, TrialExecutor, TrialFitOptions, TrialOutcome, TrialRecord, TrialSpec } from '../../tune/index.ts';
import { WorkerThreadsExecutor } from './threads.ts';

/** The default BullMQ queue name. */
export const TUNE_QUEUE = 'neurona-tune';
const TTL_SECONDS = 7 * 24 * 3600;

/** A trial job's data (JSON). */
export interface TrialJobData {
  v: 1;
  /** The Redis key prefix of the search. */
  key: string;
  /** The hypermodel module: `pkg:<path>` (inside neurona), `cwd:<path>` (relative to the working directory) or a URL. */
  module: string;
  export?: string;
  space: HpDef[];
  objective: Objective;
  fit: TrialFitOptions;
  executionsPerTrial: number;
  /** Redis key of the packed data, or null: the module's data(dataArgs). */
  dataKey: string | null;
  dataArgs: unknown;
  spec: TrialSpec;
  /** Redis key of the parent's checkpoint (Hyperband), or null. */
  parentKey: string | null;
}

/** neurona's package root (src/node/tune or dist/node/tune are three levels down). */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A module href workers on other machines can resolve: relative to neurona's root or to the working directory when inside them. */
export function portableModule(href: string): string {
  if (!href.startsWith('file:')) return href;
  const path = fileURLToPath(href);
  const inside = (root: string): string | null => {
    const rel = relative(root, path);
    return rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel.split(sep).join('/') : null;
  };
  const pkg = inside(PACKAGE_ROOT);
  if (pkg !== null) return `pkg:${pkg}`;
  const cwd = inside(process.cwd());
  return cwd !== null ? `cwd:${cwd}` : href;
}

/** Resolves portableModule's form on this machine. */
export function resolvePortableModule(m: string): string {
  if (m.startsWith('pkg:')) return pathToFileURL(resolve(PACKAGE_ROOT, m.slice(4))).href;
  if (m.startsWith('cwd:')) return pathToFileURL(resolve(process.cwd(), m.slice(4))).href;
  return m;
}

/** BullMQ and ioredis, imported on first use (so neurona/node loads without them). */
async function libs(): Promise<{ bullmq: typeof import('bullmq'); Redis: typeof import('ioredis').Redis }> {
  const [bullmq, ioredis] = await Promise.all([import('bullmq'), import('ioredis')]);
  return { bullmq, Redis: ioredis.Redis };
}

const safe = (s: string): string => s.replace(/[^\w.-]/g, '_');

/** Options of redisQueue. */
export interface RedisQueueOptions {
  /** Redis URL (redis://host:port). */
  url: string;
  /** Queue name (default 'neurona-tune'); workers must use the same. */
  queue?: string;
  /** Trials enqueued at once (default: all that are ready). */
  inFlight?: number;
  /** Attempts per job when a worker fails to run it (e.g. cannot import the module; default 3). A trial whose hypermodel throws is a failed trial, not a failed job. */
  attempts?: number;
}

/** The searching side of the distributed mode: a TrialExecutor that enqueues trials on BullMQ. */
export class RedisQueueExecutor implements TrialExecutor {
  readonly name: string;
  readonly concurrency: number;
  private queue: Queue | null = null;
  private events: QueueEvents | null = null;
  private redis: Redis | null = null;
  private base: Omit<TrialJobData, 'spec' | 'parentKey'> | null = null;

  constructor(private readonly o: RedisQueueOptions) {
    if (typeof o.url !== 'string' || !/^rediss?:\/\//.test(o.url)) throw new ValueError(`redisQueue: a Redis URL redis://host:port; got ${JSON.stringify(o.url)}`);
    this.concurrency = o.inFlight ?? 1000;
    this.name = `redis queue ${o.queue ?? TUNE_QUEUE} at ${o.url}`;
  }

  async start(setup: ExecutorSetup): Promise<void> {
    if (!setup.ref) throw new ValueError('redisQueue: a hypermodel given as { module, export } (workers import it); got a function or object');
    const name = this.o.queue ?? TUNE_QUEUE;
    const connection = { url: this.o.url, maxRetriesPerRequest: null };
    const { bullmq, Redis } = await libs();
    this.redis = new Redis(this.o.url, { maxRetriesPerRequest: 3 });
    this.redis.on('error', () => undefined); // failures surface through the commands
    try {
      await this.redis.ping();
    } catch (e) {
      throw new ValueError(`redisQueue: a Redis server at ${this.o.url}; got ${(e as Error).message}`);
    }
    let warned = false;
    const warn = (e: Error): void => {
      if (!warned) console.warn(`redisQueue: ${e.message} (BullMQ reconnects)`);
      warned = true;
    };
    this.queue = new bullmq.Queue(name, { connection });
    this.queue.on('error', warn);
    this.events = new bullmq.QueueEvents(name, { connection });
    this.events.on('error', warn);
    this.queue.setMaxListeners(0); // one listener per trial waiting for its job
    await Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]);
    const key = `neurona:tune:${safe(setup.project)}:${setup.fingerprint}`;
    let dataKey: string | null = null;
    if (setup.data) {
      dataKey = `${key}:data`;
      await this.redis.set(dataKey, Buffer.from(packTrialData(setup.data)), 'EX', TTL_SECONDS);
    }
    this.base = {
      v: 1,
      key,
      module: portableModule(refHref(setup.ref)),
      ...(setup.ref.export !== undefined ? { export: setup.ref.export } : {}),
      space: setup.space,
      objective: setup.objective,
      fit: setup.fit,
      executionsPerTrial: setup.executionsPerTrial,
      dataKey,
      dataArgs: setup.dataArgs ?? null,
    };
  }

  async run(spec: TrialSpec, parentCheckpoint: Uint8Array | null): Promise<TrialOutcome> {
    const { queue, events, redis, base } = this;
    if (!queue || !events || !redis || !base) throw new ValueError('redisQueue.run: a started executor; got none');
    let parentKey: string | null = null;
    if (spec.parentId && parentCheckpoint) {
      parentKey = `${base.key}:ckpt:${spec.parentId}`;
      await redis.set(parentKey, Buffer.from(parentCheckpoint), 'EX', TTL_SECONDS);
    }
    const jobId = `${safe(base.key.slice('neurona:tune:'.length))}-${spec.id}`;
    const old = await queue.getJob(jobId);
    if (old && (await old.isFailed())) await old.remove(); // a job that failed before (no worker could run it): try again
    const data: TrialJobData = { ...base, spec, parentKey };
    const job = await queue.add('trial', data, { jobId, attempts: this.o.attempts ?? 3, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false });
    let rv: unknown;
    try {
      rv = await job.waitUntilFinished(events);
    } catch (e) {
      // No worker could run the job (attempts used up): a failed trial, the search goes on.
      const record: TrialRecord = { id: spec.id, status: 'failed', values: spec.values, score: null, metrics: {}, executions: [], epochs: spec.epochs, initialEpoch: spec.initialEpoch, parentId: spec.parentId, seed: spec.seed, seconds: 0, worker: 'redis', error: `job ${jobId}: ${(e as Error).message}` };
      return { record, checkpoint: null };
    }
    const r = (typeof rv === 'string' ? JSON.parse(rv) : rv) as { record: TrialRecord };
    const ck = await redis.getBuffer(`${base.key}:ckpt:${spec.id}`);
    return { record: r.record, checkpoint: ck ? new Uint8Array(ck) : null };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events?.close(), this.queue?.close()]);
    this.redis?.disconnect();
    this.queue = null;
    this.events = null;
    this.redis = null;
  }
}

/**
 * Runs a search's trials on BullMQ: pass it as a tuner's `executor` (with a hypermodel given as
 * `{ module, export }`), and start workers with `neurona tune worker --redis URL` on any machine that
 * has the hypermodel module (same path, or inside neurona / the working directory).
 */
export function redisQueue(o: RedisQueueOptions): RedisQueueExecutor {
  return new RedisQueueExecutor(o);
}

/** Options of runTuneWorker. */
export interface TuneWorkerOptions {
  /** Redis URL. */
  redis: string;
  queue?: string;
  /** Trials at once (worker threads; default 1). */
  concurrency?: number;
  /** Milliseconds a job's lock lasts without renewal (default 30000): how long a dead worker's trial waits before it is retried. */
  lockDuration?: number;
  /** Milliseconds between checks for stalled jobs (default 30000). */
  stalledInterval?: number;
  /** Times a trial is retried after its worker died (default 5). */
  maxStalledCount?: number;
  /** Where progress lines go (default console.log; null for none). */
  log?: ((line: string) => void) | null;
}

/** A running tuning worker. */
export interface TuneWorker {
  /** The BullMQ worker. */
  readonly worker: BullWorker;
  /** Stops taking jobs, waits for the running ones, and disconnects. */
  close(): Promise<void>;
}

interface Session {
  pool: WorkerThreadsExecutor;
  used: number;
}

/**
 * A tuning worker: takes trial jobs from the queue and runs them in worker threads (so a trial never
 * blocks the lock renewals), until closed. `neurona tune worker --redis URL` runs one.
 */
export async function runTuneWorker(o: TuneWorkerOptions): Promise<TuneWorker> {
  if (typeof o.redis !== 'string' || !/^rediss?:\/\//.test(o.redis)) throw new ValueError(`runTuneWorker: a Redis URL redis://host:port; got ${JSON.stringify(o.redis)}`);
  const log = o.log === undefined ? (s: string) => console.log(s) : o.log;
  const me = `${hostname()}:${process.pid}`;
  const { bullmq, Redis } = await libs();
  const redis = new Redis(o.redis, { maxRetriesPerRequest: 3 });
  redis.on('error', () => undefined); // failures surface through the commands (and the BullMQ worker's error events)
  try {
    await redis.ping();
  } catch (e) {
    redis.disconnect();
    throw new ValueError(`runTuneWorker: a Redis server at ${o.redis}; got ${(e as Error).message}`);
  }
  const concurrency = o.concurrency ?? 1;
  const sessions = new Map<string, Promise<Session>>();

  const session = async (d: TrialJobData): Promise<Session> => {
    const key = JSON.stringify([d.key, d.module, d.export, d.space, d.objective, d.fit, d.executionsPerTrial, d.dataKey, d.dataArgs]);
    let s = sessions.get(key);
    if (!s) {
      s = (async () => {
        let data: Uint8Array | null = null;
        if (d.dataKey) {
          const b = await redis.getBuffer(d.dataKey);
          if (!b) throw new ValueError(`tune worker: the search data at Redis key ${d.dataKey}; got none (expired, or another Redis)`);
          data = new Uint8Array(b);
        }
        const pool = new WorkerThreadsExecutor({ workers: concurrency, label: me });
        await pool.startFrom({
          type: 'init',
          ref: { module: resolvePortableModule(d.module), ...(d.export !== undefined ? { export: d.export } : {}) },
          space: d.space,
          objective: d.objective,
          fit: d.fit,
          executionsPerTrial: d.executionsPerTrial,
          data,
          dataArgs: d.dataArgs,
          worker: me,
        });
        // Keep at most two searches' pools alive.
        for (const [k, other] of sessions) {
          if (sessions.size <= 2 || k === key) continue;
          sessions.delete(k);
          other.then((x) => x.pool.close(), () => undefined);
        }
        return { pool, used: Date.now() };
      })();
      sessions.set(key, s);
      s.catch(() => sessions.delete(key));
    }
    const got = await s;
    got.used = Date.now();
    return got;
  };

  const processor = async (job: Job): Promise<{ record: TrialRecord }> => {
    const d = job.data as TrialJobData;
    if (d?.v !== 1) throw new ValueError(`tune worker: a trial job of version 1; got ${JSON.stringify((d as { v?: unknown })?.v)}`);
    const s = await session(d);
    await redis.incr(`${d.key}:starts:${d.spec.id}`);
    log?.(`trial ${d.spec.id} started (job ${job.id}, attempt ${job.attemptsStarted})`);
    let parent: Uint8Array | null = null;
    if (d.parentKey) {
      const b = await redis.getBuffer(d.parentKey);
      if (!b) throw new ValueError(`tune worker: the parent checkpoint at Redis key ${d.parentKey}; got none`);
      parent = new Uint8Array(b);
    }
    const out = await s.pool.run(d.spec, parent);
    if (out.checkpoint) await redis.set(`${d.key}:ckpt:${d.spec.id}`, Buffer.from(out.checkpoint), 'EX', TTL_SECONDS);
    await redis.expire(`${d.key}:starts:${d.spec.id}`, TTL_SECONDS);
    await redis.incr(`${d.key}:runs:${d.spec.id}`);
    await redis.expire(`${d.key}:runs:${d.spec.id}`, TTL_SECONDS);
    const r = out.record;
    log?.(`trial ${d.spec.id} ${r.status} in ${r.seconds.toFixed(1)}s: ${r.status === 'failed' ? r.error : `${d.objective.name} ${r.score === null ? 'NaN' : r.score.toFixed(4)}`}`);
    return { record: r };
  };

  const worker = new bullmq.Worker(o.queue ?? TUNE_QUEUE, processor, {
    connection: { url: o.redis, maxRetriesPerRequest: null },
    concurrency,
    lockDuration: o.lockDuration ?? 30_000,
    stalledInterval: o.stalledInterval ?? 30_000,
    maxStalledCount: o.maxStalledCount ?? 5,
    name: me,
  });
  worker.on('error', (e) => log?.(`worker error: ${e.message}`));
  await worker.waitUntilReady();
  log?.(`neurona tune worker ${me} waiting for trials on queue ${o.queue ?? TUNE_QUEUE} at ${o.redis}`);
  return {
    worker,
    async close() {
      await worker.close();
      for (const s of sessions.values()) await s.then((x) => x.pool.close(), () => undefined);
      sessions.clear();
      redis.disconnect();
    },
  };
}
