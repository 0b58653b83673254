// Single-precision GEMM: BLIS-style blocking (B packed in KC x NR micro-panels, A in MR x KC
// micro-panels) around a register-blocked micro-kernel: AVX-512 14x32 (28 zmm accumulators), AVX2
// 6x16 (12 ymm), or a portable 4x8 loop; a right edge of at most half a tile (a classifier's 10 outputs)
// runs the vector-wide half of the tile. The AVX-512 and AVX2 kernels also read a row-major A's whole
// row panels in place (see gemm_block), and can add a bias and apply ReLU as they store (Epilogue).
// Transposed operands are read by the packing routines, so the backward pass never copies a transpose.
// Work is split over the thread pool by rows or columns of C.
#include "clones.h"
#include <algorithm>
#include <cstring>
#include <vector>
#include "gemm.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace neurona {
namespace {

// KC 384 / 8 panels against 256 / 12: 2-thread K1 n=1024 faster in 9 of 9 interleaved pairs (+3-30%, a
// noisy machine), 1 thread in 6 of 9. Then KC 1024 / 9 panels against 384 / 8 on a Zen 5 (AVX-512): K1
// n=1024 on 2 threads 331-343 against 302-316 GFLOP/s in 4 of 4 interleaved rounds (the same hour's
// OpenBLAS 315-318; 512 / 8 in between), n=256 and the AVX2 kernel unchanged; W5's batch of 1000 +2-4%
// (9 panels of 14 rows are its blocks of 126 rows in one A block: its weights read once per block). A
// k up to 1024 is one pass over C: C's tile is loaded and stored once instead of once per block of k.
constexpr int KC = 1024;
constexpr int MC_PANELS = 9;  // A block = MC_PANELS * MR rows
constexpr int NC = 3072;

struct View {
  const float* p;
  int ld;
  bool trans;
  // element (i, j) of op(X)
  inline float at(int i, int j) const { return trans ? p[static_cast<size_t>(j) * ld + i] : p[static_cast<size_t>(i) * ld + j]; }
};

// A micro-kernel: C's mr x nr tile (+)= a packed A micro-panel times a packed B micro-panel, then `epi`
// (null: none; its bias already offset to the tile's first column).
using Ukr = void (*)(int kc, const float* a, const float* b, float* c, int ldc, bool add, int mr, int nr, const Epilogue* epi);
// One reading MR whole rows of a row-major A in place (row stride lda), the tile's full MR rows.
using UkrRowA = void (*)(int kc, const float* a, size_t lda, const float* b, float* c, int ldc, bool add, int nr, const Epilogue* epi);

struct Isa {
  const char* name;
  int mr, nr;
  Ukr ukr;
  UkrRowA rowa;  // null where the family has none (the portable one: A is then always packed)
};

// Writes an MR x NR tile held in `tmp` (row stride nr_full) into C, adding when `add`.
inline void store_partial(const float* tmp, int nrFull, float* c, int ldc, bool add, int mr, int nr) {
  for (int i = 0; i < mr; i++)
    for (int j = 0; j < nr; j++) c[static_cast<size_t>(i) * ldc + j] = (add ? c[static_cast<size_t>(i) * ldc + j] : 0.0f) + tmp[i * nrFull + j];
}

// An epilogue on an mr x nr block of C in memory: the bias (bias[j] for column j), then ReLU. The
// AVX-512 and AVX2 kernels apply it in registers as they store (applied on the stored AVX-512 tile from
// memory it cost 4.4% of W5's samples, as much as the passes it replaced; in registers nothing
// measurable; the AVX2 kernel's W5 on 2 threads 332-340k -> 346-358k samples/s with it).
NEURONA_CLONES void apply_epilogue(float* c, int ldc, int mr, int nr, const Epilogue& epi) {
  for (int i = 0; i < mr; i++) {
    float* ci = c + static_cast<size_t>(i) * ldc;
    if (epi.bias)
#pragma omp simd
      for (int j = 0; j < nr; j++) ci[j] += epi.bias[j];
    if (epi.relu)
#pragma omp simd
      for (int j = 0; j < nr; j++) ci[j] = ci[j] > 0.0f ? ci[j] : 0.0f;
  }
}

// The same on C's rows [i0, i0 + m) and columns [j0, j0 + n), with the bias indexed by C's column (for
// the paths that do not go through a micro-kernel: k of 0 or 1, a few rows).
void epilogue_on(float* C, int ldc, int i0, int m, int j0, int n, const Epilogue& epi) {
  if (epi.bias || epi.relu) apply_epilogue(C + static_cast<size_t>(i0) * ldc + j0, ldc, m, n, {epi.bias ? epi.bias + j0 : nullptr, epi.relu});
}

void ukr_generic(int kc, const float* a, const float* b, float* c, int ldc, bool add, int mr, int nr, const Epilogue* epi) {
  constexpr int MR = 4, NR = 8;
  float acc[MR * NR] = {0};
  for (int p = 0; p < kc; p++) {
    for (int i = 0; i < MR; i++) {
      const float ai = a[p * MR + i];
      for (int j = 0; j < NR; j++) acc[i * NR + j] += ai * b[p * NR + j];
    }
  }
  store_partial(acc, NR, c, ldc, add, mr, nr);
  if (epi) apply_epilogue(c, ldc, mr, nr, *epi);
}

#if defined(__x86_64__)
// The tile's accumulators (12 for the full 6x16 tile) are named variables, not an array: with an array
// GCC 12 kept a copy of every accumulator on the stack, one store per FMA, and the kernel ran at a third
// of the FMA peak. V vectors a row: 2 (the full tile), or 1 for a right edge of at most 8 columns (half
// the multiply-adds); the second vector's variables are then never touched. A is a packed micro-panel,
// or with RowA 6 rows of a row-major A read in place (two row pointers, the row strides as index
// registers; all 6 rows must exist).
template <int V, bool RowA>
__attribute__((target("avx2,fma"), always_inline)) inline void ukr_avx2_tile(int kc, const float* a, size_t lda, const float* b, float* c, int ldc, bool add, int mr, int nr,
                                                                            const Epilogue* epi) {
  constexpr int NR = 16;
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  const float* r1 = a + 3 * lda;
  for (int p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = V == 2 ? _mm256_loadu_ps(b + 8) : b0;
    __m256 ai = _mm256_broadcast_ss(a);
    c00 = _mm256_fmadd_ps(ai, b0, c00);
    if (V == 2) c01 = _mm256_fmadd_ps(ai, b1, c01);
    ai = _mm256_broadcast_ss(RowA ? a + lda : a + 1);
    c10 = _mm256_fmadd_ps(ai, b0, c10);
    if (V == 2) c11 = _mm256_fmadd_ps(ai, b1, c11);
    ai = _mm256_broadcast_ss(RowA ? a + 2 * lda : a + 2);
    c20 = _mm256_fmadd_ps(ai, b0, c20);
    if (V == 2) c21 = _mm256_fmadd_ps(ai, b1, c21);
    ai = _mm256_broadcast_ss(RowA ? r1 : a + 3);
    c30 = _mm256_fmadd_ps(ai, b0, c30);
    if (V == 2) c31 = _mm256_fmadd_ps(ai, b1, c31);
    ai = _mm256_broadcast_ss(RowA ? r1 + lda : a + 4);
    c40 = _mm256_fmadd_ps(ai, b0, c40);
    if (V == 2) c41 = _mm256_fmadd_ps(ai, b1, c41);
    ai = _mm256_broadcast_ss(RowA ? r1 + 2 * lda : a + 5);
    c50 = _mm256_fmadd_ps(ai, b0, c50);
    if (V == 2) c51 = _mm256_fmadd_ps(ai, b1, c51);
    if (RowA) {
      a++;
      r1++;
    } else {
      a += 6;
    }
    b += NR;
  }
  const __m256 rows[6][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  if constexpr (V == 2) {
    if (nr == NR && !epi) {
      for (int i = 0; i < mr; i++) {
        float* ci = c + static_cast<size_t>(i) * ldc;
        if (add) {
          _mm256_storeu_ps(ci, _mm256_add_ps(_mm256_loadu_ps(ci), rows[i][0]));
          _mm256_storeu_ps(ci + 8, _mm256_add_ps(_mm256_loadu_ps(ci + 8), rows[i][1]));
        } else {
          _mm256_storeu_ps(ci, rows[i][0]);
          _mm256_storeu_ps(ci + 8, rows[i][1]);
        }
      }
      return;
    }
  }
  // masked columns on the right edge (lane j is written when j < nr), and the epilogue in registers
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr), lane);
  const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr - 8), lane);
  const float* bias = epi ? epi->bias : nullptr;
  const bool relu = epi && epi->relu;
  __m256 bv[V];
  for (int v = 0; v < V; v++) bv[v] = bias ? _mm256_maskload_ps(bias + 8 * v, v ? m1 : m0) : _mm256_setzero_ps();
  for (int i = 0; i < mr; i++) {
    float* ci = c + static_cast<size_t>(i) * ldc;
    for (int v = 0; v < V; v++) {
      const __m256i mv = v ? m1 : m0;
      __m256 x = rows[i][v];
      if (add) x = _mm256_add_ps(_mm256_maskload_ps(ci + 8 * v, mv), x);
      x = _mm256_add_ps(x, bv[v]);
      if (relu) x = _mm256_max_ps(x, _mm256_setzero_ps());  // (a NaN becomes 0, as in unary_f32)
      _mm256_maskstore_ps(ci + 8 * v, mv, x);
    }
  }
}

