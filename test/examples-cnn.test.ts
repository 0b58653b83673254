// The CNN seed examples run end to end at tiny sizes and print what the notebook reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('S4-9 transfer learning: pretrains, saves, reloads with a new head, freezes (summary shows it), fine-tunes, compares with scratch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neurona-s49-'));
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/s4-9-transfer-learning.ts',
      '--pretrain-size', '256', '--pretrain-epochs', '1', '--target-size', '128', '--epochs', '1', '--test-size', '128', '--out', dir], { encoding: 'utf8' });
    assert.ok(existsSync(join(dir, 's4-9-resnet-fashion.safetensors')));
    assert.match(out, /Trainable params: 650\n/);
    assert.match(out, /Non-trainable params: [\d,]+/);
    assert.match(out, /head \(Linear\)\s+\(None, 10\)\s+650/);
    for (const line of ['pretraining on Fashion-MNIST: garments test accuracy', 'feature extraction (head only): test accuracy', 'fine-tuning', 'from scratch']) {
      assert.match(out, new RegExp(`${line.replace(/[()]/g, '\\$&')}.*0\\.\\d{3}`));
    }
    assert.match(out, /\ntest accuracy: 0\.\d{3}\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
