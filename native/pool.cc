// A persistent thread pool with dynamic chunking: a job is N chunks handed out through one atomic
// counter (generation in the high 32 bits, next chunk in the low 32), and the calling thread takes
// chunks too. So when a helper is slow to wake (15-50 us here) or descheduled on a busy machine, the
// caller simply does more of the chunks instead of waiting. Helpers spin briefly before sleeping.
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>
#include "gemm.h"
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NEURONA_PAUSE() _mm_pause()
#else
#define NEURONA_PAUSE() ((void)0)
#endif

namespace neurona {
namespace {

struct Pool {
  std::vector<std::thread> threads;
  std::atomic<uint64_t> state{0};  // (generation << 32) | next chunk
  std::atomic<int> done{0};
  std::atomic<bool> stop{false};
  // The job of the current generation. Written by the caller only while no chunk can be claimed (the
  // state's chunk counter closed at 0xffffffff, or before the generation is published), so a helper that
  // read them late can never claim a chunk with them: its claim (a CAS on the state) fails.
  std::atomic<int> chunks{0};
  std::atomic<const ChunkFn*> fn{nullptr};
  std::mutex mu;
  std::condition_variable cv;

  // Claims and runs chunks of generation `g` until none are left (or a newer job started).
  void work(uint32_t g, int n, const ChunkFn* f) {
    for (;;) {
      uint64_t v = state.load(std::memory_order_acquire);
      if (static_cast<uint32_t>(v >> 32) != g || (v & 0xffffffffu) >= static_cast<uint32_t>(n)) return;
      if (state.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel)) {
        (*f)(static_cast<int>(v & 0xffffffffu));
        done.fetch_add(1, std::memory_order_acq_rel);
      }
    }
  }

  void worker(uint32_t seen) {
    for (;;) {
      uint32_t g = static_cast<uint32_t>(state.load(std::memory_order_acquire) >> 32);
      // Spin a little (a job usually follows soon), yielding so as not to starve others, then sleep.
      for (int spin = 0; g == seen && spin < 2000; spin++) {
        if (spin < 500) NEURONA_PAUSE();
        else std::this_thread::yield();
        g = static_cast<uint32_t>(state.load(std::memory_order_acquire) >> 32);
      }
      if (g == seen) {
        std::unique_lock<std::mutex> lk(mu);
        cv.wait(lk, [&] { return static_cast<uint32_t>(state.load(std::memory_order_acquire) >> 32) != seen || stop.load(); });
        g = static_cast<uint32_t>(state.load(std::memory_order_acquire) >> 32);
      }
      if (stop.load()) return;
      seen = g;
      // fn and chunks were written before the generation was published (release), read after (acquire);
      // if they have changed since, the claim in work() fails.
      work(g, chunks.load(std::memory_order_acquire), fn.load(std::memory_order_acquire));
    }
  }

  void start(int n) {
    const uint32_t g = static_cast<uint32_t>(state.load() >> 32);
    for (int i = 1; i < n; i++) threads.emplace_back([this, g] { worker(g); });
  }

  void shutdown() {
    {
      std::lock_guard<std::mutex> lk(mu);
      stop.store(true);
    }
    cv.notify_all();
    for (auto& t : threads) t.join();
    threads.clear();
    stop.store(false);
  }

  void run(int n, const ChunkFn& f) {
    if (threads.empty() || n <= 1) {
      for (int i = 0; i < n; i++) f(i);
      return;
    }
    chunks.store(n, std::memory_order_relaxed);
    fn.store(&f, std::memory_order_relaxed);
    done.store(0, std::memory_order_relaxed);
    const uint32_t g = static_cast<uint32_t>(state.load() >> 32) + 1;
    // The caller always runs chunk 0 itself and the helpers claim from chunk 1 on, so a job split the
    // same way every call gives each core the same part of the data every call (a batch-1 layer's
    // weights then stay in each core's L2: half of W5's 1 MB of weights per core instead of all of it
    // from L3). After chunk 0 the caller claims whatever is left, as before.
    {
      std::lock_guard<std::mutex> lk(mu);
      state.store((static_cast<uint64_t>(g) << 32) | 1u, std::memory_order_release);
    }
    cv.notify_all();
    f(0);
    done.fetch_add(1, std::memory_order_acq_rel);
    work(g, n, &f);
    // A helper may still be finishing a chunk. Spin briefly, then yield the core: on a busy machine
    // the helper may be waiting for exactly this core, and spinning would only burn its time slice.
    for (int spins = 0; done.load(std::memory_order_acquire) != n; spins++) {
      if (spins < 256) NEURONA_PAUSE();
      else std::this_thread::yield();
    }
    // Close the job: no claim can succeed until the next one is published.
    state.store((static_cast<uint64_t>(g) << 32) | 0xffffffffu, std::memory_order_release);
  }
};

Pool* pool = nullptr;
int nthreads = 0;

int default_threads() {
  const char* env = std::getenv("NEURONA_NUM_THREADS");
  if (env && std::atoi(env) > 0) return std::atoi(env);
  unsigned hc = std::thread::hardware_concurrency();
  return hc ? static_cast<int>(hc) : 1;
}

Pool& get_pool() {
  if (!pool) {
    pool = new Pool();
    nthreads = default_threads();
    pool->start(nthreads);
  }
  return *pool;
}

}  // namespace

int num_threads() {
  get_pool();
  return nthreads;
}

void set_num_threads(int n) {
  if (n < 1) n = 1;
  Pool& p = get_pool();
  if (n == nthreads) return;
  p.shutdown();
  nthreads = n;
  p.start(n);
}

void parallel_run(int chunks, ChunkFn fn) {
  get_pool().run(chunks, fn);
}

}  // namespace neurona