__attribute__((target("avx2,fma"))) void ukr_avx2(int kc, const float* a, const float* b, float* c, int ldc, bool add, int mr, int nr, const Epilogue* epi) {
  if (nr <= 8) ukr_avx2_tile<1, false>(kc, a, 0, b, c, ldc, add, mr, nr, epi);
  else ukr_avx2_tile<2, false>(kc, a, 0, b, c, ldc, add, mr, nr, epi);
}

__attribute__((target("avx2,fma"))) void ukr_avx2_rowa(int kc, const float* a, size_t lda, const float* b, float* c, int ldc, bool add, int nr, const Epilogue* epi) {
  if (nr <= 8) ukr_avx2_tile<1, true>(kc, a, lda, b, c, ldc, add, 6, nr, epi);
  else ukr_avx2_tile<2, true>(kc, a, lda, b, c, ldc, add, 6, nr, epi);
}

// The AVX-512 tile, 14 rows of V vectors: 2 (the full 14x32 tile, 28 accumulators), or 1 for a right
// edge of at most 16 columns (half the multiply-adds). A is a packed micro-panel (a[p * 14 + i]), or,
// with RowA, 14 rows of a row-major A read where they are (a[i * lda + p]; all 14 rows must exist):
// five row pointers, each with the two row strides as index registers (x86 addressing), reach the 14
// rows with no spill in GCC's loop.
template <int V, bool RowA>
__attribute__((target("avx512f,fma"), always_inline)) inline void ukr_avx512_tile(int kc, const float* a, size_t lda, const float* b, float* c, int ldc, bool add, int mr,
                                                                                 int nr, const Epilogue* epi) {
  constexpr int MR = 14, NR = 32;
  __m512 acc[MR][V];
#pragma GCC unroll 14
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 2
    for (int v = 0; v < V; v++) acc[i][v] = _mm512_setzero_ps();
  const float* r[5] = {a, a + 3 * lda, a + 6 * lda, a + 9 * lda, a + 12 * lda};
  for (int p = 0; p < kc; p++) {
    __m512 bv[V];
#pragma GCC unroll 2
    for (int v = 0; v < V; v++) bv[v] = _mm512_loadu_ps(b + 16 * v);
#pragma GCC unroll 14
    for (int i = 0; i < MR; i++) {
      const __m512 ai = _mm512_set1_ps(RowA ? r[i / 3][(i % 3) * lda] : a[i]);
#pragma GCC unroll 2
      for (int v = 0; v < V; v++) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
    }
    if constexpr (RowA) {
#pragma GCC unroll 5
      for (int q = 0; q < 5; q++) r[q]++;
    } else {
      a += MR;
    }
    b += NR;
  }
  if constexpr (V == 2) {
    if (nr == NR && !epi) {
      for (int i = 0; i < mr; i++) {
        float* ci = c + static_cast<size_t>(i) * ldc;
        if (add) {
          _mm512_storeu_ps(ci, _mm512_add_ps(_mm512_loadu_ps(ci), acc[i][0]));
          _mm512_storeu_ps(ci + 16, _mm512_add_ps(_mm512_loadu_ps(ci + 16), acc[i][1]));
        } else {
          _mm512_storeu_ps(ci, acc[i][0]);
          _mm512_storeu_ps(ci + 16, acc[i][1]);
        }
      }
      return;
    }
  }
  // masked columns on the right edge, and the epilogue in registers
  const __mmask16 m0 = nr >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << nr) - 1);
  const __mmask16 m1 = nr <= 16 ? static_cast<__mmask16>(0) : static_cast<__mmask16>((1u << (nr - 16)) - 1);
  const float* bias = epi ? epi->bias : nullptr;
  const bool relu = epi && epi->relu;
  __m512 bv[V];
  for (int v = 0; v < V; v++) bv[v] = bias ? _mm512_maskz_loadu_ps(v ? m1 : m0, bias + 16 * v) : _mm512_setzero_ps();
  for (int i = 0; i < mr; i++) {
    float* ci = c + static_cast<size_t>(i) * ldc;
    for (int v = 0; v < V; v++) {
      const __mmask16 mv = v ? m1 : m0;
      __m512 x = acc[i][v];
      if (add) x = _mm512_add_ps(_mm512_maskz_loadu_ps(mv, ci + 16 * v), x);
      x = _mm512_add_ps(x, bv[v]);
      if (relu) x = _mm512_max_ps(x, _mm512_setzero_ps());  // (a NaN becomes 0, as in unary_f32's x > 0 ? x : 0)
      _mm512_mask_storeu_ps(ci + 16 * v, mv, x);
    }
  }
}

