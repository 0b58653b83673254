// A free list of float buffers for an op's own scratch and saved state: a buffer the op writes in full
// before reading, handed back when the op is done with it (at the end of its forward, or by the engine
// through OpSpec.release once the graph node that saved it is freed). A training loop then reuses the
// same few buffers every step instead of asking the allocator for fresh zeroed megabytes (W4's LSTM
// allocates ~9 MB of such buffers per batch).

type FloatArray = Float32Array | Float64Array;

/** How many buffers the pool keeps (the oldest goes first); a layer needs ~3 per direction. */
const MAX_KEPT = 16;
const kept: FloatArray[] = [];

/**
 * A buffer of `n` values of the given kind, NOT zeroed when it comes from the pool: the caller must
 * write every element before reading it.
 */
export function takeBuffer(f32: boolean, n: number): FloatArray {
  for (let i = kept.length - 1; i >= 0; i--) {
    const b = kept[i]!;
    if (b.length === n && b instanceof Float32Array === f32) {
      kept.splice(i, 1);
      return b;
    }
  }
  return f32 ? new Float32Array(n) : new Float64Array(n);
}

/** Hands a buffer from takeBuffer back; nothing may use it afterwards. */
export function giveBuffer(b: FloatArray): void {
  if (kept.length >= MAX_KEPT) kept.shift();
  kept.push(b);
}
