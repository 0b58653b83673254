// Matrix multiply of the TypeScript backend: packed panels and a register-blocked 4x4 micro-kernel,
// with a direct loop for thin shapes (vector-matrix products, outer products) where packing would
// cost as much as the product itself.
import type { TypedArray } from '../../core/index.ts';
import type { MatmulArgs } from '../backend.ts';

const MR = 4;
const NR = 4;
const KC = 256;

let packA: Float64Array = new Float64Array(0);
let packB: Float64Array = new Float64Array(0);

function ensure(buf: Float64Array, n: number): Float64Array {
  return buf.length >= n ? buf : new Float64Array(Math.max(n, buf.length * 2));
}

/** Packs rows [0, m) x cols [k0, k0+kc) of op(A) into MR-row panels, k-major, zero-padded. */
function packPanelA(
  a: TypedArray, off: number, lda: number, trans: boolean, m: number, k0: number, kc: number, dst: Float64Array,
): void {
  let p = 0;
  for (let i0 = 0; i0 < m; i0 += MR) {
    const rowsLeft = Math.min(MR, m - i0);
    for (let k = k0; k < k0 + kc; k++) {
      for (let r = 0; r < MR; r++) {
        dst[p++] = r < rowsLeft ? (trans ? a[off + k * lda + i0 + r]! : a[off + (i0 + r) * lda + k]!) : 0;
      }
    }
  }
}

/** Packs rows [k0, k0+kc) x cols [0, n) of op(B) into NR-column panels, k-major, zero-padded. */
function packPanelB(
  b: TypedArray, off: number, ldb: number, trans: boolean, n: number, k0: number, kc: number, dst: Float64Array,
): void {
  let p = 0;
  for (let j0 = 0; j0 < n; j0 += NR) {
    const colsLeft = Math.min(NR, n - j0);
    for (let k = k0; k < k0 + kc; k++) {
      for (let c = 0; c < NR; c++) {
        dst[p++] = c < colsLeft ? (trans ? b[off + (j0 + c) * ldb + k]! : b[off + k * ldb + j0 + c]!) : 0;
      }
    }
  }
}

function kernelPacked(
  ap: Float64Array, bp: Float64Array, c: TypedArray, cOff: number, m: number, n: number, kc: number, add: boolean,
): void {
  for (let j0 = 0, bpanel = 0; j0 < n; j0 += NR, bpanel += kc * NR) {
    const cols = Math.min(NR, n - j0);
    for (let i0 = 0, apanel = 0; i0 < m; i0 += MR, apanel += kc * MR) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let ai = apanel;
      let bi = bpanel;
      for (let k = 0; k < kc; k++, ai += MR, bi += NR) {
        const a0 = ap[ai]!, a1 = ap[ai + 1]!, a2 = ap[ai + 2]!, a3 = ap[ai + 3]!;
        const b0 = bp[bi]!, b1 = bp[bi + 1]!, b2 = bp[bi + 2]!, b3 = bp[bi + 3]!;
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      const rows = Math.min(MR, m - i0);
      if (rows === MR && cols === NR) {
        let o = cOff + i0 * n + j0;
        if (add) {
          c[o]! += c00; c[o + 1]! += c01; c[o + 2]! += c02; c[o + 3]! += c03; o += n;
          c[o]! += c10; c[o + 1]! += c11; c[o + 2]! += c12; c[o + 3]! += c13; o += n;
          c[o]! += c20; c[o + 1]! += c21; c[o + 2]! += c22; c[o + 3]! += c23; o += n;
          c[o]! += c30; c[o + 1]! += c31; c[o + 2]! += c32; c[o + 3]! += c33;
        } else {
          c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03; o += n;
          c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13; o += n;
          c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23; o += n;
          c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
        }
      } else {
        const t = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
        for (let r = 0; r < rows; r++) {
          for (let q = 0; q < cols; q++) {
            const o = cOff + (i0 + r) * n + j0 + q;
            c[o] = (add ? c[o]! : 0) + t[r * 4 + q]!;
          }
        }
      }
    }
  }
}

