// Conformance: the op, autograd, gradient-check, nn and optimizer suites run again on every other
// backend (the default run covers the default backend; the TS backend is the reference), each in its
// own process with NEURONA_BACKEND set, so a backend kernel that differs from the reference fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getBackend, listBackends } from '../src/index.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const suites = ['gradcheck', 'tensor', 'autograd', 'nn', 'optim', 'conv', 'recurrent'].map((s) => `test/${s}.test.ts`);
const others = listBackends().filter((b) => b !== getBackend().name);

for (const backend of others) {
  test(`the op and gradient suites pass on the ${backend} backend`, () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NEURONA_BACKEND: backend };
    delete env.NODE_TEST_CONTEXT; // else the child reports to this runner instead of running the files
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=dot', ...suites], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 300_000,
    });
    const failed = (r.stdout + r.stderr).split('\n').filter((l) => /not ok|Error|expected|actual/.test(l)).slice(0, 20).join('\n');
    assert.equal(r.status, 0, `on ${backend}:\n${failed}`);
    const passed = (r.stdout.match(/\./g) ?? []).length;
    assert.ok(passed >= 100, `on ${backend}: the suites ran (${passed} tests passed)`);
  });
}
