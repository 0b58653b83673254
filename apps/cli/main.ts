// The `neurona` command line (Node only; uses the library's public modules).
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { formatConfusionMatrix } from '../../src/metrics/index.ts';
import { NeuronaError } from '../../src/core/index.ts';
import { sparkline, writeReport } from '../../src/node/index.ts';
import { linePlot } from '../../src/plot/index.ts';
import { defaultTrainMnistOptions, trainMnist } from './train-mnist.ts';
import type { TrainMnistOptions, TrainMnistResult, TrainReporter } from './train-mnist.ts';
import { registerTune } from './tune-mnist.ts';

function int(name: string, min = 1) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}; got '${v}'`);
    return n;
  };
}
function positive(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!(n > 0)) throw new InvalidArgumentError(`${name} must be a positive number; got '${v}'`);
    return n;
  };
}
function sizes(v: string): number[] {
  const parts = v.split(',').filter((s) => s.trim() !== '').map(Number);
  if (parts.some((n) => !Number.isInteger(n) || n < 1)) throw new InvalidArgumentError(`hidden sizes must be positive integers like 256,256; got '${v}'`);
  return parts;
}

/**
 * A progress bar on a terminal; one line per epoch otherwise (logs, CI). Both show a sparkline of the
 * batch losses of the whole run so far (in the bar only when the terminal is wide enough).
 */
function reporter(quiet: boolean): TrainReporter {
  const tty = process.stderr.isTTY === true;
  const wide = (process.stderr.columns ?? 80) >= 130;
  let bar: cliProgress.SingleBar | null = null;
  let last = 0;
  const runLosses: number[] = [];
  return {
    epochStart(epoch, epochs, steps) {
      if (quiet || !tty) return;
      bar = new cliProgress.SingleBar(
        {
          format: `epoch ${epoch}/${epochs} [{bar}] {value}/{total} | loss {loss}${wide ? ' {spark}' : ''} | accuracy {acc} | {sps} samples/s | eta {eta}s`,
          hideCursor: true,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(steps, 0, { loss: '-', acc: '-', sps: '-', spark: '' });
    },
    step({ step, loss, batchLoss, accuracy, samplesPerSec }) {
      runLosses.push(batchLoss);
      if (!bar) return;
      const now = performance.now();
      if (now - last < 100 && step !== bar.getTotal()) return;
      last = now;
      bar.update(step, { loss: loss.toFixed(4), acc: accuracy.toFixed(4), sps: Math.round(samplesPerSec), spark: sparkline(runLosses, 16) });
    },
    epochEnd(e) {
      bar?.stop();
      bar = null;
      if (quiet) return;
      console.log(
        `epoch ${e.epoch}/${e.epochs} - loss: ${e.loss.toFixed(4)} ${sparkline(runLosses, 16)} - accuracy: ${e.accuracy.toFixed(4)} - ` +
          `${e.seconds.toFixed(1)}s - ${Math.round(e.samplesPerSec)} samples/s - rss ${Math.round(e.rssMB)} MB`,
      );
    },
  };
}

/** The HTML report of a `train mnist` run: settings, model, curves, confusion matrix, per-class metrics, samples. */
export async function writeMnistReport(path: string, o: TrainMnistOptions, r: TrainMnistResult): Promise<void> {
  const n = r.test.labels.size;
  // Loss per step, averaged over about 100 points per run so the curve stays readable.
  const per = Math.max(1, Math.floor(r.stepLosses.length / 100));
  const steps: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i + per <= r.stepLosses.length; i += per) {
    steps.push(i + per);
    losses.push(r.stepLosses.slice(i, i + per).reduce((a, b) => a + b, 0) / per);
  }
  await writeReport(path, {
    title: 'neurona train mnist',
    note: `MLP on MNIST, ${r.stepLosses.length} steps; tested on ${n} images.`,
    results: { 'test accuracy': r.testAccuracy, 'final train loss': r.epochs.at(-1)?.loss ?? NaN, 'seconds': r.epochs.reduce((a, e) => a + e.seconds, 0) },
    hyperparameters: { hidden: o.hidden, activation: o.activation, optimizer: o.optimizer, lr: o.lr, 'batch size': o.batchSize, epochs: o.epochs, seed: o.seed, 'train size': o.trainSize ?? 'all', 'test size': o.testSize ?? 'all' },
    model: r.model,
    inputShape: [784],
    history: { loss: r.epochs.map((e) => e.loss), accuracy: r.epochs.map((e) => e.accuracy) },
    yTrue: r.test.labels,
    yPred: r.predictions,
    samples: { images: r.test.images.narrow(0, 0, Math.min(24, n)), yTrue: r.test.labels.narrow(0, 0, Math.min(24, n)), yPred: r.predictions.narrow(0, 0, Math.min(24, n)) },
    charts: [{ title: per > 1 ? `training loss per step (mean of every ${per} steps)` : 'training loss per step', spec: linePlot({ loss: { x: steps, y: losses } }, { xTitle: 'step', yTitle: 'batch loss', logY: true }) }],
  });
}

export function buildProgram(): Command {
  const program = new Command('neurona').description('neurona: deep learning in TypeScript').showHelpAfterError();
  const train = program.command('train').description('train a built-in model');
  const d = defaultTrainMnistOptions;
  train
    .command('mnist')
    .description('train an MLP on MNIST and print the test accuracy and confusion matrix')
    .option('--hidden <sizes>', 'hidden layer sizes, comma separated', sizes, d.hidden)
    .addOption(new Option('--activation <name>', 'hidden activation').choices(['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'gelu', 'leakyRelu']).default(d.activation))
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(['sgd', 'momentum', 'adam', 'adamw', 'rmsprop', 'adagrad', 'adadelta']).default(d.optimizer))
    .option('--lr <rate>', 'learning rate', positive('lr'), d.lr)
    .option('--batch-size <n>', 'mini-batch size', int('batch-size'), d.batchSize)
    .option('--epochs <n>', 'number of epochs', int('epochs'), d.epochs)
    .option('--seed <n>', 'random seed', int('seed', 0), d.seed)
    .option('--train-size <n>', 'use only the first n training images', int('train-size'))
    .option('--test-size <n>', 'use only the first n test images', int('test-size'))
    .option('--quiet', 'print only the result')
    .option('--report <file.html>', 'write a self-contained HTML report (curves, confusion matrix, per-class metrics, samples)')
    .action(async (o) => {
      const opts: TrainMnistOptions = { hidden: o.hidden, activation: o.activation, optimizer: o.optimizer, lr: o.lr, batchSize: o.batchSize, epochs: o.epochs, seed: o.seed, trainSize: o.trainSize, testSize: o.testSize };
      const r = trainMnist(opts, reporter(o.quiet === true));
      if (!o.quiet) console.log(`\nconfusion matrix (rows: true digit, columns: predicted):\n${formatConfusionMatrix(r.confusion)}`);
      console.log(`test accuracy: ${r.testAccuracy.toFixed(4)}`);
      if (o.report) {
        await writeMnistReport(o.report, opts, r);
        if (!o.quiet) console.log(`report written to ${o.report}`);
      }
    });
  registerTune(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof NeuronaError) {
      console.error(`error: ${e.message}`);
      process.exitCode = 1;
    } else throw e;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('apps/cli/main.ts')) await main(process.argv);
