// Tests of neurona/io (safetensors encode/decode, state-dict bytes) and neurona/node's atomic writes and state-dict files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DTypeError, DataError, ShapeError, ValueError, manualSeed, nn, noGrad, randn, tensor } from '../src/index.ts';
import type { Tensor } from '../src/index.ts';
import { decodeSafetensors, encodeSafetensors, loadStateDictBytes, saveStateDict } from '../src/io/index.ts';
import { loadStateDictFile, saveStateDictFile, writeFileAtomic } from '../src/node/index.ts';

const utf8 = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A safetensors file from a header string (padded with spaces to 8) and data bytes. */
function craft(header: string | object, data: number[] | Uint8Array = []): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const n = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + n + data.length);
  new DataView(out.buffer).setUint32(0, n, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n);
  out.set(data, 8 + n);
  return out;
}

function headerOf(bytes: Uint8Array): { n: number; text: string } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { n, text: utf8(bytes.subarray(8, 8 + n)) };
}

function same(a: Tensor, b: Tensor): void {
  assert.equal(a.dtype, b.dtype);
  assert.deepEqual(a.shape, b.shape);
  assert.deepEqual([...a.contiguousData()], [...b.contiguousData()]);
}

function throwsData(f: () => unknown, re: RegExp): void {
  assert.throws(f, (e: Error) => {
    assert.ok(e instanceof DataError, `expected a DataError, got ${e.name}: ${e.message}`);
    assert.match(e.message, re);
    return true;
  });
}

