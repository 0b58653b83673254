// neurona native kernels: single-precision GEMM (packed, register-blocked, AVX-512 / AVX2 / portable
// micro-kernels chosen at run time) and a small thread pool.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <type_traits>
#include <vector>

namespace neurona {

/** Which micro-kernel family runs: "avx512", "avx2" or "generic". */
const char* gemm_isa();
/** Forces a micro-kernel family (for conformance tests); returns false if the CPU lacks it. */
bool gemm_set_isa(const char* name);

/** What a product does to C's finished tiles while they are in cache: adds `bias` (one value per column
 * of C, or null), then ReLU when `relu`. */
struct Epilogue {
  const float* bias = nullptr;
  bool relu = false;
};

/**
 * C[m,n] (row-major, leading dimension ldc) = (accumulate ? C : 0) + op(A)[m,k] * op(B)[k,n], where
 * op(A)(i,p) = transA ? A[p*lda + i] : A[i*lda + p], and likewise for B, then `epi`. Splits the work
 * over the pool.
 */
void sgemm(int m, int n, int k, const float* a, int lda, bool transA, const float* b, int ldb, bool transB,
           float* c, int ldc, bool accumulate, const Epilogue& epi = {});

/** The same on the calling thread only (for kernels that split their own work over the pool). */
void sgemm_serial(int m, int n, int k, const float* a, int lda, bool transA, const float* b, int ldb, bool transB,
                  float* c, int ldc, bool accumulate);

/** Scratch floats aligned to 64 bytes (one cache line, one AVX-512 vector) that only grow; contents
 * are not kept when they grow. Packed panels read from a misaligned buffer split every vector load over
 * two cache lines. */
class AlignedFloats {
 public:
  float* get(size_t n) {
    if (n > cap_) {
      const size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
      ptr_.reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
      if (!ptr_) throw std::bad_alloc();
      cap_ = n;
    }
    return ptr_.get();
  }
  const float* data() const { return ptr_.get(); }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::unique_ptr<float, Free> ptr_;
  size_t cap_ = 0;
};

/** op(B) [k, n] packed once for many products by it, in gemm.cc's layout for the micro-kernel in use
 * (so packed and used with no gemm_set_isa between). */
struct PackedB {
  int k = 0, n = 0;
  /** The micro-kernel family it was packed for (gemm_isa()); null before the first packing. */
  const char* isa = nullptr;
  AlignedFloats data;
};
void pack_b_whole(int k, int n, const float* b, int ldb, bool transB, PackedB& out);
/** Whether a packing is for the micro-kernel family now in use (else pack it again). */
bool packed_current(const PackedB& b);
/** Columns per panel of a packing (work on a packed B is split at multiples of it). */
int packed_panel_width();
/**
 * A few rows (a GEMV each): y[r, j] (+)= sum_p x[r, p] * B(p, j) for r < m and columns [j0, j1) of a
 * packed B, j0 a multiple of packed_panel_width(), then `epi` on those columns (its bias indexed by y's
 * column), on the calling thread. The packing is one contiguous stream per panel, read at close to the
 * cache's bandwidth (half the time of dot products over W's rows).
 */
void gemv_packed(int m, const float* x, int ldx, const PackedB& b, int j0, int j1, float* y, int ldy, bool accumulate, const Epilogue& epi = {});
/**
 * Multiply-adds from which a product of 1-3 rows (GEMVs: the weights are the traffic) is split over the
 * threads. A split costs a hand-off, ~1 us here (a cache line takes ~0.3 us between the two cores, and a
 * job moves several), so it pays only where one core takes well over that: 256x256 (65,536, 256 KB of
 * weights) took 2.05 us on one core and 2.04 split in two; W5's batch-1 inference (784x256 split, 256x256
 * not) 9.1-9.5 us against 9.0-10.1 with 256x256 split too, in 5 of 6 interleaved pairs.
 */
constexpr double kSplitGemvMacs = 131072.0;
/** C[m, n] (+)= A[m, k] (row-major, not transposed) times a packed op(B), then `epi`, on the calling
 * thread. */
void sgemm_packed_serial(int m, const float* a, int lda, const PackedB& b, float* c, int ldc, bool accumulate, const Epilogue& epi = {});

/** Threads used by the kernels (the caller included). */
int num_threads();
void set_num_threads(int n);
/**
 * A reference to a callable of a chunk index, for parallel_run: unlike std::function it never allocates
 * (a lambda capturing more than two references would be copied to the heap on every call: a batch-1
 * forward makes three). It only refers to the callable, which a parallel_run call's argument outlives.
 */
class ChunkFn {
 public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, ChunkFn>>>
  ChunkFn(const F& f) : obj_(&f), call_([](const void* o, int i) { (*static_cast<const F*>(o))(i); }) {}
  void operator()(int i) const { call_(obj_, i); }

 private:
  const void* obj_;
  void (*call_)(const void*, int);
};

/** Runs fn(0..chunks-1), chunks claimed dynamically by the caller and the pool's threads. */
void parallel_run(int chunks, ChunkFn fn);

}  // namespace neurona
