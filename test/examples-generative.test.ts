// The S4-10 generative examples run from the command line on small settings (1 epoch on 2,000
// images), print their figures in the documented format and write their PNG grids (about 15 s in all).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PNG = [0x89, 0x50, 0x4e, 0x47];

function run(file: string, args: string[]): { out: string; saved: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'neurona-s4-10-'));
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', `examples/${file}`, ...args, '--out', dir], { encoding: 'utf8' });
    const saved = [...out.matchAll(/saved (\S+\.png)/g)].map((m) => m[1]!);
    assert.ok(saved.length > 0, out);
    for (const p of saved) {
      assert.ok(p.startsWith(dir) && existsSync(p), `${p} written`);
      assert.deepEqual([...readFileSync(p).subarray(0, 4)], PNG);
    }
    return { out, saved };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('S4-10 autoencoder: prints per-epoch figures and `test mse: 0.xxxx`, saves the reconstruction grid', () => {
  const { out } = run('s4-10-autoencoder.ts', ['--epochs', '1', '--train-size', '2000']);
  assert.match(out, /^epoch 1\/1 {2}train loss \d\.\d{5} {2}test mse \d\.\d{5}/m);
  const mse = Number(/^test mse: (\d\.\d{4})$/m.exec(out)![1]);
  assert.ok(mse > 0 && mse < 0.1, out); // an all-zero output scores 0.104
});

test('S4-10 VAE: prints the test loss per image and saves reconstructions, samples and a latent walk', () => {
  const { out, saved } = run('s4-10-vae.ts', ['--epochs', '1', '--train-size', '2000']);
  assert.equal(saved.length, 3);
  assert.match(out, /test loss per image \d+\.\d{2} \(bce \d+\.\d{2} \+ kl \d+\.\d{2}\)/);
  const loss = Number(/^test loss: (\d+\.\d{2})$/m.exec(out)![1]);
  assert.ok(loss > 50 && loss < 300, out);
});

test('S4-10 denoising autoencoder: prints the noisy-input and denoised test MSE', () => {
  const { out } = run('s4-10-denoising-autoencoder.ts', ['--epochs', '1', '--train-size', '2000', '--no-compare']);
  const noisy = Number(/^noisy input mse: (\d\.\d{4})$/m.exec(out)![1]);
  const denoised = Number(/^test mse: (\d\.\d{4})$/m.exec(out)![1]);
  assert.ok(denoised < noisy, out);
});

test('S4-10 GAN: prints D/G losses per epoch and the confident-digit share, saves generated digits', () => {
  const { out } = run('s4-10-gan.ts', ['--epochs', '1', '--train-size', '2000', '--judge-epochs', '1', '--judge-train-size', '2000']);
  assert.match(out, /^ {4}1 \| \d\.\d{4} \| \d+\.\d{4} \| \d\.\d{3} \| \d\.\d{3}$/m);
  assert.match(out, /^judge: 784-300-100-10 MLP, test accuracy 0\.\d{3}; real test digits labelled with confidence > 0\.9: \d\.\d{3}$/m);
  assert.match(out, /^confident digits from the raw \(not averaged\) generator: \d\.\d{3}$/m);
  const share = Number(/^confident digits: (\d\.\d{3})$/m.exec(out)![1]);
  assert.ok(share >= 0 && share <= 1, out);
});
