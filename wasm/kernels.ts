// AssemblyScript source of the WebAssembly SIMD kernels (built by `npm run build:wasm`): the matmul, the
// fused optimizer updates (adam, sgd; the formulas of src/optim, in float32 like the native addon),
// im2col/col2im, fit's fused small-MLP SGD, and (at the end) the activations, the LSTM gate math, max
// pooling and softmax.
//
// Matmul: C[m,n] (+)= op(A)·op(B) for float32: A and B are packed into 5-row / 8-column panels (handling
// transposition), then a 5x8 micro-kernel keeps 10 f32x4 accumulators in registers (V8 has 15 xmm
// registers for them, two B vectors, the broadcast and the product; 6x8 spills without FMA); the
// relaxed-SIMD build fuses the multiply-adds (see madd), needs no product register and so runs a 6x8
// tile (one core, n=1024: 49.9 -> 53.1 GFLOP/s over its 5x8).
// A is broadcast straight from memory (load32_splat: one vbroadcastss on x64, 7-9% faster than a load
// and a splat); unrolling k by two is slower (33 vs 44 GFLOP/s for 4x8: TurboFan schedules the second
// half's B loads early and spills an accumulator). KC = 512 and MC = 120 rows: +2-3% over one pass of
// the whole of A per column panel.

// Six rows where multiply-adds fuse (relaxed SIMD: no product register, so 12 accumulators fit).
const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 5;
const NR: i32 = 8;
const KC: i32 = 512;

@inline function lo(u: v128, w: v128): v128 {
  return v128.shuffle<i32>(u, w, 0, 4, 1, 5);
}
@inline function hi(u: v128, w: v128): v128 {
  return v128.shuffle<i32>(u, w, 2, 6, 3, 7);
}
/** A 4x4 transpose: column k of the rows v0..v3, (v0[k], v1[k], v2[k], v3[k]), stored at q + k·stride. */
@inline function storeColumns(v0: v128, v1: v128, v2: v128, v3: v128, q: usize, stride: usize): void {
  const t0 = lo(v0, v1), t1 = hi(v0, v1), t2 = lo(v2, v3), t3 = hi(v2, v3);
  v128.store(q, v128.shuffle<i64>(t0, t2, 0, 2));
  v128.store(q + stride, v128.shuffle<i64>(t0, t2, 1, 3));
  v128.store(q + 2 * stride, v128.shuffle<i64>(t1, t3, 0, 2));
  v128.store(q + 3 * stride, v128.shuffle<i64>(t1, t3, 1, 3));
}

/**
 * Packs `count` indices (rows of op(A), or columns of op(B)) x steps k0..k0+kc of a matrix into panels of
 * `width` (MR for A, NR for B; a compile-time constant at each call, so each is its own code), step by
 * step, zeros past `count`. Element (index j, step p) is x[p·ld + j] when `stepRows` (op(A) transposed,
 * op(B) as stored: each step's panel is contiguous, copied by vectors), otherwise x[j·ld + p] (rows of
 * A, the transposed weight of x·Wᵀ: four steps of each of the panel's rows are transposed in registers,
 * instead of one scalar load and store per element).
 */
@inline function packPanels(x: usize, ld: i32, stepRows: bool, count: i32, k0: i32, kc: i32, dst: usize, width: i32): void {
  let q = dst;
  const pEnd = k0 + kc;
  const rs = <usize>ld << 2;
  for (let j0 = 0; j0 < count; j0 += width) {
    const n = min(width, count - j0);
    let p = k0;
    if (n == width && stepRows) {
      for (; p < pEnd; p++) {
        const src = x + ((<usize>p * ld + j0) << 2);
        v128.store(q, v128.load(src));
        if (width == 8) v128.store(q, v128.load(src, 16), 16);
        else {
          store<f32>(q, load<f32>(src, 16), 16);
          if (width == 6) store<f32>(q, load<f32>(src, 20), 20);
        }
        q += width * 4;
      }
    } else if (n == width) {
      const r0 = x + <usize>j0 * rs;
      for (; p + 4 <= pEnd; p += 4) {
        const o = r0 + (<usize>p << 2);
        storeColumns(v128.load(o), v128.load(o + rs), v128.load(o + 2 * rs), v128.load(o + 3 * rs), q, width * 4);
        const v4 = v128.load(o + 4 * rs);
        if (width == 8) {
          storeColumns(v4, v128.load(o + 5 * rs), v128.load(o + 6 * rs), v128.load(o + 7 * rs), q + 16, 32);
        } else if (width == 6) {
          const v5 = v128.load(o + 5 * rs);
          const w0 = lo(v4, v5), w1 = hi(v4, v5);
          store<i64>(q, i64x2.extract_lane(w0, 0), 16);
          store<i64>(q, i64x2.extract_lane(w0, 1), 40);
          store<i64>(q, i64x2.extract_lane(w1, 0), 64);
          store<i64>(q, i64x2.extract_lane(w1, 1), 88);
        } else {
          store<f32>(q, f32x4.extract_lane(v4, 0), 16);
          store<f32>(q, f32x4.extract_lane(v4, 1), 36);
          store<f32>(q, f32x4.extract_lane(v4, 2), 56);
          store<f32>(q, f32x4.extract_lane(v4, 3), 76);
        }
        q += width * 16;
      }
    }
    for (; p < pEnd; p++) {
      for (let c = 0; c < width; c++) {
        const j = j0 + c;
        store<f32>(q, c < n ? load<f32>(x + ((stepRows ? <usize>p * ld + j : <usize>j * ld + p) << 2)) : 0);
        q += 4;
      }
    }
  }
}

/** op(A) (m x k, A row-major or transposed) for steps k0..k0+kc, in panels of MR rows. */
function packA(a: usize, lda: i32, trans: i32, m: i32, k0: i32, kc: i32, dst: usize): void {
  packPanels(a, lda, trans != 0, m, k0, kc, dst, MR);
}

/** op(B) (k x n, B row-major or transposed) for steps k0..k0+kc, in panels of NR columns. */
function packB(b: usize, ldb: i32, trans: i32, n: i32, k0: i32, kc: i32, dst: usize): void {
  packPanels(b, ldb, trans == 0, n, k0, kc, dst, NR);
}

/**
 * a·b + c per lane: one fused multiply-add where the module is built with relaxed SIMD (V8 emits vfmadd on
 * x64 with FMA3; the rounding may then differ from the separate multiply and add of the plain SIMD build,
 * which every host runs). One thread, 512³: 30 -> 38 GFLOP/s here.
 */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

