// Builds the native addon (native/*.cc -> build/Release/neurona_native.node) with node-gyp. Run by
// `npm ci` / `npm install` (the package's install script) and by `npm run build:native`. It never fails
// the install: without a compiler or Node's headers it prints one line and neurona uses the WASM
// backend. NEURONA_SKIP_NATIVE=1 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
if (process.env.NEURONA_SKIP_NATIVE === '1') {
  console.log('neurona: native backend build skipped (NEURONA_SKIP_NATIVE=1); the WASM backend will be used');
  process.exit(0);
}
// npm passes its bundled node-gyp to lifecycle scripts; otherwise look for one next to npm, then on PATH.
const candidates = [process.env.npm_config_node_gyp, join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js')].filter(Boolean);
const gypJs = candidates.find((p) => existsSync(p));
const args = ['rebuild', '--release'];
if (!process.env.npm_config_nodedir && existsSync('/usr/include/node/node_api.h')) args.push('--nodedir=/usr'); // Debian's Node headers
const t0 = Date.now();
const r = gypJs
  ? spawnSync(process.execPath, [gypJs, ...args], { cwd: root, encoding: 'utf8' })
  : spawnSync('node-gyp', args, { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' });
const built = r.status === 0 && existsSync(join(root, 'build/Release/neurona_native.node'));
if (built) {
  console.log(`neurona: native backend built in ${((Date.now() - t0) / 1000).toFixed(1)} s (build/Release/neurona_native.node)`);
} else {
  const why = r.error ? r.error.message : (r.stderr || r.stdout || '').split('\n').filter((l) => /error|not found|ERR!/i.test(l)).slice(0, 1).join('') || `node-gyp exited with ${r.status}`;
  console.log(`neurona: native backend not built (${why.trim()}); the WASM backend will be used`);
  if (strict) {
    process.stderr.write(`${r.stdout ?? ''}\n${r.stderr ?? ''}\n`);
    process.exit(1);
  }
}
