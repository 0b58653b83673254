// neurona native kernels: single-precision GEMM (packed, register-blocked, AVX-512 / AVX2 / portable
// micro-kernels chosen at run time) and a small thread pool.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

namespace neurona {

/** Which micro-kernel family runs: "avx512", "avx2" or "generic". */
const char* gemm_isa();
/** Forces a micro-kernel family (for conformance tests); returns false if the CPU lacks it. */
bool gemm_set_isa(const char* name);

/**
 * C[m,n] (row-major, leading dimension ldc) = (accumulate ? C : 0) + op(A)[m,k] * op(B)[k,n], where
 * op(A)(i,p) = transA ? A[p*lda + i] : A[i*lda + p], and likewise for B. Splits the work over the pool.
 */
void sgemm(int m, int n, int k, const float* a, int lda, bool transA, const float* b, int ldb, bool transB,
           float* c, int ldc, bool accumulate);

/** The same on the calling thread only (for kernels that split their own work over the pool). */
void sgemm_serial(int m, int n, int k, const float* a, int lda, bool transA, const float* b, int ldb, bool transB,
                  float* c, int ldc, bool accumulate);

/** op(B) [k, n] packed once for many products by it, in gemm.cc's layout for the micro-kernel in use
 * (so packed and used with no gemm_set_isa between). */
struct PackedB {
  int k = 0, n = 0;
  std::vector<float> data;
};
void pack_b_whole(int k, int n, const float* b, int ldb, bool transB, PackedB& out);
/** C[m, n] (+)= A[m, k] (row-major, not transposed) times a packed op(B), on the calling thread. */
void sgemm_packed_serial(int m, const float* a, int lda, const PackedB& b, float* c, int ldc, bool accumulate);

/** Threads used by the kernels (the caller included). */
int num_threads();
void set_num_threads(int n);
/** Runs fn(0..chunks-1), chunks claimed dynamically by the caller and the pool's threads. */
void parallel_run(int chunks, const std::function<void(int)>& fn);

}  // namespace neurona