function micro(ap: usize, bp: usize, kc: i32, c: usize, ldc: i32, rows: i32, cols: i32, add: bool, t: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  let pa = ap;
  let pb = bp;
  const paEnd = ap + ((<usize>kc * MR) << 2);
  // Constant offsets go in the loads' offset fields (one address register per operand, no adds), and
  // the loop runs on pa alone: V8's code is front-end bound here (no FMA: a mul and an add per lane, and
  // a stack check, two zero-extensions and an address add per broadcast around them), so the fifth row
  // spreads that fixed cost over 20 multiply-adds instead of 16 (4x8: 44 -> 54 GFLOP/s on one Zen 5 core).
  while (pa < paEnd) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load32_splat(pa, 16);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    if (MR == 6) {
      a = v128.load32_splat(pa, 20);
      c50 = madd(a, b0, c50); c51 = madd(a, b1, c51);
    }
    pa += MR * 4;
    pb += 32;
  }
  if (rows == MR && cols == NR) {
    const s = <usize>ldc << 2;
    let o = c;
    if (add) {
      v128.store(o, f32x4.add(v128.load(o), c00)); v128.store(o + 16, f32x4.add(v128.load(o + 16), c01)); o += s;
      v128.store(o, f32x4.add(v128.load(o), c10)); v128.store(o + 16, f32x4.add(v128.load(o + 16), c11)); o += s;
      v128.store(o, f32x4.add(v128.load(o), c20)); v128.store(o + 16, f32x4.add(v128.load(o + 16), c21)); o += s;
      v128.store(o, f32x4.add(v128.load(o), c30)); v128.store(o + 16, f32x4.add(v128.load(o + 16), c31)); o += s;
      v128.store(o, f32x4.add(v128.load(o), c40)); v128.store(o + 16, f32x4.add(v128.load(o + 16), c41));
      if (MR == 6) {
        o += s;
        v128.store(o, f32x4.add(v128.load(o), c50)); v128.store(o + 16, f32x4.add(v128.load(o + 16), c51));
      }
    } else {
      v128.store(o, c00); v128.store(o + 16, c01); o += s;
      v128.store(o, c10); v128.store(o + 16, c11); o += s;
      v128.store(o, c20); v128.store(o + 16, c21); o += s;
      v128.store(o, c30); v128.store(o + 16, c31); o += s;
      v128.store(o, c40); v128.store(o + 16, c41);
      if (MR == 6) {
        o += s;
        v128.store(o, c50); v128.store(o + 16, c51);
      }
    }
    return;
  }
  // Edge tile: spill to the caller's scratch tile `t` (one per thread: threads share this memory), then
  // copy the valid part.
  v128.store(t, c00); v128.store(t + 16, c01);
  v128.store(t + 32, c10); v128.store(t + 48, c11);
  v128.store(t + 64, c20); v128.store(t + 80, c21);
  v128.store(t + 96, c30); v128.store(t + 112, c31);
  v128.store(t + 128, c40); v128.store(t + 144, c41);
  if (MR == 6) {
    v128.store(t + 160, c50); v128.store(t + 176, c51);
  }
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const o = c + ((<usize>r * ldc + q) << 2);
      const v = load<f32>(t + ((<usize>r * NR + q) << 2));
      store<f32>(o, add ? load<f32>(o) + v : v);
    }
  }
}

const TILE: i32 = MR * NR * 4;

/** Bytes of scratch the packed panels (and the edge tile) need for these sizes. */
export function scratchBytes(m: i32, n: i32, k: i32): i32 {
  const kc = min(k, KC);
  return (((m + MR - 1) / MR) * MR + ((n + NR - 1) / NR) * NR) * kc * 4 + TILE + 16;
}

/**
 * C[m,n] (+)= op(A)·op(B) with C's rows `ldc` apart; all pointers into this module's memory, `scratch`
 * sized by scratchBytes.
 */
export function sgemm(m: i32, n: i32, k: i32, a: usize, lda: i32, transA: i32, b: usize, ldb: i32, transB: i32, c: usize, ldc: i32, accumulate: i32, scratch: usize): void {
  const kcMax = min(k, KC);
  const pa = (scratch + 15) & ~(<usize>15);
  const pb = pa + ((<usize>(((m + MR - 1) / MR) * MR * kcMax)) << 2);
  const tile = pb + ((<usize>(((n + NR - 1) / NR) * NR * kcMax)) << 2);
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = min(KC, k - k0);
    packA(a, lda, transA, m, k0, kc, pa);
    packB(b, ldb, transB, n, k0, kc, pb);
    panels(m, n, kc, pa, pb, c, ldc, accumulate != 0 || k0 > 0, tile);
  }
}

// Rows of A per block: 24 panels (120 x KC floats, 240 KB; 144 rows in the relaxed build) stay in the L2
// cache while every column panel of B passes over them.
const MC: i32 = MR * 24;

/** The micro-kernel over every tile of C[m,n] for one block of kc, from packed A and B. */
function panels(m: i32, n: i32, kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, add: bool, tile: usize): void {
  for (let ib = 0; ib < m; ib += MC) {
    const iEnd = min(m, ib + MC);
    for (let j0 = 0; j0 < n; j0 += NR) {
      const bpanel = pb + ((<usize>(j0 / NR) * kc * NR) << 2);
      const cols = min(NR, n - j0);
      for (let i0 = ib; i0 < iEnd; i0 += MR) {
        const apanel = pa + ((<usize>(i0 / MR) * kc * MR) << 2);
        micro(apanel, bpanel, kc, c + ((<usize>i0 * ldc + j0) << 2), ldc, min(MR, m - i0), cols, add, tile);
      }
    }
  }
}

/** Bytes of op(A) packed whole (every block of KC), for packPart. */
export function packedABytes(m: i32, k: i32): i32 {
  return ((m + MR - 1) / MR) * MR * k * 4;
}

/**
 * Packs part `part` of `parts` of op(A) (m x k) into `dst`: that share of A's panels of MR rows, for
 * every block of KC (the block starting at k0 at float offset mPad·k0, each in the layout sgemm packs
 * one block in). The threads pack the parts at once and then share the whole (sgemmPackedA), each
 * packing only its own columns of B.
 */
export function packPart(a: usize, lda: i32, transA: i32, m: i32, k: i32, part: i32, parts: i32, dst: usize): void {
  const panels = (m + MR - 1) / MR;
  const mPad = panels * MR;
  const i0 = ((panels * part) / parts) * MR;
  const i1 = min(m, ((panels * (part + 1)) / parts) * MR);
  if (i1 <= i0) return;
  const x = transA != 0 ? a + (<usize>i0 << 2) : a + ((<usize>i0 * lda) << 2);
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = min(KC, k - k0);
    packA(x, lda, transA, i1 - i0, k0, kc, dst + ((<usize>mPad * k0 + <usize>i0 * kc) << 2));
  }
}

/** Bytes of scratch sgemmPackedA needs for n columns. */
export function scratchPackedBytes(n: i32, k: i32): i32 {
  return ((n + NR - 1) / NR) * NR * min(k, KC) * 4 + TILE + 16;
}

/** C[m,n] (+)= op(A)·op(B) with op(A) packed by packPart at `pa`; `scratch` sized by scratchPackedBytes. */
export function sgemmPackedA(m: i32, n: i32, k: i32, pa: usize, b: usize, ldb: i32, transB: i32, c: usize, ldc: i32, accumulate: i32, scratch: usize): void {
  const mPad = ((m + MR - 1) / MR) * MR;
  const pb = (scratch + 15) & ~(<usize>15);
  const tile = pb + ((<usize>(((n + NR - 1) / NR) * NR * min(k, KC))) << 2);
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = min(KC, k - k0);
    packB(b, ldb, transB, n, k0, kc, pb);
    panels(m, n, kc, pa + ((<usize>mPad * k0) << 2), pb, c, ldc, accumulate != 0 || k0 > 0, tile);
  }
}

