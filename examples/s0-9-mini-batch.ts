// S0-9 — the seed's homework: mini-batch training. The DataLoader shuffles samples with their labels,
// makes batches of a configurable size with a smaller last batch, the loss is the batch mean (so the
// gradient is the mean gradient of the batch) and there is one update per batch.
// Trains the seed's 784-16-10 network with batch sizes 1, 8 and 32 (lr scaled to keep steps comparable).
//
// Run: npx tsx examples/s0-9-mini-batch.ts
// Expected (seed 123): batch 1 reaches 0.834, batch 8 0.832, batch 32 0.757 after 10 epochs (fewer
// updates), each faster than the last; the final line is the batch-8 result: test accuracy: 0.832
import { runS02 } from './s0-2-mnist-from-scratch.ts';
import { DataLoader, TensorDataset } from '../src/data/index.ts';
import { arange } from '../src/index.ts';

// The loader's batching on a toy set: 10 samples in batches of 4 -> sizes 4, 4, 2, labels kept aligned.
const toy = new DataLoader(new TensorDataset(arange(10).float(), arange(10)), { batchSize: 4, shuffle: true });
for (const [x, y] of toy) console.log(`batch of ${x!.shape[0]}: x=[${Array.from(x!.contiguousData())}] y=[${Array.from(y!.contiguousData())}]`);

let last = 0;
for (const [batchSize, lr] of [[1, 0.1], [8, 0.4], [32, 1.0]] as const) {
  const t0 = performance.now();
  const r = runS02({ batchSize, lr, log: () => {} });
  console.log(`batch size ${batchSize}, lr ${lr}: final error ${r.losses.at(-1)!.toFixed(4)}, ${((performance.now() - t0) / 1000).toFixed(2)}s, test accuracy ${r.accuracy.toFixed(3)}`);
  if (batchSize === 8) last = r.accuracy;
}
console.log(`test accuracy: ${last.toFixed(3)}`);
