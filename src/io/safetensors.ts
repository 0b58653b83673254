// The safetensors format (Hugging Face): encoding tensors to bytes and decoding them back, with every field validated.
import { DataError, ValueError, allocArray, fmtShape } from '../core/index.ts';
import type { DType, TypedArray } from '../core/index.ts';
import { Tensor } from '../tensor/index.ts';

/** The safetensors dtype names neurona reads and writes. */
export type SafetensorsDType = 'F32' | 'F64' | 'I32' | 'BOOL';

/** What a safetensors file holds: tensors by name and the free-form string metadata. */
export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

const TO_ST: Readonly<Record<DType, SafetensorsDType>> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };
const FROM_ST: Readonly<Record<string, DType>> = { F32: 'float32', F64: 'float64', I32: 'int32', BOOL: 'bool' };
const ITEM_SIZE: Readonly<Record<DType, number>> = { float32: 4, float64: 8, int32: 4, bool: 1 };
/** The reference writer's dtype order (its enum, by increasing alignment); it writes the largest first. */
const ALIGN_RANK: Readonly<Record<DType, number>> = { bool: 0, int32: 1, float32: 2, float64: 3 };
/** Valid safetensors dtypes that neurona has no tensor type for (named in the error). */
const OTHER_ST = ['F16', 'BF16', 'I64', 'U64', 'I16', 'U16', 'I8', 'U8', 'U32', 'F8_E5M2', 'F8_E4M3'];

/** The reference implementation's limit on the header size (100 MB). */
export const SAFETENSORS_MAX_HEADER_SIZE = 100_000_000;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface TextCodecs {
  TextEncoder: new () => { encode(s: string): Uint8Array };
  TextDecoder: new (label: string, opts: { fatal: boolean }) => { decode(b: Uint8Array): string };
}
// Both exist in every browser and in Node; reached through globalThis because the core is type-checked without DOM or Node types.
const codecs = globalThis as unknown as TextCodecs;

/** Compares two strings by code point (the byte order of their UTF-8 forms, as Rust sorts names). */
function compareNames(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(j)!;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  return (i < a.length ? 1 : 0) - (j < b.length ? 1 : 0);
}

/** Sets a key on a plain object even when it is `__proto__` (defineProperty, not assignment). */
function setKey<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The elements of a tensor as little-endian bytes (bools as 0/1). */
function tensorBytes(t: Tensor): Uint8Array {
  const data = t.contiguousData();
  if (t.dtype === 'bool') return Uint8Array.from(data as Uint8Array, (v) => (v ? 1 : 0));
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (t.dtype === 'float64') dv.setFloat64(8 * i, v, true);
    else if (t.dtype === 'float32') dv.setFloat32(4 * i, v, true);
    else dv.setInt32(4 * i, v, true);
  }
  return out;
}