__attribute__((target("avx512f,fma"))) void ukr_avx512(int kc, const float* a, const float* b, float* c, int ldc, bool add, int mr, int nr, const Epilogue* epi) {
  if (nr <= 16) ukr_avx512_tile<1, false>(kc, a, 0, b, c, ldc, add, mr, nr, epi);
  else ukr_avx512_tile<2, false>(kc, a, 0, b, c, ldc, add, mr, nr, epi);
}

__attribute__((target("avx512f,fma"))) void ukr_avx512_rowa(int kc, const float* a, size_t lda, const float* b, float* c, int ldc, bool add, int nr, const Epilogue* epi) {
  if (nr <= 16) ukr_avx512_tile<1, true>(kc, a, lda, b, c, ldc, add, 14, nr, epi);
  else ukr_avx512_tile<2, true>(kc, a, lda, b, c, ldc, add, 14, nr, epi);
}
#endif

// The micro-kernel families, each written once (pick_isa chooses by CPU, gemm_set_isa by name).
constexpr Isa kGeneric{"generic", 4, 8, ukr_generic, nullptr};
#if defined(__x86_64__)
constexpr Isa kAvx2{"avx2", 6, 16, ukr_avx2, ukr_avx2_rowa};
constexpr Isa kAvx512{"avx512", 14, 32, ukr_avx512, ukr_avx512_rowa};
#endif

Isa pick_isa() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return kAvx2;
#endif
  return kGeneric;
}

Isa isa = pick_isa();

#if defined(__x86_64__)
// Transposes `rows` (<= 16) rows of 16 floats (row r at src + r * lds) and stores column c, masked to
// its first `rows` entries, at dst + c * ldd: dst[c * ldd + r] = src[r * lds + c]. Four shuffle stages
// (32-bit, 64-bit, then two 128-bit-lane stages), no scalar moves: the packing routines' transposing
// paths, which otherwise cost as much as the arithmetic on Linear layers (x·Wᵀ) and im2col products.
__attribute__((target("avx512f"))) void transpose16(const float* src, size_t lds, int rows, float* dst, size_t ldd) {
  __m512 r[16], t[16];
  for (int a = 0; a < 16; a++) r[a] = a < rows ? _mm512_loadu_ps(src + a * lds) : _mm512_setzero_ps();
  for (int i = 0; i < 8; i++) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // r[4i + w], 128-bit lane L: column 4L + w, rows 4i..4i+3
  for (int i = 0; i < 4; i++) {
    const __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 2]);
    const __m512d c = _mm512_castps_pd(t[4 * i + 1]), d = _mm512_castps_pd(t[4 * i + 3]);
    r[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
    r[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
    r[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(c, d));
    r[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(c, d));
  }
  // a 4x4 transpose of 128-bit lanes across r[w], r[4 + w], r[8 + w], r[12 + w]
  const __mmask16 mask = static_cast<__mmask16>((1u << rows) - 1);
  for (int w = 0; w < 4; w++) {
    const __m512 u0 = _mm512_shuffle_f32x4(r[w], r[4 + w], 0x88), u1 = _mm512_shuffle_f32x4(r[8 + w], r[12 + w], 0x88);
    const __m512 u2 = _mm512_shuffle_f32x4(r[w], r[4 + w], 0xdd), u3 = _mm512_shuffle_f32x4(r[8 + w], r[12 + w], 0xdd);
    _mm512_mask_storeu_ps(dst + w * ldd, mask, _mm512_shuffle_f32x4(u0, u1, 0x88));
    _mm512_mask_storeu_ps(dst + (8 + w) * ldd, mask, _mm512_shuffle_f32x4(u0, u1, 0xdd));
    _mm512_mask_storeu_ps(dst + (4 + w) * ldd, mask, _mm512_shuffle_f32x4(u2, u3, 0x88));
    _mm512_mask_storeu_ps(dst + (12 + w) * ldd, mask, _mm512_shuffle_f32x4(u2, u3, 0xdd));
  }
}
#endif

#if defined(__x86_64__)
// The AVX2 counterpart: an 8x8 transpose of `rows` rows of src (the rest read as zeros) into 8 rows of
// dst, each written as 8 floats in increasing order. When ldd < 8 (A panels of MR = 6) a row's last
// lanes land on the next row's first ones and are overwritten by the next store; the last row is
// written masked so that nothing lands past dst's 8 * ldd floats. Lanes at and beyond `rows` are
// zeros, which is what the panels hold past the edge of the matrix.
__attribute__((target("avx2"))) void transpose8(const float* src, size_t lds, int rows, float* dst, size_t ldd) {
  __m256 r[8];
  for (int a = 0; a < 8; a++) r[a] = a < rows ? _mm256_loadu_ps(src + a * lds) : _mm256_setzero_ps();
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(dst, _mm256_permute2f128_ps(s0, s4, 0x20));
  _mm256_storeu_ps(dst + ldd, _mm256_permute2f128_ps(s1, s5, 0x20));
  _mm256_storeu_ps(dst + 2 * ldd, _mm256_permute2f128_ps(s2, s6, 0x20));
  _mm256_storeu_ps(dst + 3 * ldd, _mm256_permute2f128_ps(s3, s7, 0x20));
  _mm256_storeu_ps(dst + 4 * ldd, _mm256_permute2f128_ps(s0, s4, 0x31));
  _mm256_storeu_ps(dst + 5 * ldd, _mm256_permute2f128_ps(s1, s5, 0x31));
  _mm256_storeu_ps(dst + 6 * ldd, _mm256_permute2f128_ps(s2, s6, 0x31));
  const __m256 last = _mm256_permute2f128_ps(s3, s7, 0x31);
  if (ldd >= 8) {
    _mm256_storeu_ps(dst + 7 * ldd, last);
  } else {
    const __m256i keep = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(ldd)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    _mm256_maskstore_ps(dst + 7 * ldd, keep, last);
  }
}
#endif