test('safetensors: round trip of float32/float64/int32/bool tensors, 0-d, empty, metadata', () => {
  const tensors = {
    w: tensor([[1.5, -2.25, 3e-8], [Infinity, -0, 7]]),
    d: tensor([Math.PI, -1e300, 5e-324], { dtype: 'float64' }),
    i: tensor([[-2147483648, 2147483647], [0, -1]], { dtype: 'int32' }),
    mask: tensor([true, false, true]),
    scalar: tensor(42.5),
    empty: tensor([], { dtype: 'float32' }).reshape([0, 3]),
    nan: tensor([NaN]),
    '__proto__': tensor([1, 2], { dtype: 'int32' }),
    'ünï.cödé': tensor([3]),
  };
  const bytes = encodeSafetensors(tensors, { format: 'pt', note: 'héllo "quoted"' });
  const { tensors: back, metadata } = decodeSafetensors(bytes);
  assert.deepEqual(metadata, { format: 'pt', note: 'héllo "quoted"' });
  assert.deepEqual(Object.keys(back).sort(), Object.keys(tensors).sort());
  for (const [k, t] of Object.entries(tensors)) same(back[k]!, t);
  assert.equal(Object.getPrototypeOf(back), Object.prototype); // '__proto__' stayed a plain key
  assert.deepEqual(back.scalar!.shape, []);
  assert.deepEqual(back.empty!.shape, [0, 3]);
  // A non-contiguous tensor is written in row-major order.
  const t = tensor([[1, 2, 3], [4, 5, 6]]).T;
  same(decodeSafetensors(encodeSafetensors({ t })).tensors.t!, tensor([[1, 4], [2, 5], [3, 6]]));
  // No tensors at all, and no metadata: the reference writer's bytes.
  assert.deepEqual([...encodeSafetensors({})], [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  assert.deepEqual(decodeSafetensors(encodeSafetensors({})), { tensors: {}, metadata: {} });
});

test('safetensors: byte-exact layout of the reference implementation', () => {
  const attn0 = tensor([0, 1, 2, 3, 4, 5]).reshape([1, 1, 2, 3]);
  // From the safetensors crate's test_serialization_forced_alignement.
  const expected = [
    72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104,
    97, 112, 101, 34, 58, 91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44,
    50, 52, 93, 125, 125, 32, 32, 32, 32, 32, 32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
  ];
  const bytes = encodeSafetensors({ attn0 });
  assert.deepEqual([...bytes], expected);
  const { n, text } = headerOf(bytes);
  assert.equal(n, 72);
  assert.equal(n % 8, 0);
  assert.equal(text, '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ');
  // With metadata (the crate's test_empty): __metadata__ comes first.
  assert.deepEqual(headerOf(encodeSafetensors({}, { framework: 'pt' })).text, '{"__metadata__":{"framework":"pt"}}     ');
  // Tensors laid out by dtype alignment (F64, F32, I32, BOOL), then by name; every offset aligned.
  const mixed = encodeSafetensors({
    z: tensor([true]),
    b: tensor([1, 2], { dtype: 'int32' }),
    a: tensor([1]),
    c: tensor([1], { dtype: 'float64' }),
    aa: tensor([1, 2]),
  });
  const h = headerOf(mixed);
  assert.equal(h.n % 8, 0);
  assert.match(h.text, / +$/);
  const parsed = JSON.parse(h.text) as Record<string, { dtype: string; data_offsets: [number, number] }>;
  assert.deepEqual(Object.keys(parsed), ['c', 'a', 'aa', 'b', 'z']);
  assert.deepEqual(Object.values(parsed).map((e) => e.data_offsets), [[0, 8], [8, 12], [12, 20], [20, 28], [28, 29]]);
  assert.deepEqual(Object.values(parsed).map((e) => e.dtype), ['F64', 'F32', 'F32', 'I32', 'BOOL']);
  assert.equal(mixed.length, 8 + h.n + 29);
});

test('safetensors: decoding copies into fresh aligned arrays (any input offset)', () => {
  const bytes = encodeSafetensors({ x: tensor([1, 2, 3], { dtype: 'float64' }), y: tensor([4]) });
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  const view = shifted.subarray(3); // byteOffset 3: data not aligned for Float64Array
  const { tensors } = decodeSafetensors(view);
  same(tensors.x!, tensor([1, 2, 3], { dtype: 'float64' }));
  shifted.fill(0);
  same(tensors.y!, tensor([4])); // not a view of the input
  // A Node Buffer (pooled, non-zero byteOffset) works too.
  same(decodeSafetensors(Buffer.from(bytes)).tensors.x!, tensor([1, 2, 3], { dtype: 'float64' }));
});

test('safetensors: every corruption is refused with a DataError saying what is wrong', () => {
  const good = encodeSafetensors({ a: tensor([1, 2]), b: tensor([3, 4, 5, 6]) });
  const { n } = headerOf(good);
  // The file is too short, or the header size is beyond it.
  throwsData(() => decodeSafetensors(good.slice(0, 5)), /at least 8 bytes \(the header size\); got 5 bytes/);
  throwsData(() => decodeSafetensors(new Uint8Array(0)), /got 0 bytes/);
  const bigSize = good.slice();
  new DataView(bigSize.buffer).setUint32(0, good.length, true);
  throwsData(() => decodeSafetensors(bigSize), new RegExp(`header size of ${good.length} bytes, larger than the file`));
  const hugeSize = good.slice();
  new DataView(hugeSize.buffer).setUint32(4, 1, true);
  throwsData(() => decodeSafetensors(hugeSize), /larger than the file/);
  throwsData(() => decodeSafetensors(good.slice(0, 8 + n - 3)), /larger than the file/);
  // Truncated data: the offsets point past the end.
  throwsData(() => decodeSafetensors(good.slice(0, good.length - 4)), /data_offsets within the 20-byte data buffer for tensor 'b'; got \[8, 24\], out of bounds/);
  // A changed header length: the JSON is cut or runs into the data.
  for (const delta of [-8, 8]) {
    const c = good.slice();
    new DataView(c.buffer).setUint32(0, n + delta, true);
    throwsData(() => decodeSafetensors(c), /a header of valid JSON; got a parse error|not valid UTF-8/);
  }
  assert.match(headerOf(good).text, / $/); // cutting one padding space leaves valid JSON and a stray byte
  const shorter = good.slice();
  new DataView(shorter.buffer).setUint32(0, n - 1, true);
  throwsData(() => decodeSafetensors(shorter), /got 1 extra byte at the end/);
  // Flipped header bytes.
  const noBrace = good.slice();
  noBrace[8] = 'x'.charCodeAt(0);
  throwsData(() => decodeSafetensors(noBrace), /a JSON header starting with '\{'; got "x/);
  const badJson = good.slice();
  badJson[8 + utf8(good.subarray(8, 8 + n)).indexOf(':')] = '!'.charCodeAt(0);
  throwsData(() => decodeSafetensors(badJson), /a header of valid JSON; got a parse error/);
  const badUtf8 = good.slice();
  badUtf8[10] = 0xff;
  throwsData(() => decodeSafetensors(badUtf8), /a header of UTF-8 text; got bytes that are not valid UTF-8/);
  // Extra bytes at the end.
  const extra = new Uint8Array(good.length + 3);
  extra.set(good);
  throwsData(() => decodeSafetensors(extra), /a data buffer of exactly the 24 bytes the tensors use; got 3 extra bytes at the end/);
  throwsData(() => decodeSafetensors(craft({}, [1, 2])), /exactly the 0 bytes the tensors use; got 2 extra bytes/);

  const f32 = (name: string, shape: number[], offsets: [number, number]): object => ({ [name]: { dtype: 'F32', shape, data_offsets: offsets } });
  const data8 = new Array<number>(8).fill(0);
  // Unknown dtypes, with a hint for real safetensors dtypes neurona lacks.
  throwsData(() => decodeSafetensors(craft({ h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, [0, 0, 0, 0])), /dtype F32, F64, I32 or BOOL for tensor 'h'; got "F16".*neurona has no F16 tensors/);
  throwsData(() => decodeSafetensors(craft({ h: { dtype: 'float32', shape: [2], data_offsets: [0, 8] } }, data8)), /got "float32"/);
  throwsData(() => decodeSafetensors(craft({ h: { shape: [2], data_offsets: [0, 8] } }, data8)), /got no dtype/);
  // Bad shapes.
  for (const shape of [[-1], [1.5], ['2'], 2, null]) {
    throwsData(() => decodeSafetensors(craft({ s: { dtype: 'F32', shape, data_offsets: [0, 8] } }, data8)), /a shape that is a list of non-negative integers for tensor 's'/);
  }
  // Bad offsets: malformed, reversed, out of bounds, overlapping, with a hole, wrong length.
  throwsData(() => decodeSafetensors(craft({ o: { dtype: 'F32', shape: [2], data_offsets: [0] } }, data8)), /data_offsets \[begin, end\] of two non-negative integers for tensor 'o'; got \[0\]/);
  throwsData(() => decodeSafetensors(craft(f32('o', [0], [8, 0]), data8)), /begin <= end for tensor 'o'; got \[8, 0\]/);
  throwsData(() => decodeSafetensors(craft(f32('o', [2], [4, 12]), data8)), /within the 8-byte data buffer for tensor 'o'; got \[4, 12\], out of bounds/);
  throwsData(() => decodeSafetensors(craft({ ...f32('a', [2], [0, 8]), ...f32('b', [1], [4, 8]) }, data8)), /data do not overlap; got tensor 'b' at \[4, 8\] overlapping tensor 'a' at \[0, 8\]/);
  throwsData(() => decodeSafetensors(craft({ ...f32('a', [1], [0, 4]), ...f32('b', [1], [8, 12]) }, [...data8, 0, 0, 0, 0])), /no holes.*got a hole of 4 bytes at \[4, 8\] before tensor 'b'/);
  throwsData(() => decodeSafetensors(craft(f32('a', [1], [4, 8]), data8)), /a hole of 4 bytes at \[0, 4\] before tensor 'a'/);
  throwsData(() => decodeSafetensors(craft(f32('a', [3], [0, 8]), data8)), /12 bytes for tensor 'a' \(dtype F32, shape \[3\]: 3 elements × 4 bytes\); got data_offsets \[0, 8\] \(8 bytes\)/);
  // Bad entries and metadata.
  throwsData(() => decodeSafetensors(craft({ a: [1, 2] })), /an object \{dtype, shape, data_offsets\} for tensor 'a'; got an array/);
  throwsData(() => decodeSafetensors(craft({ __metadata__: { epoch: 3 } })), /string values in '__metadata__'; got number for 'epoch'/);
  throwsData(() => decodeSafetensors(craft({ m: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } }, [1, 7])), /bytes 0 or 1 in BOOL tensor 'm'; got 7 at element 1/);
  // Not bytes at all; the name of the source is in the message.
  throwsData(() => decodeSafetensors('abc' as unknown as Uint8Array), /a Uint8Array; got string/);
  throwsData(() => decodeSafetensors(good.slice(0, 3), 'model.safetensors'), /got 3 bytes in model\.safetensors/);
  // The reference writer's own example decodes.
  const ref = craft('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}', new Array<number>(16).fill(0));
  assert.deepEqual(decodeSafetensors(ref).tensors.test!.toArray(), [[0, 0], [0, 0]]);
});

test('encodeSafetensors refuses what it cannot write', () => {
  assert.throws(() => encodeSafetensors({ a: [1, 2] as unknown as Tensor }), (e: Error) => e instanceof ValueError && /a Tensor for every name; got object for 'a'/.test(e.message));
  assert.throws(() => encodeSafetensors({ __metadata__: tensor([1]) }), /names other than '__metadata__'/);
  assert.throws(() => encodeSafetensors({}, { epoch: 3 as unknown as string }), /metadata values that are strings .*got number for 'epoch'/);
});

function makeNet(hidden = 8): nn.Module {
  return new nn.Sequential(new nn.Linear(3, hidden), new nn.Tanh(), new nn.Linear(hidden, 2));
}

test('state dict: save, load into a fresh module, identical outputs; mismatches refused', () => {
  manualSeed(1);
  const a = makeNet();
  const x = randn([5, 3]);
  manualSeed(2);
  const b = makeNet();
  assert.notDeepEqual(b.forward(x).toArray(), a.forward(x).toArray());
  const bytes = saveStateDict(a, { epoch: '3' });
  const res = loadStateDictBytes(b, bytes);
  assert.deepEqual(res, { missingKeys: [], unexpectedKeys: [], metadata: { epoch: '3' } });
  assert.deepEqual(b.forward(x).toArray(), a.forward(x).toArray());
  // Loading copies: changing the source model later does not touch the loaded one.
  const before = b.forward(x).toArray();
  noGrad(() => a.parameters().forEach((p) => p.apply_((v) => v + 1)));
  assert.deepEqual(b.forward(x).toArray(), before);

  // Different shapes: a ShapeError naming every mismatched tensor, and the model unchanged.
  const c = makeNet(4);
  const cBefore = c.forward(x).toArray();
  assert.throws(
    () => loadStateDictBytes(c, bytes, { name: 'a.safetensors' }),
    (e: Error) => e instanceof ShapeError && /'0\.weight' \[8,3\] \(the model's is \[4,3\]\).*'2\.weight' \[2,8\] \(the model's is \[2,4\]\).* in a\.safetensors/.test(e.message),
  );
  assert.deepEqual(c.forward(x).toArray(), cBefore);
  // Different keys: strict refuses, non-strict loads the matching ones.
  const one = new nn.Sequential(new nn.Linear(3, 8));
  assert.throws(() => loadStateDictBytes(one, bytes), (e: Error) => e instanceof ValueError && /unexpected \[2\.bias, 2\.weight\]/.test(e.message));
  const partial = loadStateDictBytes(one, bytes, { strict: false });
  assert.deepEqual(partial.unexpectedKeys, ['2.bias', '2.weight']);
  same(one.stateDict()['0.weight']!, decodeSafetensors(bytes).tensors['0.weight']!);
  // Incompatible dtypes: a DTypeError; float64 into float32 converts.
  const sd = a.stateDict();
  const asInt = encodeSafetensors({ ...sd, '0.bias': tensor(new Array(8).fill(1), { dtype: 'int32' }) });
  assert.throws(() => loadStateDictBytes(b, asInt), (e: Error) => e instanceof DTypeError && /'0\.bias' int32 \(the model's is float32\)/.test(e.message));
  const as64 = encodeSafetensors(Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, t.cast('float64')])));
  loadStateDictBytes(b, as64);
  assert.deepEqual(b.forward(x).toArray(), a.forward(x).toArray());
});

test('state dict: buffers (BatchNorm running statistics) are saved and loaded too', () => {
  manualSeed(4);
  const make = (): nn.Module => new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4));
  const a = make();
  a.forward(randn([16, 3])); // training mode: updates the running statistics
  a.eval();
  const bytes = saveStateDict(a);
  assert.ok('1.runningMean' in decodeSafetensors(bytes).tensors);
  const b = make().eval();
  loadStateDictBytes(b, bytes);
  const x = randn([5, 3]);
  assert.deepEqual(b.forward(x).toArray(), a.forward(x).toArray());
});