/**
 * Encodes tensors (and optional string metadata) as a safetensors file: an 8-byte little-endian
 * header size N, an N-byte JSON header padded with spaces to a multiple of 8, then the data,
 * little-endian and row-major. Like the reference writer, tensors are laid out by dtype
 * alignment (float64, float32, int32, bool) and then by name, so each one's data is aligned.
 *
 * ```ts
 * const bytes = encodeSafetensors({ weight: w, bias: b }, { format: 'pt' });
 * ```
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const op = 'encodeSafetensors';
  if (!isPlainObject(tensors)) throw new ValueError(`${op}: an object of tensors by name; got ${tensors === null ? 'null' : typeof tensors}`);
  const entries = Object.keys(tensors).map((name) => {
    const t = tensors[name];
    if (!(t instanceof Tensor)) throw new ValueError(`${op}: a Tensor for every name; got ${t === null ? 'null' : typeof t} for '${name}'`);
    if (name === '__metadata__') throw new ValueError(`${op}: tensor names other than '__metadata__' (reserved for the metadata); got a tensor named so`);
    return { name, t };
  });
  entries.sort((a, b) => ALIGN_RANK[b.t.dtype] - ALIGN_RANK[a.t.dtype] || compareNames(a.name, b.name));

  const parts: string[] = [];
  if (metadata !== undefined) {
    if (!isPlainObject(metadata)) throw new ValueError(`${op}: metadata as an object of strings; got ${metadata === null ? 'null' : typeof metadata}`);
    const kv = Object.keys(metadata).map((k) => {
      const v = metadata[k];
      if (typeof v !== 'string') throw new ValueError(`${op}: metadata values that are strings (the format allows only strings); got ${typeof v} for '${k}'. Use JSON.stringify for other values`);
      return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
    });
    parts.push(`"__metadata__":{${kv.join(',')}}`);
  }
  let offset = 0;
  const blobs = entries.map(({ name, t }) => {
    const bytes = tensorBytes(t);
    parts.push(`${JSON.stringify(name)}:{"dtype":"${TO_ST[t.dtype]}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${offset + bytes.length}]}`);
    offset += bytes.length;
    return bytes;
  });
  const json = new codecs.TextEncoder().encode(`{${parts.join(',')}}`);
  const n = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + n + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, n % 4294967296, true);
  dv.setUint32(4, Math.floor(n / 4294967296), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n);
  let at = 8 + n;
  for (const b of blobs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

/** Reads `bytes` (little-endian elements of `dtype`) into a fresh, aligned typed array. */
function readElements(bytes: Uint8Array, dtype: DType): TypedArray {
  const n = bytes.length / ITEM_SIZE[dtype];
  if (dtype === 'bool' || LITTLE_ENDIAN) {
    const copy = new Uint8Array(bytes); // a copy in a new ArrayBuffer at offset 0: aligned for any element size
    return dtype === 'bool' ? copy : dtype === 'float64' ? new Float64Array(copy.buffer) : dtype === 'float32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
  }
  const out = allocArray(dtype, n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = dtype === 'float64' ? dv.getFloat64(8 * i, true) : dtype === 'float32' ? dv.getFloat32(4 * i, true) : dv.getInt32(4 * i, true);
  return out;
}

/**
 * Decodes a safetensors file, copying every tensor into fresh typed arrays. Everything is checked
 * and a DataError says what is wrong: a file shorter than 8 bytes, a header size beyond the file,
 * a header that is not UTF-8 JSON of an object, an unknown dtype, a bad shape, data_offsets out of
 * bounds, overlapping or leaving holes, a byte length that does not match dtype × shape, bytes
 * after the data. The header is read with JSON.parse only (never evaluated). `name` (a file name)
 * is used in error messages.
 *
 * ```ts
 * const { tensors, metadata } = decodeSafetensors(bytes);
 * ```
 */
export function decodeSafetensors(bytes: Uint8Array, name?: string): SafetensorsContents {
  const op = 'decodeSafetensors';
  const where = name === undefined ? '' : ` in ${name}`;
  const fail = (expected: string, got: string, hint = ''): DataError => new DataError(`${op}: ${expected}; got ${got}${where}${hint ? `. ${hint}` : ''}`);
  if (!(bytes instanceof Uint8Array)) throw fail('the bytes of a safetensors file as a Uint8Array', bytes === null ? 'null' : typeof bytes);
  // A plain view (a Node Buffer's slice() would share memory instead of copying).
  bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw fail('at least 8 bytes (the header size)', `${bytes.length} bytes`, 'The file is truncated or not a safetensors file');
  const head = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const n = head.getUint32(4, true) * 4294967296 + head.getUint32(0, true);
  if (n > bytes.length - 8) {
    throw fail(
      `a header of at most the ${bytes.length - 8} bytes after the 8-byte header size`,
      `a header size of ${n} bytes, larger than the file`,
      'The file is truncated or not a safetensors file',
    );
  }
  if (n > SAFETENSORS_MAX_HEADER_SIZE) throw fail(`a header of at most ${SAFETENSORS_MAX_HEADER_SIZE} bytes`, `a header size of ${n} bytes`);

  let text: string;
  try {
    text = new codecs.TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw fail('a header of UTF-8 text', 'bytes that are not valid UTF-8', 'The header is corrupt');
  }
  if (text[0] !== '{') throw fail("a JSON header starting with '{'", `${JSON.stringify(text.slice(0, 20))}`, 'The header is corrupt or this is not a safetensors file');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw fail('a header of valid JSON', `a parse error (${(e as Error).message})`, 'The header is corrupt');
  }
  if (!isPlainObject(header)) throw fail('a JSON object as the header', Array.isArray(header) ? 'an array' : String(header));

  const bufLen = bytes.length - 8 - n;
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const key of Object.keys(header)) {
    const info = header[key];
    if (key === '__metadata__') {
      if (!isPlainObject(info)) throw fail("'__metadata__' as an object of strings", Array.isArray(info) ? 'an array' : String(info));
      for (const mk of Object.keys(info)) {
        const v = info[mk];
        if (typeof v !== 'string') throw fail(`string values in '__metadata__'`, `${v === null ? 'null' : typeof v} for '${mk}'`);
        setKey(metadata, mk, v);
      }
      continue;
    }
    const what = `tensor '${key}'`;
    if (!isPlainObject(info)) throw fail(`an object {dtype, shape, data_offsets} for ${what}`, Array.isArray(info) ? 'an array' : String(info));
    const st = info.dtype;
    const dtype = typeof st === 'string' && Object.hasOwn(FROM_ST, st) ? FROM_ST[st]! : undefined;
    if (dtype === undefined) {
      const known = typeof st === 'string' && OTHER_ST.includes(st);
      throw fail(
        `dtype F32, F64, I32 or BOOL for ${what}`,
        JSON.stringify(st) ?? 'no dtype',
        known ? `neurona has no ${st} tensors: convert the tensor to float32, float64 or int32 before saving` : 'The header is corrupt',
      );
    }
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
      throw fail(`a shape that is a list of non-negative integers for ${what}`, JSON.stringify(shape) ?? 'no shape');
    }
    const offs = info.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
      throw fail(`data_offsets [begin, end] of two non-negative integers for ${what}`, JSON.stringify(offs) ?? 'no data_offsets');
    }
    const [begin, end] = offs as [number, number];
    if (end < begin) throw fail(`data_offsets [begin, end] with begin <= end for ${what}`, `[${begin}, ${end}]`);
    if (end > bufLen) throw fail(`data_offsets within the ${bufLen}-byte data buffer for ${what}`, `[${begin}, ${end}], out of bounds`, 'The file is truncated or the header is corrupt');
    let numel = 1;
    for (const d of shape as number[]) numel *= d;
    const nbytes = numel * ITEM_SIZE[dtype];
    if (!Number.isSafeInteger(nbytes)) throw fail(`a shape of a representable size for ${what}`, fmtShape(shape as number[]));
    if (end - begin !== nbytes) {
      throw fail(
        `${nbytes} bytes for ${what} (dtype ${st}, shape ${fmtShape(shape as number[])}: ${numel} elements × ${ITEM_SIZE[dtype]} bytes)`,
        `data_offsets [${begin}, ${end}] (${end - begin} bytes)`,
      );
    }
    entries.push({ name: key, dtype, shape: shape as number[], begin, end });
  }

  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let prev: Entry | undefined;
  for (const e of sorted) {
    if (e.begin < cursor) {
      throw fail(
        'tensors whose data do not overlap',
        `tensor '${e.name}' at [${e.begin}, ${e.end}] overlapping tensor '${prev!.name}' at [${prev!.begin}, ${prev!.end}]`,
        'The header is corrupt',
      );
    }
    if (e.begin > cursor) {
      throw fail(
        'tensor data packed with no holes (each tensor starting where the previous one ends)',
        `a hole of ${e.begin - cursor} bytes at [${cursor}, ${e.begin}] before tensor '${e.name}'`,
        'The header is corrupt',
      );
    }
    cursor = e.end;
    prev = e;
  }
  if (cursor !== bufLen) {
    throw fail(
      `a data buffer of exactly the ${cursor} bytes the tensors use`,
      `${bufLen - cursor} extra byte${bufLen - cursor === 1 ? '' : 's'} at the end (a ${bufLen}-byte buffer)`,
      'The file has trailing garbage or the header is corrupt',
    );
  }

  const tensors: Record<string, Tensor> = {};
  const start = 8 + n;
  for (const e of entries) {
    const data = readElements(bytes.subarray(start + e.begin, start + e.end), e.dtype);
    if (e.dtype === 'bool') {
      const bad = data.findIndex((v) => v !== 0 && v !== 1);
      if (bad >= 0) throw fail(`bytes 0 or 1 in BOOL tensor '${e.name}'`, `${data[bad]} at element ${bad}`, 'The data is corrupt');
    }
    setKey(tensors, e.name, Tensor.fromData(data, e.shape, e.dtype));
  }
  return { tensors, metadata };
}