// pa[(panel) * kc * MR + p * MR + i] = A(i0 + panel*MR + i, p0 + p), zero beyond m.
void pack_a(const View& A, int i0, int mc, int p0, int kc, int MR, float* pa) {
  for (int ir = 0; ir < mc; ir += MR) {
    const int rows = std::min(MR, mc - ir);
    float* dst = pa + static_cast<size_t>(ir / MR) * kc * MR;
    if (!A.trans) {
      int p = 0;
#if defined(__x86_64__)
      if (MR <= 16 && isa.ukr == ukr_avx512)
        for (; p + 16 <= kc; p += 16) transpose16(A.p + static_cast<size_t>(i0 + ir) * A.ld + p0 + p, A.ld, rows, dst + p * MR, MR);
      if (MR <= 8 && isa.ukr == ukr_avx2)
        for (; p + 8 <= kc; p += 8) transpose8(A.p + static_cast<size_t>(i0 + ir) * A.ld + p0 + p, A.ld, rows, dst + p * MR, MR);
#endif
      for (int i = 0; i < rows && p < kc; i++) {
        const float* src = A.p + static_cast<size_t>(i0 + ir + i) * A.ld + p0;
        for (int q = p; q < kc; q++) dst[q * MR + i] = src[q];
      }
    } else {
      for (int p = 0; p < kc; p++) {
        const float* src = A.p + static_cast<size_t>(p0 + p) * A.ld + i0 + ir;
        for (int i = 0; i < rows; i++) dst[p * MR + i] = src[i];
      }
    }
    if (rows < MR)
      for (int p = 0; p < kc; p++)
        for (int i = rows; i < MR; i++) dst[p * MR + i] = 0.0f;
  }
}

// pb[(panel) * kc * NR + p * NR + j] = B(p0 + p, j0 + panel*NR + j), zero beyond n.
void pack_b(const View& B, int p0, int kc, int j0, int nc, int NR, float* pb) {
  for (int jr = 0; jr < nc; jr += NR) {
    const int cols = std::min(NR, nc - jr);
    float* dst = pb + static_cast<size_t>(jr / NR) * kc * NR;
    if (!B.trans) {
      for (int p = 0; p < kc; p++) {
        const float* src = B.p + static_cast<size_t>(p0 + p) * B.ld + j0 + jr;
        float* d = dst + p * NR;
        // whole rows of a panel as a copy of constant size (inlined moves, not a call per 64 bytes):
        // the conv GEMMs of W3, [32, 288] x [288, 576], 63 -> 66 GFLOP/s on one AVX2 thread
        if (cols == NR && NR == 16) {
          std::memcpy(d, src, sizeof(float) * 16);
        } else if (cols == NR && NR == 32) {
          std::memcpy(d, src, sizeof(float) * 32);
        } else {
          std::memcpy(d, src, sizeof(float) * cols);
          for (int j = cols; j < NR; j++) d[j] = 0.0f;
        }
      }
    } else {
      int p = 0;
#if defined(__x86_64__)
      if (NR % 16 == 0 && isa.ukr == ukr_avx512)
        for (; p + 16 <= kc; p += 16)
          for (int h = 0; h < cols; h += 16)
            transpose16(B.p + static_cast<size_t>(j0 + jr + h) * B.ld + p0 + p, B.ld, std::min(16, cols - h), dst + p * NR + h, NR);
      if (NR % 8 == 0 && isa.ukr == ukr_avx2)
        for (; p + 8 <= kc; p += 8)
          for (int h = 0; h < cols; h += 8)
            transpose8(B.p + static_cast<size_t>(j0 + jr + h) * B.ld + p0 + p, B.ld, std::min(8, cols - h), dst + p * NR + h, NR);
#endif
      for (int j = 0; j < cols && p < kc; j++) {
        const float* src = B.p + static_cast<size_t>(j0 + jr + j) * B.ld + p0;
        for (int q = p; q < kc; q++) dst[q * NR + j] = src[q];
      }
      for (int j = cols; j < NR; j++)
        for (int p = 0; p < kc; p++) dst[p * NR + j] = 0.0f;
    }
  }
}

thread_local AlignedFloats bufA, bufB;

// k in equal blocks of at most KC (1100 = 2 x 550, not 1024 + 76: a thin last block wastes a whole
// pass over C).
inline int k_step(int k) {
  const int kblocks = (k + KC - 1) / KC;
  return (k + kblocks - 1) / kblocks;
}

// C rows [i0, i0+m), columns [cj, cj+nc) (+)= op(A)'s rows times one packed block of op(B) (rows
// [pc, pc+kc), nc columns, packed by pack_b), A packed here MC rows at a time into pa; then `epi` (the
// bias indexed by C's column from 0) on each tile as the micro-kernel stores it.
//
// A row-major (not transposed) A is not packed where the family has an in-place micro-kernel: its full
// MR-row panels are read where they are, and only a last panel of fewer rows is packed. Packing A took
// 7.6% of W5's batch-1000 inference (transposing 14-row panels); without it the 126-row blocks of its
// layers run 196-198 -> 205-206 GFLOP/s (784x256), 197 -> 203 (256x256) and 78 -> 105 (256x10) on one
// core, and W5 on 2 threads 628-661k -> 669-686k samples/s (3 of 3 interleaved pairs); the AVX2 kernel
// (6-row panels) 98 -> 104, 97 -> 98 and 42 -> 60 GFLOP/s, W5 346-358k -> 358-372k. Except for row
// strides of a multiple of 512 floats (2 or 4 KB: the panel's 14 rows then share one or two of the L1's
// 64 sets, more than its 12 ways): K1 n=1024 fell 345-362 -> 314-334 GFLOP/s that way.
void gemm_block(int m, const View& A, int i0, int pc, int kc, const float* pb, int nc, float* C, int ldc, int cj, bool add, float* pa,
                const Epilogue& epi = {}) {
  const bool finish = epi.bias || epi.relu;
  Epilogue tile;
  const int MR = isa.mr, NR = isa.nr, MC = MR * MC_PANELS;
  const bool inPlace = isa.rowa && !A.trans && A.ld % 512 != 0;
  for (int ic = 0; ic < m; ic += MC) {
    const int mc = std::min(MC, m - ic), packedFrom = inPlace ? mc / MR * MR : 0;
    if (packedFrom < mc) pack_a(A, i0 + ic + packedFrom, mc - packedFrom, pc, kc, MR, pa);
    for (int jr = 0; jr < nc; jr += NR) {
      const float* bp = pb + static_cast<size_t>(jr / NR) * kc * NR;
      const int nr = std::min(NR, nc - jr);
      tile = {epi.bias ? epi.bias + cj + jr : nullptr, epi.relu};
      for (int ir = 0; ir < mc; ir += MR) {
        float* c = C + static_cast<size_t>(i0 + ic + ir) * ldc + cj + jr;
        if (ir < packedFrom)
          isa.rowa(kc, A.p + static_cast<size_t>(i0 + ic + ir) * A.ld + pc, static_cast<size_t>(A.ld), bp, c, ldc, add, nr, finish ? &tile : nullptr);
        else
          isa.ukr(kc, pa + static_cast<size_t>((ir - packedFrom) / MR) * kc * MR, bp, c, ldc, add, std::min(MR, mc - ir), nr, finish ? &tile : nullptr);
      }
    }
  }
}