/**
 * c[j] (+)= Σ_p a[p]·op(B)(p, j) for one row a of k values (a batch of one): no packing. With transB (B
 * stored [n, k], the Linear layer's weight) every output is a dot product of two contiguous rows, four
 * rows at a time; otherwise c accumulates a[p]·(row p of B) sixteen columns at a time in registers.
 */
export function gemv(n: i32, k: i32, a: usize, b: usize, ldb: i32, transB: i32, c: usize, accumulate: i32): void {
  if (transB) {
    const k4 = k & ~3;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const r0 = b + ((<usize>j * ldb) << 2);
      const r1 = r0 + ((<usize>ldb) << 2);
      const r2 = r1 + ((<usize>ldb) << 2);
      const r3 = r2 + ((<usize>ldb) << 2);
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      for (let p = 0; p < k4; p += 4) {
        const o = <usize>p << 2;
        const av = v128.load(a + o);
        s0 = f32x4.add(s0, f32x4.mul(av, v128.load(r0 + o)));
        s1 = f32x4.add(s1, f32x4.mul(av, v128.load(r1 + o)));
        s2 = f32x4.add(s2, f32x4.mul(av, v128.load(r2 + o)));
        s3 = f32x4.add(s3, f32x4.mul(av, v128.load(r3 + o)));
      }
      let t0 = f32x4.extract_lane(s0, 0) + f32x4.extract_lane(s0, 1) + f32x4.extract_lane(s0, 2) + f32x4.extract_lane(s0, 3);
      let t1 = f32x4.extract_lane(s1, 0) + f32x4.extract_lane(s1, 1) + f32x4.extract_lane(s1, 2) + f32x4.extract_lane(s1, 3);
      let t2 = f32x4.extract_lane(s2, 0) + f32x4.extract_lane(s2, 1) + f32x4.extract_lane(s2, 2) + f32x4.extract_lane(s2, 3);
      let t3 = f32x4.extract_lane(s3, 0) + f32x4.extract_lane(s3, 1) + f32x4.extract_lane(s3, 2) + f32x4.extract_lane(s3, 3);
      for (let p = k4; p < k; p++) {
        const o = <usize>p << 2;
        const ap = load<f32>(a + o);
        t0 += ap * load<f32>(r0 + o);
        t1 += ap * load<f32>(r1 + o);
        t2 += ap * load<f32>(r2 + o);
        t3 += ap * load<f32>(r3 + o);
      }
      const co = c + ((<usize>j) << 2);
      if (accumulate) {
        t0 += load<f32>(co);
        t1 += load<f32>(co + 4);
        t2 += load<f32>(co + 8);
        t3 += load<f32>(co + 12);
      }
      store<f32>(co, t0);
      store<f32>(co + 4, t1);
      store<f32>(co + 8, t2);
      store<f32>(co + 12, t3);
    }
    for (; j < n; j++) {
      const r = b + ((<usize>j * ldb) << 2);
      let t: f32 = 0;
      for (let p = 0; p < k; p++) t += load<f32>(a + ((<usize>p) << 2)) * load<f32>(r + ((<usize>p) << 2));
      const co = c + ((<usize>j) << 2);
      store<f32>(co, accumulate ? load<f32>(co) + t : t);
    }
    return;
  }
  let j0 = 0;
  for (; j0 + 16 <= n; j0 += 16) {
    const co = c + ((<usize>j0) << 2);
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    if (accumulate) {
      s0 = v128.load(co);
      s1 = v128.load(co + 16);
      s2 = v128.load(co + 32);
      s3 = v128.load(co + 48);
    }
    for (let p = 0; p < k; p++) {
      const av = v128.load32_splat(a + ((<usize>p) << 2));
      const row = b + ((<usize>p * ldb + j0) << 2);
      s0 = f32x4.add(s0, f32x4.mul(av, v128.load(row)));
      s1 = f32x4.add(s1, f32x4.mul(av, v128.load(row + 16)));
      s2 = f32x4.add(s2, f32x4.mul(av, v128.load(row + 32)));
      s3 = f32x4.add(s3, f32x4.mul(av, v128.load(row + 48)));
    }
    v128.store(co, s0);
    v128.store(co + 16, s1);
    v128.store(co + 32, s2);
    v128.store(co + 48, s3);
  }
  for (; j0 < n; j0++) {
    let t: f32 = 0;
    for (let p = 0; p < k; p++) t += load<f32>(a + ((<usize>p) << 2)) * load<f32>(b + ((<usize>p * ldb + j0) << 2));
    const co = c + ((<usize>j0) << 2);
    store<f32>(co, accumulate ? load<f32>(co) + t : t);
  }
}

/**
 * One Adam step over n float32 values (see AdamCoefficients in src/backend/backend.ts):
 * g = sign·∇ + l2·p; m = b1·m + c1·g; v = b2·v + c2·g²; vmax = max(vmax, v) when vmax != 0;
 * p = p·decay − stepSize·m / (√v(max)·invBc2Sqrt + eps).
 */