test('state dict files: save and load, missing file named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neurona-io-'));
  try {
    manualSeed(3);
    const a = makeNet();
    const b = makeNet();
    const path = join(dir, 'model.safetensors');
    saveStateDictFile(a, path, { note: 'test' });
    assert.deepEqual(readdirSync(dir), ['model.safetensors']);
    assert.deepEqual(loadStateDictFile(b, path).metadata, { note: 'test' });
    const x = randn([2, 3]);
    assert.deepEqual(b.forward(x).toArray(), a.forward(x).toArray());
    const missing = join(dir, 'nope.safetensors');
    throwsData(() => loadStateDictFile(b, missing), new RegExp(`a safetensors file at ${missing.replace(/[.\\]/g, '\\$&')}; got no such file`));
    throwsData(() => loadStateDictFile(b, dir), /got a directory/);
    writeFileSync(join(dir, 'bad.safetensors'), 'hello');
    throwsData(() => loadStateDictFile(b, join(dir, 'bad.safetensors')), /got 5 bytes in .*bad\.safetensors/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeFileAtomic: replaces whole files, leaves no temp files, keeps the old file on failure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neurona-atomic-'));
  try {
    const path = join(dir, 'out.bin');
    writeFileAtomic(path, 'first version, quite long');
    writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    assert.deepEqual([...readFileSync(path)], [1, 2, 3]);
    assert.deepEqual(readdirSync(dir), ['out.bin']);
    // The existing file's permissions are kept.
    chmodSync(path, 0o600);
    writeFileAtomic(path, 'x');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    // A symlink is written through, not replaced.
    symlinkSync(path, join(dir, 'link.bin'));
    writeFileAtomic(join(dir, 'link.bin'), 'via link');
    assert.equal(readFileSync(path, 'utf8'), 'via link');
    assert.ok(lstatSync(join(dir, 'link.bin')).isSymbolicLink());
    rmSync(join(dir, 'link.bin'));
    writeFileAtomic(path, 'x');
    // The rename target is a (non-empty) folder: the write fails, the folder and its file are intact.
    const target = join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'keep.txt'), 'keep');
    assert.throws(() => writeFileAtomic(target, 'data'), (e: NodeJS.ErrnoException) => typeof e.code === 'string');
    assert.equal(readFileSync(join(target, 'keep.txt'), 'utf8'), 'keep');
    assert.deepEqual(readdirSync(dir).sort(), ['out.bin', 'taken']);
    assert.equal(readFileSync(path, 'utf8'), 'x');
    // A folder that does not exist: nothing is created.
    assert.throws(() => writeFileAtomic(join(dir, 'missing', 'f.bin'), 'data'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    assert.equal(existsSync(join(dir, 'missing')), false);
    assert.deepEqual(readdirSync(dir).sort(), ['out.bin', 'taken']);
    assert.throws(() => writeFileAtomic(path, 42 as unknown as string), /data as a Uint8Array or a string; got number/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