// One thread's GEMM over C rows [i0, i0+m) and columns [j0, j0+n).
void gemm_serial(int m, int n, int k, const View& A, int i0, const View& B, int j0, float* C, int ldc, bool accumulate, const Epilogue& epi) {
  const int MR = isa.mr, NR = isa.nr, MC = MR * MC_PANELS;
  if (k == 0) {
    if (!accumulate)
      for (int i = 0; i < m; i++) std::memset(C + static_cast<size_t>(i0 + i) * ldc + j0, 0, sizeof(float) * n);
    epilogue_on(C, ldc, i0, m, j0, n, epi);
    return;
  }
  const size_t needA = static_cast<size_t>(MC) * KC, needB = static_cast<size_t>((std::min(n, NC) + NR - 1) / NR * NR) * KC;
  float* pa = bufA.get(needA);
  float* pb = bufB.get(needB);
  const int kstep = k_step(k);
  for (int jc = 0; jc < n; jc += NC) {
    const int nc = std::min(NC, n - jc);
    for (int pc = 0; pc < k; pc += kstep) {
      const int kc = std::min(kstep, k - pc);
      pack_b(B, pc, kc, j0 + jc, nc, NR, pb);
      gemm_block(m, A, i0, pc, kc, pb, nc, C, ldc, j0 + jc, accumulate || pc > 0, pa, pc + kc >= k ? epi : Epilogue{});
    }
  }
}

// C rows one at a time without packing, for a few rows (a batch of 1 at inference, per-sample
// training): packing B would cost as much as the product itself. Rows of op(B) are contiguous when B is
// not transposed (axpy form); with B transposed (x·Wᵀ, the Linear layer) each output is a dot product
// of contiguous rows.
#if defined(__x86_64__)
// out[j] (+)= dot(a, W row j) for 8 rows of W at once: 8 independent FMA chains hide the FMA latency.
__attribute__((target("avx512f,fma"))) void dots_avx512(int n, int k, const float* a, const float* w, int ldw, float* c, bool accumulate) {
  const int k16 = k & ~15;
  const __mmask16 tail = static_cast<__mmask16>((1u << (k - k16)) - 1);
  int j = 0;
  for (; j + 8 <= n; j += 8) {
    __m512 s[8];
    for (int r = 0; r < 8; r++) s[r] = _mm512_setzero_ps();
    const float* wr = w + static_cast<size_t>(j) * ldw;
    for (int p = 0; p < k16; p += 16) {
      const __m512 av = _mm512_loadu_ps(a + p);
#pragma GCC unroll 8
      for (int r = 0; r < 8; r++) s[r] = _mm512_fmadd_ps(av, _mm512_loadu_ps(wr + static_cast<size_t>(r) * ldw + p), s[r]);
    }
    if (tail) {
      const __m512 av = _mm512_maskz_loadu_ps(tail, a + k16);
#pragma GCC unroll 8
      for (int r = 0; r < 8; r++) s[r] = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(tail, wr + static_cast<size_t>(r) * ldw + k16), s[r]);
    }
    for (int r = 0; r < 8; r++) {
      const float v = _mm512_reduce_add_ps(s[r]);
      c[j + r] = accumulate ? c[j + r] + v : v;
    }
  }
  for (; j < n; j++) {
    const float* wr = w + static_cast<size_t>(j) * ldw;
    __m512 s0 = _mm512_setzero_ps();
    for (int p = 0; p < k16; p += 16) s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + p), _mm512_loadu_ps(wr + p), s0);
    if (tail) s0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, a + k16), _mm512_maskz_loadu_ps(tail, wr + k16), s0);
    const float v = _mm512_reduce_add_ps(s0);
    c[j] = accumulate ? c[j] + v : v;
  }
}