export function adam(p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32, sign: f32, l2: f32, decay: f32, b1: f32, b2: f32, c1: f32, c2: f32, stepSize: f32, invBc2Sqrt: f32, eps: f32): void {
  const S = f32x4.splat(sign), L2 = f32x4.splat(l2), D = f32x4.splat(decay), B1 = f32x4.splat(b1), B2 = f32x4.splat(b2);
  const C1 = f32x4.splat(c1), C2 = f32x4.splat(c2), SS = f32x4.splat(stepSize), IB = f32x4.splat(invBc2Sqrt), E = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    const gv = f32x4.add(f32x4.mul(S, v128.load(g + o)), f32x4.mul(L2, pv));
    const mv = f32x4.add(f32x4.mul(B1, v128.load(m + o)), f32x4.mul(C1, gv));
    const vv = f32x4.add(f32x4.mul(B2, v128.load(v + o)), f32x4.mul(f32x4.mul(C2, gv), gv));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    let den = vv;
    if (vmax) {
      den = f32x4.max(v128.load(vmax + o), vv);
      v128.store(vmax + o, den);
    }
    v128.store(p + o, f32x4.sub(f32x4.mul(pv, D), f32x4.div(f32x4.mul(SS, mv), f32x4.add(f32x4.mul(f32x4.sqrt(den), IB), E))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    const gi = sign * load<f32>(g + o) + l2 * pi;
    const mi = b1 * load<f32>(m + o) + c1 * gi;
    const vi = b2 * load<f32>(v + o) + c2 * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    let den = vi;
    if (vmax) {
      den = max(load<f32>(vmax + o), vi);
      store<f32>(vmax + o, den);
    }
    store<f32>(p + o, pi * decay - (stepSize * mi) / (sqrt<f32>(den) * invBc2Sqrt + eps));
  }
}

/**
 * One SGD step over n float32 values (see SgdCoefficients): g = sign·∇ + wd·p; without a buffer
 * (buf == 0) p −= lr·g; with one, b = bm·b + bg·g and p −= lr·(cg·g + cb·b).
 */
export function sgd(p: usize, g: usize, buf: usize, n: i32, sign: f32, wd: f32, lr: f32, bm: f32, bg: f32, cg: f32, cb: f32): void {
  const S = f32x4.splat(sign), W = f32x4.splat(wd), LR = f32x4.splat(lr), BM = f32x4.splat(bm), BG = f32x4.splat(bg), CG = f32x4.splat(cg), CB = f32x4.splat(cb);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    const gv = f32x4.add(f32x4.mul(S, v128.load(g + o)), f32x4.mul(W, pv));
    if (buf) {
      const bv = f32x4.add(f32x4.mul(BM, v128.load(buf + o)), f32x4.mul(BG, gv));
      v128.store(buf + o, bv);
      v128.store(p + o, f32x4.sub(pv, f32x4.mul(LR, f32x4.add(f32x4.mul(CG, gv), f32x4.mul(CB, bv)))));
    } else {
      v128.store(p + o, f32x4.sub(pv, f32x4.mul(LR, gv)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    const gi = sign * load<f32>(g + o) + wd * pi;
    if (buf) {
      const bi = bm * load<f32>(buf + o) + bg * gi;
      store<f32>(buf + o, bi);
      store<f32>(p + o, pi - lr * (cg * gi + cb * bi));
    } else {
      store<f32>(p + o, pi - lr * gi);
    }
  }
}

// im2col / col2im of one image [c, h, w] for output rows [oy0, oy1) (the conv ops' column matrix, a band
// of output rows at a time; see native/conv.cc): cols[c·kh·kw, (oy1 − oy0)·wo].

// First output column whose input column ox·s + shift is inside the image, and the end of that run.
@inline function colLo(shift: i32, s: i32, wo: i32): i32 {
  const l = shift >= 0 ? 0 : (-shift + s - 1) / s;
  return min(wo, max(0, l));
}
@inline function colHi(shift: i32, s: i32, w: i32, wo: i32, lo: i32): i32 {
  const h = w - 1 - shift < 0 ? 0 : (w - 1 - shift) / s + 1;
  return max(lo, min(wo, h));
}

export function im2colRows(x: usize, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, wo: i32, oy0: i32, oy1: i32, cols: usize): void {
  const plane = <usize>(oy1 - oy0) * wo;
  let r: usize = 0;
  for (let ci = 0; ci < c; ci++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, r++) {
        const shift = j * dw - pl;
        const lo = colLo(shift, sw, wo);
        const hi = colHi(shift, sw, w, wo, lo);
        const rowBase = cols + ((r * plane) << 2);
        for (let oy = oy0; oy < oy1; oy++) {
          const iy = oy * sh - pt + i * dh;
          const ob = rowBase + ((<usize>(oy - oy0) * wo) << 2);
          if (iy < 0 || iy >= h) {
            memory.fill(ob, 0, <usize>wo << 2);
            continue;
          }
          const ib = x + ((<usize>(ci * h + iy) * w) << 2);
          if (lo > 0) memory.fill(ob, 0, <usize>lo << 2);
          if (sw == 1) {
            memory.copy(ob + (<usize>lo << 2), ib + (<usize>(lo + shift) << 2), <usize>(hi - lo) << 2);
          } else {
            for (let ox = lo, ix = lo * sw + shift; ox < hi; ox++, ix += sw) store<f32>(ob + (<usize>ox << 2), load<f32>(ib + (<usize>ix << 2)));
          }
          if (hi < wo) memory.fill(ob + (<usize>hi << 2), 0, <usize>(wo - hi) << 2);
        }
      }
    }
  }
}

/** dx[c, h, w] += the columns of output rows [oy0, oy1) scattered back (the adjoint of im2colRows). */
export function col2imRows(cols: usize, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, wo: i32, oy0: i32, oy1: i32, dx: usize): void {
  const plane = <usize>(oy1 - oy0) * wo;
  let r: usize = 0;
  for (let ci = 0; ci < c; ci++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, r++) {
        const shift = j * dw - pl;
        const lo = colLo(shift, sw, wo);
        const hi = colHi(shift, sw, w, wo, lo);
        const rowBase = cols + ((r * plane) << 2);
        for (let oy = oy0; oy < oy1; oy++) {
          const iy = oy * sh - pt + i * dh;
          if (iy < 0 || iy >= h) continue;
          const ib = dx + ((<usize>(ci * h + iy) * w) << 2);
          const ob = rowBase + ((<usize>(oy - oy0) * wo) << 2);
          let ox = lo;
          if (sw == 1) {
            // four at a time
            for (; ox + 4 <= hi; ox += 4) {
              const d = ib + (<usize>(ox + shift) << 2);
              v128.store(d, f32x4.add(v128.load(d), v128.load(ob + (<usize>ox << 2))));
            }
          }
          for (let ix = ox * sw + shift; ox < hi; ox++, ix += sw) {
            const d = ib + (<usize>ix << 2);
            store<f32>(d, load<f32>(d) + load<f32>(ob + (<usize>ox << 2)));
          }
        }
      }
    }
  }
}

// ---- a run of SGD mini-batches of a small dense network (native/mlp.cc's math; src/model/fused-mlp.ts
// decides when fit uses it). The caller gathers the run's samples in order into x (rows x in0) and y
// (rows x outL, or class indices), lays out one descriptor of 7 i32 per layer at desc (in, out, w, b, bw,
// bb, act; 0 for an absent bias or momentum buffer; act 0 identity, 1 relu, 2 sigmoid, 3 tanh, 4 softmax),
// SGD's coefficients for every batch and for the run's first (src/optim/sgd.ts sgdCoefficients)
// and a workspace at work (per layer its output and gradient, a row of scratch, every gradient
// accumulator: Σ (2·out + out·in + out) + the widest layer floats); results go to out as three f64:
// batches run, loss sum, accuracy hits.

@inline function mlpAct(act: i32, z: f32): f32 {
  if (act == 1) return z > 0 ? z : 0;
  if (act == 2) return <f32>(1.0 / (1.0 + Math.exp(-<f64>z)));
  if (act == 3) return <f32>Math.tanh(<f64>z);
  return z;
}

