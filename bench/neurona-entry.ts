// One neurona measurement in its own process: `npx tsx bench/neurona-entry.ts w1|w2`.
// Loads MNIST (not timed), runs the workload of bench/workloads.ts and prints one JSON line.
import { loadMnistSync } from '../src/node/index.ts';
import { w1, w2 } from './workloads.ts';

const which = process.argv[2];
if (which !== 'w1' && which !== 'w2') {
  process.stderr.write('usage: npx tsx bench/neurona-entry.ts w1|w2\n');
  process.exit(2);
}
const data = loadMnistSync();
const result = which === 'w1' ? w1(data) : w2(data);
process.stdout.write(`${JSON.stringify({ workload: which.toUpperCase(), ...result })}\n`);
