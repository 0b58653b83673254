// `neurona tune mnist` and `neurona tune worker`. The hypermodel the trials import (in worker processes
// and on queue workers) is ./mnist-hypermodel.ts, kept apart so that a worker loads only what a trial needs.
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { Tensor } from '../../src/index.ts';
import type { SequentialModel } from '../../src/model/index.ts';
import { BayesianOptimization, GridSearch, Hyperband, RandomSearch, formatValue } from '../../src/tune/index.ts';
import type { TrialExecutor, TrialRecord, Tuner, TunerOptions } from '../../src/tune/index.ts';
import { loadMnistSync, redisQueue, runTuneWorker, tunerProject, workerProcesses } from '../../src/node/index.ts';

export { build, data } from './mnist-hypermodel.ts';

function int(name: string, min = 1) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}; got '${v}'`);
    return n;
  };
}

/** Prints one row per finished trial under a header (the progress table). */
function progressTable(names: string[], objective: string): (r: TrialRecord, t: Tuner) => void {
  const cols = ['trial', ...names, 'epochs', objective, 'best', 'seconds', 'worker'];
  const widths = cols.map((c) => Math.max(c.length, c === 'worker' ? 10 : 7));
  const row = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padStart(widths[i]!))).join('  ');
  let printed = false;
  return (r, t) => {
    if (!printed) {
      console.log(row(cols));
      console.log(row(widths.map((w) => '-'.repeat(w))));
      printed = true;
    }
    const best = t.getBestTrials(1)[0];
    const epochs = r.initialEpoch ? `${r.initialEpoch}->${r.epochs}` : String(r.epochs);
    const score = r.status === 'failed' ? 'failed' : r.score === null ? 'NaN' : r.score.toFixed(4);
    console.log(row([r.id, ...names.map((n) => formatValue(r.values[n])), epochs, score, best?.score != null ? best.score.toFixed(4) : '-', r.seconds.toFixed(1), r.worker]));
  };
}

interface TuneMnistOptions {
  tuner: 'hyperband' | 'random' | 'grid' | 'bayesian';
  maxEpochs: number;
  factor: number;
  maxTrials: number;
  epochs: number;
  parallel: number;
  redis?: string;
  trainSize: number;
  valSize: number;
  testSize: number;
  batchSize: number;
  seed: number;
  directory: string;
  project?: string;
  overwrite?: boolean;
  patience?: number;
}

async function tuneMnist(o: TuneMnistOptions): Promise<void> {
  const hypermodel = { module: new URL('./mnist-hypermodel.ts', import.meta.url), export: 'build' };
  let executor: TrialExecutor | undefined;
  if (o.redis) executor = redisQueue({ url: o.redis });
  else if (o.parallel > 1) executor = workerProcesses({ workers: o.parallel });
  const project = o.project ?? `mnist-${o.tuner}`;
  const base: TunerOptions = {
    hypermodel,
    objective: 'val_accuracy',
    seed: o.seed,
    store: tunerProject(o.directory, project, { overwrite: o.overwrite === true }),
    verbose: 0,
    onTrialEnd: progressTable(['neurons', 'layers', 'learningrate'], 'val_accuracy'),
    ...(executor ? { executor } : {}),
  };
  const tuner: Tuner =
    o.tuner === 'hyperband'
      ? new Hyperband({ ...base, maxEpochs: o.maxEpochs, factor: o.factor })
      : o.tuner === 'random'
        ? new RandomSearch({ ...base, maxTrials: o.maxTrials })
        : o.tuner === 'grid'
          ? new GridSearch({ ...base, maxTrials: o.maxTrials })
          : new BayesianOptimization({ ...base, maxTrials: o.maxTrials, batchSize: Math.max(1, o.parallel) });
  const where = o.redis ? `on the queue at ${o.redis} (start workers: neurona tune worker --redis ${o.redis})` : o.parallel > 1 ? `in ${o.parallel} worker processes` : 'in this process';
  console.log(`${tuner.kind} on MNIST (${o.trainSize} training, ${o.valSize} validation images), trials ${where}; project ${base.store!.name} in ${o.directory}`);
  const t0 = performance.now();
  await tuner.search({ epochs: o.epochs, batchSize: o.batchSize, dataArgs: { trainSize: o.trainSize, valSize: o.valSize }, ...(o.patience !== undefined ? { earlyStopping: { patience: o.patience } } : {}) });
  console.log(`\nsearch finished in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${tuner.trials.size} trials`);
  tuner.resultsSummary(5);
  const best = tuner.getBestHyperparameters(1)[0];
  if (!best) return;
  console.log(`best hyperparameters: ${Object.entries(best.values).map(([k, v]) => `${k} ${formatValue(v)}`).join(', ')}`);
  const [model] = await tuner.getBestModels(1);
  const { test } = loadMnistSync({ trainSize: 1, testSize: o.testSize });
  const ev = (model as SequentialModel).evaluate(test.images, test.labels as Tensor);
  console.log(`best model (trial ${tuner.getBestTrials(1)[0]!.id}, its best epoch): test accuracy: ${ev.accuracy!.toFixed(4)}`);
}

/** Adds `tune mnist` and `tune worker` to the program. */
export function registerTune(program: Command): void {
  const tune = program.command('tune').description('hyperparameter tuning (random, grid, Hyperband, Bayesian), in parallel or on a Redis queue');
  tune
    .command('mnist')
    .description('tune the S3-6 MLP on MNIST (neurons, layers, learning rate) and print a progress table')
    .addOption(new Option('--tuner <name>', 'search algorithm').choices(['hyperband', 'random', 'grid', 'bayesian']).default('hyperband'))
    .option('--max-epochs <n>', 'Hyperband: epochs of the longest-trained models', int('max-epochs'), 9)
    .option('--factor <n>', 'Hyperband: keep 1/factor of the models per round', int('factor', 2), 3)
    .option('--max-trials <n>', 'random/grid/bayesian: trials', int('max-trials'), 10)
    .option('--epochs <n>', 'random/grid/bayesian: epochs per trial', int('epochs'), 3)
    .option('--parallel <n>', 'trials at once in worker processes (1: in this process)', int('parallel'), 1)
    .option('--redis <url>', 'enqueue the trials on BullMQ at this Redis URL instead (run `neurona tune worker --redis URL` anywhere)')
    .option('--train-size <n>', 'training images per trial', int('train-size'), 6000)
    .option('--val-size <n>', 'validation images (the objective is val_accuracy)', int('val-size'), 2000)
    .option('--test-size <n>', 'test images for the best model', int('test-size'), 10000)
    .option('--batch-size <n>', 'mini-batch size', int('batch-size'), 64)
    .option('--patience <n>', 'early stopping inside trials after n epochs without improvement', int('patience', 0))
    .option('--seed <n>', 'seed of the trials', int('seed', 0), 1)
    .option('--directory <dir>', 'where the project directory goes', 'out/tune')
    .option('--project <name>', 'project name (default mnist-<tuner>); an interrupted search resumes')
    .option('--overwrite', 'start the project over')
    .action(async (o: TuneMnistOptions) => {
      await tuneMnist(o);
    });
  tune
    .command('worker')
    .description('run trials from a Redis queue until stopped (Ctrl-C): any number of workers, on any machine')
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://127.0.0.1:6379')
    .option('--queue <name>', 'queue name', 'neurona-tune')
    .option('--concurrency <n>', 'trials at once (worker threads)', int('concurrency'), 1)
    .option('--lock-duration <ms>', 'job lock duration: a dead worker\'s trial is retried after about this long', int('lock-duration', 100), 30000)
    .option('--stalled-interval <ms>', 'interval of the checks for stalled jobs', int('stalled-interval', 100), 30000)
    .action(async (o: { redis: string; queue: string; concurrency: number; lockDuration: number; stalledInterval: number }) => {
      const w = await runTuneWorker({ redis: o.redis, queue: o.queue, concurrency: o.concurrency, lockDuration: o.lockDuration, stalledInterval: o.stalledInterval });
      await new Promise<void>((done) => {
        let stopping = false;
        const stop = (): void => {
          if (stopping) process.exit(1); // a second signal: now
          stopping = true;
          console.log('stopping: waiting for the running trials (again to stop now)');
          // Redis may be gone: do not wait for a clean close forever.
          const force = setTimeout(() => process.exit(0), 10_000);
          force.unref();
          void w.close().then(done, done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      process.exit(0);
    });
}