// d act / d z from the activation's output a
@inline function mlpActGrad(act: i32, a: f32): f32 {
  if (act == 1) return a > 0 ? <f32>1 : <f32>0;
  if (act == 2) return a * (1 - a);
  if (act == 3) return 1 - a * a;
  return 1;
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

@inline function argmaxF32(p: usize, n: i32): i32 {
  let best = 0;
  for (let j = 1; j < n; j++) if (load<f32>(p + (<usize>j << 2)) > load<f32>(p + (<usize>best << 2))) best = j;
  return best;
}

// out[j] = b[j] + Σ_k W[j, k]·in[k]: four rows at a time (four independent sums)
function mlpForwardLayer(w: usize, b: usize, inp: usize, nIn: i32, nOut: i32, out: usize): void {
  const rowBytes = <usize>nIn << 2;
  let j = 0;
  for (; j + 4 <= nOut; j += 4) {
    const w0 = w + <usize>j * rowBytes, w1 = w0 + rowBytes, w2 = w1 + rowBytes, w3 = w2 + rowBytes;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let k = 0;
    for (; k + 4 <= nIn; k += 4) {
      const o = <usize>k << 2;
      const v = v128.load(inp + o);
      s0 = f32x4.add(s0, f32x4.mul(v128.load(w0 + o), v));
      s1 = f32x4.add(s1, f32x4.mul(v128.load(w1 + o), v));
      s2 = f32x4.add(s2, f32x4.mul(v128.load(w2 + o), v));
      s3 = f32x4.add(s3, f32x4.mul(v128.load(w3 + o), v));
    }
    let t0 = hsum(s0), t1 = hsum(s1), t2 = hsum(s2), t3 = hsum(s3);
    for (; k < nIn; k++) {
      const o = <usize>k << 2;
      const v = load<f32>(inp + o);
      t0 += load<f32>(w0 + o) * v;
      t1 += load<f32>(w1 + o) * v;
      t2 += load<f32>(w2 + o) * v;
      t3 += load<f32>(w3 + o) * v;
    }
    const oj = out + (<usize>j << 2);
    store<f32>(oj, (b ? load<f32>(b + (<usize>j << 2)) : 0) + t0);
    store<f32>(oj + 4, (b ? load<f32>(b + (<usize>(j + 1) << 2)) : 0) + t1);
    store<f32>(oj + 8, (b ? load<f32>(b + (<usize>(j + 2) << 2)) : 0) + t2);
    store<f32>(oj + 12, (b ? load<f32>(b + (<usize>(j + 3) << 2)) : 0) + t3);
  }
  for (; j < nOut; j++) {
    const wr = w + <usize>j * rowBytes;
    let s = f32x4.splat(0);
    let k = 0;
    for (; k + 4 <= nIn; k += 4) s = f32x4.add(s, f32x4.mul(v128.load(wr + (<usize>k << 2)), v128.load(inp + (<usize>k << 2))));
    let t = hsum(s);
    for (; k < nIn; k++) t += load<f32>(wr + (<usize>k << 2)) * load<f32>(inp + (<usize>k << 2));
    store<f32>(out + (<usize>j << 2), (b ? load<f32>(b + (<usize>j << 2)) : 0) + t);
  }
}

// dst[k] += s·src[k]
@inline function axpy(dst: usize, src: usize, s: f32, n: i32): void {
  const sv = f32x4.splat(s);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = <usize>k << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), f32x4.mul(sv, v128.load(src + o))));
  }
  for (; k < n; k++) {
    const o = <usize>k << 2;
    store<f32>(dst + o, load<f32>(dst + o) + s * load<f32>(src + o));
  }
}

export function mlpSgd(desc: usize, nLayers: i32, x: usize, y: usize, labels: usize, rows: i32, batchSize: i32, loss: i32, acc: i32,
  coefs: usize, work: usize, out: usize): void {
  // workspace: per layer a (out) and d (out), then the scratch row, then per layer gW (out·in) and gb (out)
  const D: usize = 28;
  let q = work;
  for (let l = 0; l < nLayers; l++) q += <usize>(2 * load<i32>(desc + D * l + 4)) << 2;
  const scratch = q;
  let widest = 0;
  for (let l = 0; l < nLayers; l++) widest = max(widest, max(load<i32>(desc + D * l), load<i32>(desc + D * l + 4)));
  const grads = scratch + (<usize>widest << 2);
  const inF = load<i32>(desc);
  const last = desc + D * (nLayers - 1);
  const outF = load<i32>(last + 4);
  const lastAct = load<i32>(last + 24);
  const EPS: f32 = 1e-7;
  let batchesRun = 0;
  let lossSum: f64 = 0;
  let correct: f64 = 0;
  for (let pos = 0; pos < rows; pos += batchSize) {
    const bs = min(batchSize, rows - pos);
    // zero the accumulators
    let g = grads;
    for (let l = 0; l < nLayers; l++) {
      const i = load<i32>(desc + D * l), o = load<i32>(desc + D * l + 4);
      memory.fill(g, 0, <usize>(o * i + o) << 2);
      g += <usize>(o * i + o) << 2;
    }
    let batchLoss: f64 = 0;
    const scale: f64 = 1.0 / <f64>bs;
    for (let r = pos; r < pos + bs; r++) {
      const x0 = x + (<usize>r * inF << 2);
      // forward
      let a = work;
      let inp = x0;
      for (let l = 0; l < nLayers; l++) {
        const L = desc + D * l;
        const nIn = load<i32>(L), nOut = load<i32>(L + 4), act = load<i32>(L + 24);
        mlpForwardLayer(<usize>load<i32>(L + 8), <usize>load<i32>(L + 12), inp, nIn, nOut, a);
        if (act == 4) {
          let mx = load<f32>(a);
          for (let j = 1; j < nOut; j++) mx = max(mx, load<f32>(a + (<usize>j << 2)));
          let sum: f64 = 0;
          for (let j = 0; j < nOut; j++) {
            const e = Math.exp(<f64>load<f32>(a + (<usize>j << 2)) - <f64>mx);
            store<f32>(a + (<usize>j << 2), <f32>e);
            sum += e;
          }
          for (let j = 0; j < nOut; j++) store<f32>(a + (<usize>j << 2), <f32>(<f64>load<f32>(a + (<usize>j << 2)) / sum));
        } else if (act != 0) {
          for (let j = 0; j < nOut; j++) store<f32>(a + (<usize>j << 2), mlpAct(act, load<f32>(a + (<usize>j << 2))));
        }
        inp = a;
        a += <usize>(2 * nOut) << 2;
      }
      // loss, and the gradient reaching the last layer's pre-activation (for the batch's mean loss)
      const yp = inp;
      const dl = yp + (<usize>outF << 2);
      const yt = y ? y + (<usize>r * outF << 2) : 0;
      if (loss == 0) {
        let l2: f64 = 0;
        for (let j = 0; j < outF; j++) {
          const o = <usize>j << 2;
          const e = load<f32>(yp + o) - load<f32>(yt + o);
          l2 += <f64>e * <f64>e;
          store<f32>(dl + o, <f32>(2.0 * <f64>e / <f64>outF * scale) * mlpActGrad(lastAct, load<f32>(yp + o)));
        }
        batchLoss += l2 / <f64>outF;
      } else if (loss == 3) {
        let bce: f64 = 0;
        for (let j = 0; j < outF; j++) {
          const o = <usize>j << 2;
          const t = load<f32>(yt + o);
          const p = load<f32>(yp + o);
          const pc = min(max(p, EPS), <f32>1 - EPS);
          bce -= <f64>t * Math.log(<f64>pc) + (1.0 - <f64>t) * Math.log(1.0 - <f64>pc);
          const dp: f64 = p >= EPS && p <= <f32>1 - EPS ? (-<f64>t / <f64>pc + (1.0 - <f64>t) / (1.0 - <f64>pc)) / <f64>outF : 0.0;
          store<f32>(dl + o, <f32>(dp * scale) * mlpActGrad(lastAct, p));
        }
        batchLoss += bce / <f64>outF;
      } else {
        // softmax probabilities p against t (one-hot from a class index): q_i = −t_i where p_i is inside
        // the clip [ε, 1 − ε], 0 where clipped; the gradient is q − p·Σq
        const label = loss == 2 ? load<i32>(labels + (<usize>r << 2)) : -1;
        let ce: f64 = 0;
        let qs: f64 = 0;
        for (let j = 0; j < outF; j++) {
          const o = <usize>j << 2;
          const t: f32 = label >= 0 ? (j == label ? <f32>1 : <f32>0) : load<f32>(yt + o);
          const p = load<f32>(yp + o);
          const pc = min(max(p, EPS), <f32>1 - EPS);
          if (t != 0) ce -= <f64>t * Math.log(<f64>pc);
          const qv: f32 = p >= EPS && p <= <f32>1 - EPS ? -t : <f32>0;
          store<f32>(scratch + o, qv);
          qs += <f64>qv;
        }
        for (let j = 0; j < outF; j++) {
          const o = <usize>j << 2;
          store<f32>(dl + o, <f32>((<f64>load<f32>(scratch + o) - <f64>load<f32>(yp + o) * qs) * scale));
        }
        batchLoss += ce;
      }
      if (acc == 1) correct += argmaxF32(yp, outF) == argmaxF32(yt, outF) ? 1 : 0;
      else if (acc == 2) correct += argmaxF32(yp, outF) == load<i32>(labels + (<usize>r << 2)) ? 1 : 0;
      else if (acc == 3) for (let j = 0; j < outF; j++) correct += (load<f32>(yp + (<usize>j << 2)) > 0.5) == (load<f32>(yt + (<usize>j << 2)) > 0.5) ? 1 : 0;
      // backward: a_l and d_l of layer l sit at work + Σ_{l' < l} 2·out_l'
      let gEnd = grads;
      for (let l = 0; l < nLayers; l++) gEnd += <usize>(load<i32>(desc + D * l + 4) * (load<i32>(desc + D * l) + 1)) << 2;
      let aL = yp; // a of layer l
      for (let l = nLayers - 1; l >= 0; l--) {
        const L = desc + D * l;
        const nIn = load<i32>(L), nOut = load<i32>(L + 4);
        const w = <usize>load<i32>(L + 8);
        const dj = aL + (<usize>nOut << 2);
        const aPrev = l > 0 ? aL - (<usize>(2 * nIn) << 2) : x0;
        gEnd -= <usize>(nOut * nIn + nOut) << 2;
        const gw = gEnd, gb = gEnd + (<usize>(nOut * nIn) << 2);
        if (l > 0) {
          // Wᵀ·d with the weights before this batch's update, times the previous activation's derivative
          memory.fill(scratch, 0, <usize>nIn << 2);
          for (let j = 0; j < nOut; j++) axpy(scratch, w + (<usize>j * nIn << 2), load<f32>(dj + (<usize>j << 2)), nIn);
          const pAct = load<i32>(desc + D * (l - 1) + 24);
          const dPrev = aPrev + (<usize>nIn << 2);
          for (let k = 0; k < nIn; k++) {
            const o = <usize>k << 2;
            store<f32>(dPrev + o, load<f32>(scratch + o) * mlpActGrad(pAct, load<f32>(aPrev + o)));
          }
        }
        for (let j = 0; j < nOut; j++) {
          const dv = load<f32>(dj + (<usize>j << 2));
          axpy(gw + (<usize>j * nIn << 2), aPrev, dv, nIn);
          store<f32>(gb + (<usize>j << 2), load<f32>(gb + (<usize>j << 2)) + dv);
        }
        aL = aPrev;
      }
    }
    // SGD on every weight and bias (the sgd kernel above) with the step's coefficients, or the first
    // batch's (7 f32 each at coefs: sign, weightDecay, lr, bm, bg, cg, cb; the first batch's at coefs + 28)
    const h = pos == 0 ? coefs + 28 : coefs;
    const sign = load<f32>(h), wd = load<f32>(h + 4), lr = load<f32>(h + 8), bm = load<f32>(h + 12), bg = load<f32>(h + 16), cg = load<f32>(h + 20), cb = load<f32>(h + 24);
    g = grads;
    for (let l = 0; l < nLayers; l++) {
      const L = desc + D * l;
      const nIn = load<i32>(L), nOut = load<i32>(L + 4);
      sgd(<usize>load<i32>(L + 8), g, <usize>load<i32>(L + 16), nOut * nIn, sign, wd, lr, bm, bg, cg, cb);
      const b = <usize>load<i32>(L + 12);
      if (b) sgd(b, g + (<usize>(nOut * nIn) << 2), <usize>load<i32>(L + 20), nOut, sign, wd, lr, bm, bg, cg, cb);
      g += <usize>(nOut * nIn + nOut) << 2;
    }
    batchesRun++;
    lossSum += batchLoss;
    if (!isFinite(batchLoss)) break;
  }
  store<f64>(out, <f64>batchesRun);
  store<f64>(out + 8, lossSum);
  store<f64>(out + 16, correct);
}

