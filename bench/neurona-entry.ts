// One neurona measurement in its own process: `npx tsx bench/neurona-entry.ts w1|w2|w4`.
// Loads MNIST (not timed), runs the workload of bench/workloads.ts (W1, W2) or bench/w4.ts (W4) and
// prints one JSON line.
import { loadMnistSync } from '../src/node/index.ts';
import { w1, w2 } from './workloads.ts';
import { w4 } from './w4.ts';
import { w3 } from './w3.ts';

const which = process.argv[2];
if (which !== 'w1' && which !== 'w2' && which !== 'w3' && which !== 'w4') {
  process.stderr.write('usage: npx tsx bench/neurona-entry.ts w1|w2|w3|w4\n');
  process.exit(2);
}
const data = loadMnistSync();
const result = which === 'w1' ? w1(data) : which === 'w2' ? w2(data) : which === 'w3' ? w3(data) : w4(data);
process.stdout.write(`${JSON.stringify({ workload: which.toUpperCase(), ...result })}\n`);
