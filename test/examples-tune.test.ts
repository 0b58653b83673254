// The S3-6 example (examples/s3-6-keras-tuner.ts) still runs end to end on tiny settings: Hyperband and
// RandomSearch in 2 worker threads importing the example itself, the best model rebuilt and retrained.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('S3-6: Hyperband and RandomSearch on an MNIST subset, best hyperparameters, retrained model tested', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neurona-s3-6-'));
  try {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'examples/s3-6-keras-tuner.ts', '--max-epochs', '3', '--random-trials', '2', '--epochs', '1', '--train-size', '600', '--val-size', '300', '--retrain-size', '1000', '--retrain-epochs', '1', '--directory', dir],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.match(out, /Hyperband: 6 trials planned; running worker threads \(2 at a time\)/);
    assert.match(out, /Results summary \(RandomSearch, project random_test_project\)/);
    assert.match(out, /best hyperparameters \((Hyperband|RandomSearch)\): neurons \d+, learning rate [\d.e-]+, layers [1-5]\n/);
    const acc = Number(/test accuracy: (0\.\d+)/.exec(out)?.[1]);
    assert.ok(acc > 0.5, `test accuracy ${acc}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
