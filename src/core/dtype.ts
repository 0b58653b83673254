// Data types and their typed-array storage.

/** Element types a tensor can hold. `bool` is the result of comparisons. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

const ctors = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  bool: Uint8Array,
} as const;

// Small and mid-size arrays are views into shared slabs. Every typed array over 64 bytes gets its own
// ArrayBuffer with memory outside V8's heap, and making one costs 1-4 µs here whatever its size (the
// allocation, the external-memory accounting, the sweeper's bookkeeping), while a view into an existing
// buffer costs ~0.05 µs. Per-sample training and batch-1 inference make several such arrays per op (W5
// at batch 1 spent ~60% of its time there). Mid-size arrays (a batch's activations: 64 x 256 floats)
// cost more on their own: the C heap hands each its own pages and returns them when it is freed, so
// every one is page-faulted in again (64 KB: 22 µs each in W1, 200 KB 45 µs; 5-7 µs and 18-20 µs from a
// 2 MB slab). A slab is handed out front to back, never reused, so every view starts zeroed; it is
// freed by the garbage collector when its last view dies (one kept view keeps its slab: at most the
// slab's size per kept tensor, the same trade as PyTorch's caching allocator, which carves tensors of
// up to 1 MB out of 2 MB blocks). Small arrays keep their own smaller slabs, so a kept small tensor
// pins 128 KB, not 2 MB.
class Slabs {
  private slab = new ArrayBuffer(0);
  private used = 0;
  constructor(private readonly bytes: number) {}
  /** `n` elements of C from the current slab (a new one when it is full). */
  take(C: (typeof ctors)[DType], n: number, size: number): TypedArray {
    if (this.used + size > this.slab.byteLength) {
      this.slab = new ArrayBuffer(this.bytes);
      this.used = 0;
      if (largeAllocHook !== null) largeAllocHook();
    }
    const a = new C(this.slab, this.used, n);
    this.used += (size + 63) & ~63; // the next view starts on a cache line
    return a;
  }
}
/** Arrays up to this many bytes come from 128 KB slabs... */
const SMALL_MAX = 16 * 1024;
const small = new Slabs(128 * 1024);
/** ...up to this many from 2 MB slabs; larger ones get their own buffer. */
const MID_MAX = 256 * 1024;
const mid = new Slabs(2048 * 1024);
/** V8 keeps typed arrays up to 64 bytes on its own heap: cheaper than a view. */
const ON_HEAP_MAX = 64;

/** Arrays from this many bytes up (and new slabs) call the large-allocation hook. */
const HOOK_MIN = 64 * 1024;
let largeAllocHook: (() => void) | null = null;

/**
 * Sets a function called after every allocation of at least 64 KB and each new slab (the native backend
 * uses it to mark newly grown heap memory for huge pages before anything touches it); null removes it.
 * Returns the hook it replaces.
 */
export function setLargeAllocHook(fn: (() => void) | null): (() => void) | null {
  const previous = largeAllocHook;
  largeAllocHook = fn;
  return previous;
}

/** Allocates zeroed storage of `n` elements for `dtype`. */
export function allocArray(dtype: DType, n: number): TypedArray {
  const C = ctors[dtype];
  const bytes = n * C.BYTES_PER_ELEMENT;
  if (bytes <= ON_HEAP_MAX) return new C(n);
  if (bytes <= SMALL_MAX) return small.take(C, n, bytes);
  if (bytes <= MID_MAX) return mid.take(C, n, bytes);
  const a = new C(n);
  if (bytes >= HOOK_MIN && largeAllocHook !== null) largeAllocHook();
  return a;
}

/** The dtype whose storage class is this typed array's. */
export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'bool';
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

const rank: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** Type promotion for binary ops: bool < int32 < float32 < float64. */
export function promoteTypes(a: DType, b: DType): DType {
  return rank[a] >= rank[b] ? a : b;
}
