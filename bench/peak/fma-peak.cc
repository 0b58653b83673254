// The FMA ceiling of this machine at the time of a bench run: every thread runs independent fused
// multiply-add chains on registers only (no loads or stores), with the widest vectors the CPU has
// (AVX-512, else AVX2), and again with 128-bit vectors (the width of WebAssembly SIMD, whose K1 rows are
// read against that one). K1's GFLOP/s are read against it: on shared cloud cores the ceiling itself
// moves by 10-20% from hour to hour. Built and run by bench/run.ts with --k1 (`c++ -O2 -pthread`);
// prints one JSON line: {"isa": ..., "results": [{"threads": t, "gflops": g}, ...], "results128": [...]}
// for all threads and for 1.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

namespace {

// Chains enough to cover the FMA latency on every pipe (4 cycles x 2 pipes), each `acc = acc * x + y`
// (GCC contracts it into one FMA); 2 flops per lane per FMA. Written once over GCC's vector types and
// inlined into one function per instruction set.
#if defined(__x86_64__)
typedef float V16 __attribute__((vector_size(64)));
typedef float V8 __attribute__((vector_size(32)));

template <class V, int Chains>
inline __attribute__((always_inline)) double chains_of(long iters) {
  constexpr int lanes = sizeof(V) / sizeof(float);
  V acc[Chains];
  for (int i = 0; i < Chains; i++) acc[i] = V{} + 0.001f * i;
  const V x = V{} + 0.9999f, y = V{} + 0.0001f;
  for (long it = 0; it < iters; it++) {
#pragma GCC unroll 24
    for (int i = 0; i < Chains; i++) acc[i] = acc[i] * x + y;
  }
  V s = acc[0];
  for (int i = 1; i < Chains; i++) s += acc[i];
  volatile float sink = s[0];
  (void)sink;
  return static_cast<double>(Chains) * lanes * 2 * static_cast<double>(iters);
}

typedef float V4 __attribute__((vector_size(16)));
__attribute__((target("avx512f,fma"))) double chains_avx512(long iters) { return chains_of<V16, 24>(iters); }
__attribute__((target("avx2,fma"))) double chains_avx2(long iters) { return chains_of<V8, 12>(iters); }
__attribute__((target("avx2,fma"))) double chains_128(long iters) { return chains_of<V4, 12>(iters); }
#endif

// The vector width of a measurement: the widest the CPU has, or 128 bits.
enum class Width { kWidest, k128 };

double chains(bool avx512, Width w, long iters) {
#if defined(__x86_64__)
  if (w == Width::k128) return chains_128(iters);
  return avx512 ? chains_avx512(iters) : chains_avx2(iters);
#else
  (void)avx512;
  (void)w;
  (void)iters;
  return 0;
#endif
}

// GFLOP/s of `threads` threads each running `iters` iterations at once.
double block(bool avx512, Width w, int threads, long iters) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> ts;
  std::vector<double> flops(threads);
  for (int t = 0; t < threads; t++) ts.emplace_back([&, t] { flops[t] = chains(avx512, w, iters); });
  for (auto& t : ts) t.join();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double total = 0;
  for (double f : flops) total += f;
  return total / s / 1e9;
}

}  // namespace

int main() {
  const char* isa = "none";
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) isa = "avx512";
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) isa = "avx2";
#endif
  if (isa[0] == 'n') {
    std::printf("{\"isa\":\"none\",\"results\":[],\"results128\":[]}\n");
    return 0;
  }
  const bool avx512 = isa[3] == '5';
  const int all = std::max(1u, std::thread::hardware_concurrency());
  std::printf("{\"isa\":\"%s\"", isa);
  for (Width w : {Width::kWidest, Width::k128}) {
    // flops per iteration of one thread (chains x lanes x 2): what one iteration reports
    const double perIter = chains(avx512, w, 1);
    std::printf(",\"%s\":[", w == Width::k128 ? "results128" : "results");
    int printed = 0;
    for (int threads : {all, 1}) {
      if (printed && threads == all) continue;
      // iterations for ~0.2 s per block, from a short calibration
      const double rate = block(avx512, w, threads, 200000);
      const long iters = std::max(200000L, static_cast<long>(rate * 1e9 * 0.2 / threads / perIter));
      std::vector<double> r;
      for (int b = 0; b < 5; b++) r.push_back(block(avx512, w, threads, iters));
      std::sort(r.begin(), r.end());
      std::printf("%s{\"threads\":%d,\"gflops\":%.1f}", printed++ ? "," : "", threads, r[2]);
    }
    std::printf("]");
  }
  std::printf("}\n");
  return 0;
}