// The same with AVX2: 8 ymm chains, the 8 sums reduced together (hadd tree) into one vector.
__attribute__((target("avx2,fma"))) void dots_avx2(int n, int k, const float* a, const float* w, int ldw, float* c, bool accumulate) {
  const int k8 = k & ~7;
  const __m256i tail = _mm256_cmpgt_epi32(_mm256_set1_epi32(k - k8), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  const bool hasTail = k8 < k;
  int j = 0;
  for (; j + 8 <= n; j += 8) {
    const float* w0 = w + static_cast<size_t>(j) * ldw;
    const size_t l = static_cast<size_t>(ldw);
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    for (int p = 0; p < k8; p += 8) {
      const __m256 av = _mm256_loadu_ps(a + p);
      s0 = _mm256_fmadd_ps(av, _mm256_loadu_ps(w0 + p), s0);
      s1 = _mm256_fmadd_ps(av, _mm256_loadu_ps(w0 + l + p), s1);
      s2 = _mm256_fmadd_ps(av, _mm256_loadu_ps(w0 + 2 * l + p), s2);
      s3 = _mm256_fmadd_ps(av, _mm256_loadu_ps(w0 + 3 * l + p), s3);
      s4 = _mm256_fmadd_ps(av, _mm256_loadu_ps(w0 + 4 * l + p), s4);
      s5 = _mm256_fmadd_ps(av, _mm256_loadu_ps(w0 + 5 * l + p), s5);
      s6 = _mm256_fmadd_ps(av, _mm256_loadu_ps(w0 + 6 * l + p), s6);
      s7 = _mm256_fmadd_ps(av, _mm256_loadu_ps(w0 + 7 * l + p), s7);
    }
    if (hasTail) {
      const __m256 av = _mm256_maskload_ps(a + k8, tail);
      s0 = _mm256_fmadd_ps(av, _mm256_maskload_ps(w0 + k8, tail), s0);
      s1 = _mm256_fmadd_ps(av, _mm256_maskload_ps(w0 + l + k8, tail), s1);
      s2 = _mm256_fmadd_ps(av, _mm256_maskload_ps(w0 + 2 * l + k8, tail), s2);
      s3 = _mm256_fmadd_ps(av, _mm256_maskload_ps(w0 + 3 * l + k8, tail), s3);
      s4 = _mm256_fmadd_ps(av, _mm256_maskload_ps(w0 + 4 * l + k8, tail), s4);
      s5 = _mm256_fmadd_ps(av, _mm256_maskload_ps(w0 + 5 * l + k8, tail), s5);
      s6 = _mm256_fmadd_ps(av, _mm256_maskload_ps(w0 + 6 * l + k8, tail), s6);
      s7 = _mm256_fmadd_ps(av, _mm256_maskload_ps(w0 + 7 * l + k8, tail), s7);
    }
    // hadd tree: lane r of the result is the total of s_r
    const __m256 t0 = _mm256_hadd_ps(s0, s1), t1 = _mm256_hadd_ps(s2, s3), t2 = _mm256_hadd_ps(s4, s5), t3 = _mm256_hadd_ps(s6, s7);
    const __m256 u0 = _mm256_hadd_ps(t0, t1), u1 = _mm256_hadd_ps(t2, t3);
    __m256 r = _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
    if (accumulate) r = _mm256_add_ps(r, _mm256_loadu_ps(c + j));
    _mm256_storeu_ps(c + j, r);
  }
  for (; j < n; j++) {
    const float* wr = w + static_cast<size_t>(j) * ldw;
    __m256 s0 = _mm256_setzero_ps();
    for (int p = 0; p < k8; p += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + p), _mm256_loadu_ps(wr + p), s0);
    if (hasTail) s0 = _mm256_fmadd_ps(_mm256_maskload_ps(a + k8, tail), _mm256_maskload_ps(wr + k8, tail), s0);
    const __m128 h = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
    const __m128 q = _mm_add_ps(h, _mm_movehl_ps(h, h));
    const float v = _mm_cvtss_f32(_mm_add_ss(q, _mm_movehdup_ps(q)));
    c[j] = accumulate ? c[j] + v : v;
  }
}
#endif

NEURONA_CLONES
void gemm_few_rows(int m, int n, int k, const View& A, const View& B, float* C, int ldc, bool accumulate, float* arow) {
  for (int i = 0; i < m; i++) {
    float* __restrict c = C + static_cast<size_t>(i) * ldc;
    const float* a = arow;
    if (A.trans) {
      for (int p = 0; p < k; p++) arow[p] = A.p[static_cast<size_t>(p) * A.ld + i];
    } else {
      a = A.p + static_cast<size_t>(i) * A.ld;
    }
    if (!B.trans) {
      if (!accumulate) std::memset(c, 0, sizeof(float) * n);
      for (int p = 0; p < k; p++) {
        const float ap = a[p];
        const float* __restrict b = B.p + static_cast<size_t>(p) * B.ld;
#pragma omp simd
        for (int j = 0; j < n; j++) c[j] += ap * b[j];
      }
    } else {
#if defined(__x86_64__)
      if (std::strcmp(isa.name, "avx512") == 0) {
        dots_avx512(n, k, a, B.p, B.ld, c, accumulate);
        continue;
      }
      if (std::strcmp(isa.name, "avx2") == 0) {
        dots_avx2(n, k, a, B.p, B.ld, c, accumulate);
        continue;
      }
#endif
      for (int j = 0; j < n; j++) {
        const float* __restrict w = B.p + static_cast<size_t>(j) * B.ld;
        float s = 0.0f;
#pragma omp simd reduction(+ : s)
        for (int p = 0; p < k; p++) s += a[p] * w[p];
        c[j] = accumulate ? c[j] + s : s;
      }
    }
  }
}

// C (+)= a·b for k = 1, an outer product (a per-sample weight gradient): no packing, one pass over C.
NEURONA_CLONES
void gemm_rank1(int m, int n, const View& A, const View& B, float* C, int ldc, bool accumulate) {
  for (int i = 0; i < m; i++) {
    const float ai = A.at(i, 0);
    float* __restrict c = C + static_cast<size_t>(i) * ldc;
    if (!B.trans) {
      const float* __restrict b = B.p;
      if (accumulate) {
        for (int j = 0; j < n; j++) c[j] += ai * b[j];
      } else {
        for (int j = 0; j < n; j++) c[j] = ai * b[j];
      }
    } else {
      for (int j = 0; j < n; j++) c[j] = (accumulate ? c[j] : 0.0f) + ai * B.p[static_cast<size_t>(j) * B.ld];
    }
  }
}

}  // namespace

const char* gemm_isa() { return isa.name; }

bool gemm_set_isa(const char* name) {
  const Isa best = pick_isa();
  if (std::strcmp(name, kGeneric.name) == 0) {
    isa = kGeneric;
    return true;
  }
#if defined(__x86_64__)
  if (std::strcmp(name, kAvx2.name) == 0 && std::strcmp(best.name, kGeneric.name) != 0) {
    isa = kAvx2;
    return true;
  }
  if (std::strcmp(name, kAvx512.name) == 0 && std::strcmp(best.name, kAvx512.name) == 0) {
    isa = kAvx512;
    return true;
  }
#endif
  return false;
}

