// Issue 8: `MLPClassifier` on W1's MNIST setting (hidden (256, 256), ReLU, adam lr 1e-3, batch 64,
// one epoch, alpha 1e-4) against scikit-learn's MLPClassifier with the same settings
// (bench/peers/sklearn_mlp.py, Debian's python3-sklearn). Each run is its own process under
// `flock /tmp/bench.lock`, the systems interleaved; the time covers fit() only (not start-up or data
// loading); the table shows medians.
//
// Run: npx tsx bench/mlp-classifier.ts [--runs 3]        (one neurona run: --one)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MLPClassifier } from '../src/classic/index.ts';
import { getBackend } from '../src/index.ts';
import { loadMnistSync } from '../src/node/index.ts';
import { median } from './median.ts';

interface Result { system: string; seconds: number; testAccuracy: number }

function one(): Result {
  const { train, test } = loadMnistSync();
  const clf = new MLPClassifier({ hiddenLayerSizes: [256, 256], solver: 'adam', batchSize: 64, maxIter: 1, randomState: 0 });
  const t0 = performance.now();
  clf.fit(train.images, train.labels);
  const seconds = (performance.now() - t0) / 1000;
  return { system: `neurona (${getBackend().name})`, seconds, testAccuracy: clf.score(test.images, test.labels) };
}

if (process.argv.includes('--one')) {
  process.stdout.write(`${JSON.stringify(one())}\n`);
} else {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 3;
  const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
  const cmds: [string, string[]][] = [
    [process.execPath, ['--import', 'tsx', here('./mlp-classifier.ts'), '--one']],
    ['/usr/bin/python3', [here('./peers/sklearn_mlp.py')]],
  ];
  const results = new Map<string, Result[]>();
  for (let r = 0; r < runs; r++) {
    for (const [cmd, args] of cmds) {
      const p = spawnSync('flock', ['/tmp/bench.lock', cmd, ...args], { encoding: 'utf8', env: { ...process.env, PYTHONWARNINGS: 'ignore' } });
      const line = p.stdout.trim().split('\n').at(-1) ?? '';
      if (p.status !== 0 || !line.startsWith('{')) {
        process.stderr.write(`${cmd} ${args.join(' ')}: failed (${p.status}); ${p.stderr.trim().split('\n').at(-1) ?? ''}\n`);
        continue;
      }
      const res = JSON.parse(line) as Result;
      process.stderr.write(`run ${r + 1}/${runs} ${res.system}: ${res.seconds.toFixed(2)} s, test accuracy ${res.testAccuracy.toFixed(3)}\n`);
      results.set(res.system, [...(results.get(res.system) ?? []), res]);
    }
  }
  const rows = [...results].map(([system, rs]) => ({ system, seconds: median(rs.map((x) => x.seconds)), acc: median(rs.map((x) => x.testAccuracy)), min: Math.min(...rs.map((x) => x.seconds)), max: Math.max(...rs.map((x) => x.seconds)), n: rs.length }));
  const base = rows.find((x) => x.system.startsWith('neurona'))?.seconds ?? NaN;
  console.log('MLPClassifier, MNIST, hidden (256, 256), adam, batch 64, 1 epoch; fit seconds (median), test accuracy on 10,000\n');
  console.log('| system | runs | median s | min-max s | test acc | time / neurona |');
  console.log('|---|---|---|---|---|---|');
  for (const x of rows) console.log(`| ${x.system} | ${x.n} | ${x.seconds.toFixed(2)} | ${x.min.toFixed(2)}-${x.max.toFixed(2)} | ${x.acc.toFixed(3)} | ${(x.seconds / base).toFixed(2)} |`);
}