// Activations and the LSTM gate math (native/activations.cc's algorithms, four lanes at once). exp is
// range reduction and a degree-6 Taylor polynomial (relative error ~2e-7, 1-2 float32 ulps), inputs
// clamped to [-87, 88] as the native kernel's; tanh is an odd series below |x| = 0.125 and
// 1 − 2/(e^{2|x|} + 1) above.

@inline function expv(x: v128): v128 {
  const xc = f32x4.max(f32x4.splat(-87.0), f32x4.min(f32x4.splat(88.0), x));
  // n = round(x·log2 e) by adding and subtracting 1.5·2^23 (n's integer is then the low bits of t)
  const t = f32x4.add(f32x4.mul(xc, f32x4.splat(1.44269504088896341)), f32x4.splat(12582912.0));
  const n = f32x4.sub(t, f32x4.splat(12582912.0));
  const r = f32x4.sub(f32x4.sub(xc, f32x4.mul(n, f32x4.splat(0.693145751953125))), f32x4.mul(n, f32x4.splat(1.42860682030941723212e-6)));
  let p = f32x4.add(f32x4.splat(0.00833333333333333333), f32x4.mul(r, f32x4.splat(0.00138888888888888889)));
  p = f32x4.add(f32x4.splat(0.0416666666666666667), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(0.166666666666666667), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(0.5), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(1.0), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(1.0), f32x4.mul(r, p));
  const scale = i32x4.shl(i32x4.sub(t, i32x4.splat(0x4b400000 - 127)), 23);
  // NaN stays NaN (the clamp above keeps it; the polynomial passes it through)
  return f32x4.mul(p, scale);
}

@inline function sigmoidv(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, expv(f32x4.neg(x))));
}

@inline function tanhv(x: v128): v128 {
  const ax = f32x4.abs(x);
  const x2 = f32x4.mul(x, x);
  let s = f32x4.add(f32x4.splat(0.133333333333), f32x4.mul(x2, f32x4.splat(-0.0539682539683)));
  s = f32x4.add(f32x4.splat(-0.333333333333), f32x4.mul(x2, s));
  const small = f32x4.mul(x, f32x4.add(f32x4.splat(1.0), f32x4.mul(x2, s)));
  const big = f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(expv(f32x4.add(ax, ax)), f32x4.splat(1.0))));
  // big >= 0: put x's sign bit on it
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.125)));
}

@inline function lane0(v: v128): f32 {
  return f32x4.extract_lane(v, 0);
}