namespace {

// sgemm on at most maxThreads threads (the caller included).
void sgemm_on(int maxThreads, int m, int n, int k, const float* a, int lda, bool transA, const float* b, int ldb, bool transB, float* c, int ldc, bool accumulate,
              const Epilogue& epi) {
  if (m <= 0 || n <= 0) return;
  const View A{a, lda, transA}, B{b, ldb, transB};
  if (k == 1) {
    gemm_rank1(m, n, A, B, c, ldc, accumulate);
    epilogue_on(c, ldc, 0, m, 0, n, epi);
    return;
  }
  if (m < 4) {
    // Big weight matrices are read from L2/L3 at its bandwidth: two threads read twice as fast.
    const int t = static_cast<double>(m) * n * k >= kSplitGemvMacs && n >= 32 ? maxThreads : 1;
    // One chunk per thread: the pool gives chunk 0 to the caller every time, so each core keeps reading
    // the same half of the weights (from its own L2 when they fit).
    const int chunks = std::min(t, n / 16);
    if (t <= 1 || chunks <= 1) {
      gemm_few_rows(m, n, k, A, B, c, ldc, accumulate, bufA.get(k));
      epilogue_on(c, ldc, 0, m, 0, n, epi);
      return;
    }
    parallel_run(chunks, [&](int id) {
      const int j0 = n * id / chunks, j1 = n * (id + 1) / chunks;
      const View Bj{transB ? b + static_cast<size_t>(j0) * ldb : b + j0, ldb, transB};
      gemm_few_rows(m, j1 - j0, k, A, Bj, c + j0, ldc, accumulate, bufA.get(k));
      epilogue_on(c, ldc, 0, m, j0, j1 - j0, epi);
    });
    return;
  }
  const double flops = 2.0 * m * n * k;
  int t = maxThreads;
  // Below ~1 MFLOP a second thread costs more than it saves.
  if (t > 1 && flops < 1.0e6) t = 1;
  if (t <= 1) {
    gemm_serial(m, n, k, A, 0, B, 0, c, ldc, accumulate, epi);
    return;
  }
  const int MR = isa.mr, NR = isa.nr;
  // Split the longer side of C into one chunk per thread, aligned to the micro-tile. Each chunk packs
  // all of op(A) (or op(B)) again, so more chunks cost more packing: on an idle machine one per thread
  // measured fastest on every W1/W3 shape (10-30% over three per thread), and on a busy one no worse
  // overall. Sharing one packed B between the threads (BLIS style) measured slower still here: the
  // two cores then read each other's halves of the packed block. Splitting the rows when m > n packs
  // half of the larger operand per thread instead of all of it: x·Wᵀ for [1000, 784] x [256, 784]
  // (W5's first layer) 325-337 -> 351-359 GFLOP/s, [1000, 256] x [256, 256] 337-347 -> 354-366, in 4 of
  // 4 interleaved runs; square products unchanged.
  if (n >= m || m / MR < t) {
    const int panels = (n + NR - 1) / NR;
    const int chunks = std::min(panels, t);
    parallel_run(chunks, [&](int id) {
      const int p0 = panels * id / chunks, p1 = panels * (id + 1) / chunks;
      const int j0 = p0 * NR, j1 = std::min(n, p1 * NR);
      if (j1 > j0) gemm_serial(m, j1 - j0, k, A, 0, B, j0, c, ldc, accumulate, epi);
    });
  } else {
    const int panels = (m + MR - 1) / MR;
    const int chunks = std::min(panels, t);
    parallel_run(chunks, [&](int id) {
      const int p0 = panels * id / chunks, p1 = panels * (id + 1) / chunks;
      const int i0 = p0 * MR, i1 = std::min(m, p1 * MR);
      if (i1 > i0) gemm_serial(i1 - i0, n, k, A, i0, B, 0, c, ldc, accumulate, epi);
    });
  }
}

}  // namespace

void sgemm(int m, int n, int k, const float* a, int lda, bool transA, const float* b, int ldb, bool transB, float* c, int ldc, bool accumulate, const Epilogue& epi) {
  sgemm_on(num_threads(), m, n, k, a, lda, transA, b, ldb, transB, c, ldc, accumulate, epi);
}

void sgemm_serial(int m, int n, int k, const float* a, int lda, bool transA, const float* b, int ldb, bool transB, float* c, int ldc, bool accumulate) {
  sgemm_on(1, m, n, k, a, lda, transA, b, ldb, transB, c, ldc, accumulate, {});
}

// The packed layout: for each block of NC columns, for each step of k, that block's panels as pack_b
// writes them (rounded up to whole NR-wide panels, ncr columns): block jc starts at jc * k, its k step pc
// at ncr * pc within it.
inline size_t packed_step(int jc, int k, int ncr, int pc) { return static_cast<size_t>(jc) * k + static_cast<size_t>(ncr) * pc; }

void pack_b_whole(int k, int n, const float* b, int ldb, bool transB, PackedB& out) {
  const View B{b, ldb, transB};
  const int NR = isa.nr;
  out.k = k;
  out.n = n;
  out.isa = isa.name;
  size_t total = 0;
  for (int jc = 0; jc < n; jc += NC) total += static_cast<size_t>((std::min(NC, n - jc) + NR - 1) / NR * NR) * k;
  float* dst = out.data.get(total);
  if (k == 0) return;
  const int kstep = k_step(k);
  for (int jc = 0; jc < n; jc += NC) {
    const int nc = std::min(NC, n - jc), ncr = (nc + NR - 1) / NR * NR;
    for (int pc = 0; pc < k; pc += kstep) pack_b(B, pc, std::min(kstep, k - pc), jc, nc, NR, dst + packed_step(jc, k, ncr, pc));
  }
}

bool packed_current(const PackedB& b) { return b.isa == isa.name; }

int packed_panel_width() { return isa.nr; }

namespace {

// y[0, 2*NR or NR) (+)= x[0, kc) times one k step of two adjacent panels (Two) or one (NR = 32 for
// AVX-512, 16 for AVX2: two vectors a row), each read as one stream; the even and odd p in separate
// accumulators so that 8 (two panels) or 4 FMA chains are in flight. `cols` (<= panels * NR) are stored.
#if defined(__x86_64__)
template <bool Two>
__attribute__((target("avx512f,fma"))) void gemv_panels_avx512(int kc, const float* x, const float* p0, const float* p1, float* y, bool add, int cols) {
  __m512 e[4], o[4];
  for (int v = 0; v < 4; v++) e[v] = o[v] = _mm512_setzero_ps();
  int p = 0;
  for (; p + 2 <= kc; p += 2) {
    const __m512 a = _mm512_set1_ps(x[p]), b = _mm512_set1_ps(x[p + 1]);
    for (int q = 0; q < (Two ? 2 : 1); q++) {
      const float* r = (q ? p1 : p0) + p * 32;
      e[2 * q] = _mm512_fmadd_ps(a, _mm512_load_ps(r), e[2 * q]);
      e[2 * q + 1] = _mm512_fmadd_ps(a, _mm512_load_ps(r + 16), e[2 * q + 1]);
      o[2 * q] = _mm512_fmadd_ps(b, _mm512_load_ps(r + 32), o[2 * q]);
      o[2 * q + 1] = _mm512_fmadd_ps(b, _mm512_load_ps(r + 48), o[2 * q + 1]);
    }
  }
  if (p < kc) {
    const __m512 a = _mm512_set1_ps(x[p]);
    for (int q = 0; q < (Two ? 2 : 1); q++) {
      const float* r = (q ? p1 : p0) + p * 32;
      e[2 * q] = _mm512_fmadd_ps(a, _mm512_load_ps(r), e[2 * q]);
      e[2 * q + 1] = _mm512_fmadd_ps(a, _mm512_load_ps(r + 16), e[2 * q + 1]);
    }
  }
  for (int v = 0; v < 4 && v * 16 < cols; v++) {
    const int left = cols - v * 16;
    const __mmask16 m = left >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << left) - 1);
    __m512 r = _mm512_add_ps(e[v], o[v]);
    if (add) r = _mm512_add_ps(r, _mm512_maskz_loadu_ps(m, y + v * 16));
    _mm512_mask_storeu_ps(y + v * 16, m, r);
  }
}

