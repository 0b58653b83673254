// The IDX file format (MNIST and friends): parsing the big-endian header and the unsigned-byte data.
import { DataError } from '../core/index.ts';

/** A parsed IDX file: its dims and its unsigned bytes in row-major order. */
export interface IdxData {
  /** The size of each dim, e.g. [60000, 28, 28] for MNIST training images. */
  dims: number[];
  /** The elements (a view into the input, not a copy). */
  data: Uint8Array;
}

function hex8(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}

/**
 * Parses an IDX file of unsigned bytes: a big-endian magic 0x000008NN (type 0x08, NN dims), NN
 * big-endian uint32 dim sizes, then product(dims) bytes. Throws DataError on a wrong magic or a
 * length that does not match the header. `name` (a file name) is used in error messages.
 *
 * ```ts
 * const { dims, data } = parseIdx(bytes, 'train-labels-idx1-ubyte'); // dims [60000]
 * ```
 */
export function parseIdx(bytes: Uint8Array, name = 'the IDX data'): IdxData {
  const { dims, header } = parseIdxHeader(bytes, name);
  const expected = header + dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected) {
    const why = bytes.length < expected ? 'the file is truncated' : `${bytes.length - expected} bytes after the data`;
    throw new DataError(`parseIdx: ${name} of ${expected} bytes for dims [${dims.join(',')}]; got ${bytes.length} (${why})`);
  }
  return { dims, data: bytes.subarray(header, expected) };
}

/**
 * The header of an IDX file of unsigned bytes (the first 4 + 4 * ndim bytes are enough): its dims and
 * its length in bytes. Throws DataError on a wrong magic or a short header.
 */
export function parseIdxHeader(bytes: Uint8Array, name = 'the IDX data'): { dims: number[]; header: number } {
  if (!(bytes instanceof Uint8Array)) throw new DataError(`parseIdx: the bytes of an IDX file as a Uint8Array; got ${typeof bytes} for ${name}`);
  if (bytes.length < 4) {
    throw new DataError(`parseIdx: an IDX file of at least 4 bytes (the magic number); got ${bytes.length} bytes in ${name} (the file is truncated)`);
  }
  const u32 = (at: number): number => ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  const magic = u32(0);
  const ndim = magic & 0xff;
  if (magic >>> 8 !== 0x08 || ndim === 0) {
    const hint = bytes[0] === 0x1f && bytes[1] === 0x8b ? '. It looks gzip-compressed: gunzip it first' : '';
    throw new DataError(`parseIdx: an IDX file with magic 0x0000080N (unsigned bytes, N >= 1 dims); got ${hex8(magic)} in ${name}${hint}`);
  }
  const header = 4 + 4 * ndim;
  if (bytes.length < header) {
    throw new DataError(`parseIdx: ${name} with a header of ${header} bytes for ${ndim} dims; got ${bytes.length} bytes (the file is truncated)`);
  }
  return { dims: Array.from({ length: ndim }, (_, i) => u32(4 + 4 * i)), header };
}