// Four values at p (or, with full false, the one value at p in every lane), and their store (all four, or
// lane 0 only): the row kernels below handle a row's last h % 4 values with the same vector math.
@inline function ld(p: usize, full: bool): v128 {
  return full ? v128.load(p) : f32x4.splat(load<f32>(p));
}
@inline function st(p: usize, v: v128, full: bool): void {
  if (full) v128.store(p, v);
  else store<f32>(p, lane0(v));
}

@inline function unaryv(code: i32, x: v128): v128 {
  // relu: x where x > 0, else 0 (a NaN too, as the TS and native loops)
  if (code == 0) return v128.and(x, f32x4.gt(x, f32x4.splat(0)));
  if (code == 1) return sigmoidv(x);
  if (code == 2) return tanhv(x);
  return expv(x);
}

/** out[i] = op(x[i]) for n float32 values: code 0 relu, 1 sigmoid, 2 tanh, 3 exp (the native addon's codes); out may be x. */
export function unary(code: i32, x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    st(out + o, unaryv(code, ld(x + o, true)), true);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    st(out + o, unaryv(code, ld(x + o, false)), false);
  }
}

// The gate math at byte offset o of an LSTM row (four values, or one with full false): pre-activations at
// g (+ ad when it is not 0; the four gates hb bytes apart), c_{t−1} at cr, h' and c' to oh and oh + hb,
// the saved activations (i, f, g, o, tanh c') to a, hb bytes apart.
@inline function lstmStep(g: usize, ad: usize, cr: usize, oh: usize, a: usize, hb: usize, o: usize, full: bool): void {
  let vi = ld(g + o, full), vf = ld(g + hb + o, full), vg = ld(g + 2 * hb + o, full), vo = ld(g + 3 * hb + o, full);
  if (ad) {
    vi = f32x4.add(vi, ld(ad + o, full));
    vf = f32x4.add(vf, ld(ad + hb + o, full));
    vg = f32x4.add(vg, ld(ad + 2 * hb + o, full));
    vo = f32x4.add(vo, ld(ad + 3 * hb + o, full));
  }
  const i = sigmoidv(vi);
  const f = sigmoidv(vf);
  const gg = tanhv(vg);
  const og = sigmoidv(vo);
  const c2 = f32x4.add(f32x4.mul(f, ld(cr + o, full)), f32x4.mul(i, gg));
  const tc = tanhv(c2);
  st(oh + o, f32x4.mul(og, tc), full);
  st(oh + hb + o, c2, full);
  st(a + o, i, full);
  st(a + hb + o, f, full);
  st(a + 2 * hb + o, gg, full);
  st(a + 3 * hb + o, og, full);
  st(a + 4 * hb + o, tc, full);
}

/**
 * The LSTM gate math (src/ops/recurrent.ts lstmGatesForward) for b rows: out [b, 2h] =
 * (h', c'), act [b, 5h] = (i, f, g, o, tanh c'), from gates [b, 4h] (+ add [b, 4h] when add != 0) and c
 * [b, h] with rows ldc apart.
 */
export function lstmGates(gates: usize, add: usize, c: usize, ldc: i32, out: usize, act: usize, b: i32, h: i32): void {
  const hb = <usize>h << 2;
  const h4 = <usize>(h & ~3) << 2;
  for (let r = 0; r < b; r++) {
    const g = gates + <usize>r * 4 * hb;
    const ad = add ? add + <usize>r * 4 * hb : 0;
    const cr = c + ((<usize>r * ldc) << 2);
    const oh = out + <usize>r * 2 * hb;
    const a = act + <usize>r * 5 * hb;
    for (let o: usize = 0; o < h4; o += 16) lstmStep(g, ad, cr, oh, a, hb, o, true);
    for (let o: usize = h4; o < hb; o += 4) lstmStep(g, ad, cr, oh, a, hb, o, false);
  }
}

// Its backward at byte offset o of a row (four values, or one with full false): the saved activations at
// a, the gradient (dh', dc') at gr and gr + hb plus the carry at dhr and dcr_ when dhr is not 0, c_{t−1}
// at cr; dGates to d (hb bytes apart) and dC to dcr.
@inline function lstmGradStep(a: usize, gr: usize, dhr: usize, dcIn: usize, cr: usize, d: usize, dcr: usize, hb: usize, o: usize, full: bool): void {
  const one = f32x4.splat(1.0);
  const i = ld(a + o, full), f = ld(a + hb + o, full), g = ld(a + 2 * hb + o, full), og = ld(a + 3 * hb + o, full), tc = ld(a + 4 * hb + o, full);
  let dh = ld(gr + o, full);
  let dc = ld(gr + hb + o, full);
  if (dhr) {
    dh = f32x4.add(dh, ld(dhr + o, full));
    dc = f32x4.add(dc, ld(dcIn + o, full));
  }
  dc = f32x4.add(dc, f32x4.mul(f32x4.mul(dh, og), f32x4.sub(one, f32x4.mul(tc, tc))));
  st(d + o, f32x4.mul(f32x4.mul(f32x4.mul(dc, g), i), f32x4.sub(one, i)), full);
  st(d + hb + o, f32x4.mul(f32x4.mul(f32x4.mul(dc, ld(cr + o, full)), f), f32x4.sub(one, f)), full);
  st(d + 2 * hb + o, f32x4.mul(f32x4.mul(dc, i), f32x4.sub(one, f32x4.mul(g, g))), full);
  st(d + 3 * hb + o, f32x4.mul(f32x4.mul(f32x4.mul(dh, tc), og), f32x4.sub(one, og)), full);
  st(dcr + o, f32x4.mul(dc, f), full);
}

/**
 * Its backward (src/ops/recurrent.ts lstmGatesBackward): dGates [b, 4h] and dC [b, h] from
 * grad [b, 2h] = (dh', dc') plus the carry dhIn, dcIn [b, h] when dhIn != 0, c's rows ldc apart.
 */
export function lstmGatesGrad(grad: usize, dhIn: usize, dcIn: usize, c: usize, ldc: i32, act: usize, dGates: usize, dC: usize, b: i32, h: i32): void {
  const hb = <usize>h << 2;
  const h4 = <usize>(h & ~3) << 2;
  for (let r = 0; r < b; r++) {
    const a = act + <usize>r * 5 * hb;
    const gr = grad + <usize>r * 2 * hb;
    const dhr = dhIn ? dhIn + <usize>r * hb : 0;
    const dcIr = dhIn ? dcIn + <usize>r * hb : 0;
    const cr = c + ((<usize>r * ldc) << 2);
    const d = dGates + <usize>r * 4 * hb;
    const dcr = dC + <usize>r * hb;
    for (let o: usize = 0; o < h4; o += 16) lstmGradStep(a, gr, dhr, dcIr, cr, d, dcr, hb, o, true);
    for (let o: usize = h4; o < hb; o += 4) lstmGradStep(a, gr, dhr, dcIr, cr, d, dcr, hb, o, false);
  }
}

/**
 * Max pooling of `planes` planes [h, w] (src/ops/conv.ts maxPool2d): out and arg [planes, ho, wo], arg
 * the flat index of each maximum in x plus argBase (-1 and -Infinity for a window wholly in the
 * padding). The first maximum wins; a NaN wins and stays (native/conv.cc's rule). 2x2 windows with
 * stride 2 and no padding take four outputs at a time.
 */