template <bool Two>
__attribute__((target("avx2,fma"))) void gemv_panels_avx2(int kc, const float* x, const float* p0, const float* p1, float* y, bool add, int cols) {
  __m256 e[4], o[4];
  for (int v = 0; v < 4; v++) e[v] = o[v] = _mm256_setzero_ps();
  int p = 0;
  for (; p + 2 <= kc; p += 2) {
    const __m256 a = _mm256_set1_ps(x[p]), b = _mm256_set1_ps(x[p + 1]);
    for (int q = 0; q < (Two ? 2 : 1); q++) {
      const float* r = (q ? p1 : p0) + p * 16;
      e[2 * q] = _mm256_fmadd_ps(a, _mm256_load_ps(r), e[2 * q]);
      e[2 * q + 1] = _mm256_fmadd_ps(a, _mm256_load_ps(r + 8), e[2 * q + 1]);
      o[2 * q] = _mm256_fmadd_ps(b, _mm256_load_ps(r + 16), o[2 * q]);
      o[2 * q + 1] = _mm256_fmadd_ps(b, _mm256_load_ps(r + 24), o[2 * q + 1]);
    }
  }
  if (p < kc) {
    const __m256 a = _mm256_set1_ps(x[p]);
    for (int q = 0; q < (Two ? 2 : 1); q++) {
      const float* r = (q ? p1 : p0) + p * 16;
      e[2 * q] = _mm256_fmadd_ps(a, _mm256_load_ps(r), e[2 * q]);
      e[2 * q + 1] = _mm256_fmadd_ps(a, _mm256_load_ps(r + 8), e[2 * q + 1]);
    }
  }
  alignas(32) float tmp[32];
  for (int v = 0; v < (Two ? 4 : 2); v++) _mm256_store_ps(tmp + 8 * v, _mm256_add_ps(e[v], o[v]));
  for (int j = 0; j < cols; j++) y[j] = add ? y[j] + tmp[j] : tmp[j];
}
#endif

// (p1 is read only for columns past the first panel's NR)
void gemv_panels_generic(int kc, const float* x, const float* p0, const float* p1, float* y, bool add, int cols) {
  const int NR = isa.nr;
  for (int j = 0; j < cols; j++) {
    const float* q = j < NR ? p0 + j : p1 + (j - NR);
    float s = 0.0f;
    for (int p = 0; p < kc; p++) s += x[p] * q[static_cast<size_t>(p) * NR];
    y[j] = add ? y[j] + s : s;
  }
}

}  // namespace

void gemv_packed(int m, const float* x, int ldx, const PackedB& B, int j0, int j1, float* y, int ldy, bool accumulate, const Epilogue& epi) {
  const int k = B.k, n = B.n, NR = isa.nr;
  j1 = std::min(j1, n);
  if (m <= 0 || j1 <= j0) return;
  if (k == 0) {
    if (!accumulate)
      for (int r = 0; r < m; r++) std::memset(y + static_cast<size_t>(r) * ldy + j0, 0, sizeof(float) * (j1 - j0));
    epilogue_on(y, ldy, 0, m, j0, j1 - j0, epi);
    return;
  }
  using Panels = void (*)(int, const float*, const float*, const float*, float*, bool, int);
  Panels one = gemv_panels_generic, two = gemv_panels_generic;
#if defined(__x86_64__)
  if (isa.ukr == ukr_avx512) {
    one = gemv_panels_avx512<false>;
    two = gemv_panels_avx512<true>;
  } else if (isa.ukr == ukr_avx2) {
    one = gemv_panels_avx2<false>;
    two = gemv_panels_avx2<true>;
  }
#endif
  const int kstep = k_step(k);
  for (int jc = j0 / NC * NC; jc < j1; jc += NC) {
    const int nc = std::min(NC, n - jc), ncr = (nc + NR - 1) / NR * NR;
    const int from = std::max(j0, jc), to = std::min(j1, jc + nc);
    for (int pc = 0; pc < k; pc += kstep) {
      const int kc = std::min(kstep, k - pc);
      const float* blk = B.data.data() + packed_step(jc, k, ncr, pc);
      for (int j = from; j < to; j += 2 * NR) {
        const float* q0 = blk + static_cast<size_t>((j - jc) / NR) * kc * NR;
        const bool pair = j + NR < to;
        const Panels panels = pair ? two : one;
        const float* q1 = pair ? q0 + static_cast<size_t>(kc) * NR : q0;
        const int cols = std::min(2 * NR, to - j);
        for (int r = 0; r < m; r++)
          panels(kc, x + static_cast<size_t>(r) * ldx + pc, q0, q1, y + static_cast<size_t>(r) * ldy + j, accumulate || pc > 0, cols);
      }
    }
  }
  epilogue_on(y, ldy, 0, m, j0, j1 - j0, epi);
}

void sgemm_packed_serial(int m, const float* a, int lda, const PackedB& B, float* c, int ldc, bool accumulate, const Epilogue& epi) {
  const int k = B.k, n = B.n;
  if (m <= 0 || n <= 0) return;
  const View A{a, lda, false};
  if (k == 0) {
    if (!accumulate)
      for (int i = 0; i < m; i++) std::memset(c + static_cast<size_t>(i) * ldc, 0, sizeof(float) * n);
    epilogue_on(c, ldc, 0, m, 0, n, epi);
    return;
  }
  const size_t needA = static_cast<size_t>(isa.mr) * MC_PANELS * KC;
  float* pa = bufA.get(needA);
  const int kstep = k_step(k), NR = isa.nr;
  for (int jc = 0; jc < n; jc += NC) {
    const int nc = std::min(NC, n - jc), ncr = (nc + NR - 1) / NR * NR;
    for (int pc = 0; pc < k; pc += kstep)
      gemm_block(m, A, 0, pc, std::min(kstep, k - pc), B.data.data() + packed_step(jc, k, ncr, pc), nc, c, ldc, jc, accumulate || pc > 0,
                 pa, pc + kstep >= k ? epi : Epilogue{});
  }
}

}  // namespace neurona