function direct(
  a: TypedArray, aOff: number, sai: number, sak: number,
  b: TypedArray, bOff: number, sbk: number, sbj: number,
  c: TypedArray, cOff: number, m: number, n: number, k: number, add: boolean,
): void {
  if (k === 1) {
    // Outer product: c[i,j] = a[i]·b[j].
    for (let i = 0; i < m; i++) {
      const av = a[aOff + i * sai]!;
      const cb = cOff + i * n;
      if (sbj === 1) {
        if (add) for (let j = 0; j < n; j++) c[cb + j]! += av * b[bOff + j]!;
        else for (let j = 0; j < n; j++) c[cb + j] = av * b[bOff + j]!;
      } else {
        for (let j = 0; j < n; j++) c[cb + j] = (add ? c[cb + j]! : 0) + av * b[bOff + j * sbj]!;
      }
    }
    return;
  }
  if (sak === 1 && sbk === 1) {
    // Both operands contiguous along k: unrolled dot products.
    for (let i = 0; i < m; i++) {
      const ab = aOff + i * sai;
      for (let j = 0; j < n; j++) {
        const bb = bOff + j * sbj;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        let p = 0;
        for (; p + 3 < k; p += 4) {
          s0 += a[ab + p]! * b[bb + p]!;
          s1 += a[ab + p + 1]! * b[bb + p + 1]!;
          s2 += a[ab + p + 2]! * b[bb + p + 2]!;
          s3 += a[ab + p + 3]! * b[bb + p + 3]!;
        }
        for (; p < k; p++) s0 += a[ab + p]! * b[bb + p]!;
        const o = cOff + i * n + j;
        c[o] = (add ? c[o]! : 0) + (s0 + s1 + s2 + s3);
      }
    }
    return;
  }
  if (sbj === 1) {
    // Rows of B are contiguous: c[i,:] += a[i,p] * b[p,:].
    for (let i = 0; i < m; i++) {
      const cb = cOff + i * n;
      if (!add) for (let j = 0; j < n; j++) c[cb + j] = 0;
      for (let p = 0; p < k; p++) {
        const av = a[aOff + i * sai + p * sak]!;
        if (av === 0) continue;
        const bb = bOff + p * sbk;
        for (let j = 0; j < n; j++) c[cb + j]! += av * b[bb + j]!;
      }
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const ab = aOff + i * sai;
    for (let j = 0; j < n; j++) {
      const bb = bOff + j * sbj;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ab + p * sak]! * b[bb + p * sbk]!;
      const o = cOff + i * n + j;
      c[o] = (add ? c[o]! : 0) + s;
    }
  }
}

export function matmul(p: MatmulArgs): void {
  const { a, b, c, m, n, k, transA, transB, lda, ldb, aOffsets, bOffsets } = p;
  const add = p.accumulate === true;
  const sai = transA ? 1 : lda;
  const sak = transA ? lda : 1;
  const sbk = transB ? 1 : ldb;
  const sbj = transB ? ldb : 1;
  for (let bi = 0; bi < aOffsets.length; bi++) {
    const cOff = bi * m * n;
    if (k === 0) {
      if (!add) c.fill(0, cOff, cOff + m * n);
      continue;
    }
    if (m < MR || n < NR || k < 4) {
      direct(a, aOffsets[bi]!, sai, sak, b, bOffsets[bi]!, sbk, sbj, c, cOff, m, n, k, add);
      continue;
    }
    for (let k0 = 0; k0 < k; k0 += KC) {
      const kc = Math.min(KC, k - k0);
      packA = ensure(packA, Math.ceil(m / MR) * MR * kc);
      packB = ensure(packB, Math.ceil(n / NR) * NR * kc);
      packPanelA(a, aOffsets[bi]!, lda, transA, m, k0, kc, packA);
      packPanelB(b, bOffsets[bi]!, ldb, transB, n, k0, kc, packB);
      kernelPacked(packA, packB, c, cOff, m, n, kc, add || k0 > 0);
    }
  }
}