export function maxPool2d(x: usize, out: usize, arg: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, ho: i32, wo: i32, argBase: i32): void {
  let o: usize = 0;
  const simple = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < ho; oy++) {
      let ox = 0;
      if (simple) {
        const r0 = base + 2 * oy * w;
        const r1 = r0 + w;
        for (; ox + 4 <= wo; ox += 4, o += 4) {
          const a0 = v128.load(x + (<usize>(r0 + 2 * ox) << 2)), a1 = v128.load(x + (<usize>(r0 + 2 * ox + 4) << 2));
          const b0 = v128.load(x + (<usize>(r1 + 2 * ox) << 2)), b1 = v128.load(x + (<usize>(r1 + 2 * ox + 4) << 2));
          const i00 = i32x4.add(i32x4.splat(argBase + r0 + 2 * ox), i32x4(0, 2, 4, 6));
          // the window's four candidates in reading order: (0, 0), (0, 1), (1, 0), (1, 1)
          let best = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
          let bi = i00;
          let v = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
          let take = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
          best = v128.bitselect(v, best, take);
          bi = v128.bitselect(i32x4.add(i00, i32x4.splat(1)), bi, take);
          v = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
          take = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
          best = v128.bitselect(v, best, take);
          bi = v128.bitselect(i32x4.add(i00, i32x4.splat(w)), bi, take);
          v = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
          take = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
          best = v128.bitselect(v, best, take);
          bi = v128.bitselect(i32x4.add(i00, i32x4.splat(w + 1)), bi, take);
          v128.store(out + (o << 2), best);
          v128.store(arg + (o << 2), bi);
        }
      }
      for (; ox < wo; ox++, o++) {
        const y0 = oy * sh - ph;
        const x0 = ox * sw - pw;
        const ylo = max(0, y0), yhi = min(h, y0 + kh), xlo = max(0, x0), xhi = min(w, x0 + kw);
        if (ylo >= yhi || xlo >= xhi) {
          store<f32>(out + (o << 2), -Infinity);
          store<i32>(arg + (o << 2), -1);
          continue;
        }
        let bi = base + ylo * w + xlo;
        let best = load<f32>(x + (<usize>bi << 2));
        for (let iy = ylo; iy < yhi; iy++) {
          const row = base + iy * w;
          for (let ix = xlo; ix < xhi; ix++) {
            const v = load<f32>(x + (<usize>(row + ix) << 2));
            if (v > best || (v != v && best == best)) {
              best = v;
              bi = row + ix;
            }
          }
        }
        store<f32>(out + (o << 2), best);
        store<i32>(arg + (o << 2), argBase + bi);
      }
    }
  }
}

/**
 * Softmax (or log-softmax) of `rows` contiguous rows of r values (the TS backend's softmax with inner = 1):
 * out = exp(x − max) / Σ exp(x − max), or x − max − log Σ exp(x − max); the sum in float64. A NaN in a
 * row makes the whole row NaN; a row of −Infinity takes 0 as its maximum.
 */
export function softmax(x: usize, out: usize, rows: i32, r: i32, log: i32): void {
  for (let row = 0; row < rows; row++) {
    const xr = x + ((<usize>row * r) << 2);
    const orow = out + ((<usize>row * r) << 2);
    let mv = f32x4.splat(-Infinity);
    let j = 0;
    for (; j + 4 <= r; j += 4) mv = f32x4.max(mv, v128.load(xr + (<usize>j << 2)));
    let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (; j < r; j++) m = max(m, load<f32>(xr + (<usize>j << 2)));
    if (m == -Infinity) m = 0;
    const M = f32x4.splat(m);
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    j = 0;
    for (; j + 4 <= r; j += 4) {
      const e = expv(f32x4.sub(v128.load(xr + (<usize>j << 2)), M));
      if (!log) v128.store(orow + (<usize>j << 2), e);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(e));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 0, 1)));
    }
    let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
    for (; j < r; j++) {
      const e = lane0(expv(f32x4.splat(load<f32>(xr + (<usize>j << 2)) - m)));
      if (!log) store<f32>(orow + (<usize>j << 2), e);
      s += <f64>e;
    }
    if (log) {
      const ls = f32x4.splat(<f32>(Math.log(s) + <f64>m));
      j = 0;
      for (; j + 4 <= r; j += 4) v128.store(orow + (<usize>j << 2), f32x4.sub(v128.load(xr + (<usize>j << 2)), ls));
      for (; j < r; j++) store<f32>(orow + (<usize>j << 2), load<f32>(xr + (<usize>j << 2)) - f32x4.extract_lane(ls, 0));
    } else {
      const inv = f32x4.splat(<f32>(1.0 / s));
      j = 0;
      for (; j + 4 <= r; j += 4) v128.store(orow + (<usize>j << 2), f32x4.mul(v128.load(orow + (<usize>j << 2)), inv));
      for (; j < r; j++) store<f32>(orow + (<usize>j << 2), load<f32>(orow + (<usize>j << 2)) * f32x4.extract_lane(inv, 0));
    }
  }
}

// g · op'(y) for four values, op by unary's codes 0-2 written with its output y (relu: g where y > 0, as
// the TS and native loops: y > 0 exactly where relu's input is)
@inline function unaryGradv(code: i32, yv: v128, gv: v128): v128 {
  const one = f32x4.splat(1.0);
  if (code == 0) return v128.and(gv, f32x4.gt(yv, f32x4.splat(0)));
  if (code == 1) return f32x4.mul(f32x4.mul(gv, yv), f32x4.sub(one, yv));
  return f32x4.mul(gv, f32x4.sub(one, f32x4.mul(yv, yv)));
}

/** out = g · op'(y) for n values (unaryGradv); out may be g. */
export function unaryGrad(code: i32, y: usize, g: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    st(out + o, unaryGradv(code, ld(y + o, true), ld(g + o, true)), true);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    st(out + o, unaryGradv(code, ld(y + o, false), ld(g + o, false)), false);
  }
}

/** out[r] += Σ x[r·len, (r+1)·len) for `rows` rows of float32, each sum in float64. */
export function sumRows(x: usize, rows: i32, len: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>r * len) << 2);
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= len; j += 4) {
      const v = v128.load(xr + (<usize>j << 2));
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
    }
    let t = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
    for (; j < len; j++) t += <f64>load<f32>(xr + (<usize>j << 2));
    const o = out + (<usize>r << 2);
    store<f32>(o, <f32>(<f64>load<f32>(o) + t));
  }
}

/** The outer product c[i, j] (+)= a[i]·b[j] for m x n (per-sample training's weight gradient gᵀ·x). */
export function outer(a: usize, b: usize, c: usize, m: i32, n: i32, accumulate: i32): void {
  for (let i = 0; i < m; i++) {
    const s = load<f32>(a + (<usize>i << 2));
    const av = f32x4.splat(s);
    const cr = c + ((<usize>i * n) << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const pr = f32x4.mul(av, v128.load(b + o));
      v128.store(cr + o, accumulate ? f32x4.add(v128.load(cr + o), pr) : pr);
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const pr = s * load<f32>(b + o);
      store<f32>(cr + o, accumulate ? load<f32>(cr + o) + pr : pr);
    }
  }
}
