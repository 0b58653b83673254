// A whole epoch (or a run of mini-batches) of SGD training of a small dense network in one call:
// forward, loss, backward and update per sample, with no tensor, graph node or call per op. For the
// networks the course trains one sample at a time (784-16-10 at batch 1: ~40k multiply-adds a step) the
// eager path spends ~25 us per step on dispatch; here a step is the arithmetic. The math is the same as
// the eager path's (ops/matmul.ts linear, the activations in exact float math as the TS loops of small
// layers, model/losses.ts; the update is elementwise.cc's sgd_f32 with optim/sgd.ts's coefficients): the fit loop
// checks the network qualifies (model/fused-mlp.ts) and test/fused-mlp.test.ts compares the two.
#include "mlp.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>
#include "activations.h"
#include "clones.h"
#include "gemm.h"

namespace neurona {

namespace {

thread_local std::vector<float> work;

inline float activate(int act, float z) {
  switch (act) {
    case 1:
      return z > 0.0f ? z : 0.0f;
    case 2:
      return static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(z))));
    case 3:
      return static_cast<float>(std::tanh(static_cast<double>(z)));
    default:
      return z;
  }
}

// d act / d z written with the activation's output a
inline float activation_grad(int act, float a) {
  switch (act) {
    case 1:
      return a > 0.0f ? 1.0f : 0.0f;
    case 2:
      return a * (1.0f - a);
    case 3:
      return 1.0f - a * a;
    default:
      return 1.0f;
  }
}

inline int argmax(const float* v, int n) {
  int best = 0;
  for (int j = 1; j < n; j++)
    if (v[j] > v[best]) best = j;
  return best;
}

constexpr float kEps = 1e-7f;  // Keras' clipping of probabilities in the cross-entropies

}  // namespace

NEURONA_CLONES
MlpEpochResult mlp_sgd_epoch(const MlpLayer* layers, int nLayers, const float* x, const float* y, const int32_t* labels, const int32_t* order, int n, int start,
                             int batches, int batchSize, int loss, int acc, const SgdCoefs& step, const SgdCoefs& first) {
  // plain SGD (no momentum buffers, no weight decay, not maximizing) updates each layer as soon as its
  // backward is done at batch size 1; anything else needs the whole batch's gradient first
  const bool plain = layers[0].bw == nullptr && step.weightDecay == 0.0f && step.sign == 1.0f && first.weightDecay == 0.0f && first.sign == 1.0f;
  MlpEpochResult res{0, 0.0, 0.0};
  // Workspace: per layer its output a_l and gradient d_l; one scratch row for Wᵀ·d; the gradient
  // accumulators of every weight and bias when a batch has more than one sample.
  size_t need = 0, maxWidth = 0, nParams = 0;
  for (int l = 0; l < nLayers; l++) {
    need += 2 * static_cast<size_t>(layers[l].out);
    maxWidth = std::max(maxWidth, static_cast<size_t>(std::max(layers[l].in, layers[l].out)));
    nParams += static_cast<size_t>(layers[l].out) * layers[l].in + layers[l].out;
  }
  need += maxWidth + (batchSize > 1 || !plain ? nParams : 0);
  if (work.size() < need) work.resize(need);
  std::vector<float*> a(nLayers), d(nLayers), gw(nLayers), gb(nLayers);
  float* p = work.data();
  for (int l = 0; l < nLayers; l++) {
    a[l] = p;
    p += layers[l].out;
    d[l] = p;
    p += layers[l].out;
  }
  float* scratch = p;
  p += maxWidth;
  for (int l = 0; l < nLayers && (batchSize > 1 || !plain); l++) {
    gw[l] = p;
    p += static_cast<size_t>(layers[l].out) * layers[l].in;
    gb[l] = p;
    p += layers[l].out;
  }
  const int inF = layers[0].in;
  const int outF = layers[nLayers - 1].out;
  const MlpLayer& last = layers[nLayers - 1];

  for (int bi = 0; bi < batches; bi++) {
    const int pos = start + bi * batchSize;
    if (pos >= n) break;
    const int bs = std::min(batchSize, n - pos);
    const bool direct = bs == 1 && plain;  // update each layer as soon as its backward is done (no accumulators)
    const SgdCoefs& h = bi == 0 ? first : step;
    const float lr = h.lr;
    if (!direct)
      for (int l = 0; l < nLayers; l++) {
        std::memset(gw[l], 0, sizeof(float) * static_cast<size_t>(layers[l].out) * layers[l].in);
        std::memset(gb[l], 0, sizeof(float) * layers[l].out);
      }
    double batchLoss = 0.0;
    for (int r = 0; r < bs; r++) {
      const int s = order[pos + r];
      const float* x0 = x + static_cast<size_t>(s) * inF;
      // forward
      for (int l = 0; l < nLayers; l++) {
        const MlpLayer& L = layers[l];
        const float* in = l == 0 ? x0 : a[l - 1];
        float* out = a[l];
        // four rows at a time: four independent sums (one chain would wait on the FMA latency every step)
        int j = 0;
        for (; j + 4 <= L.out; j += 4) {
          const float* w0 = L.w + static_cast<size_t>(j) * L.in;
          const float *w1 = w0 + L.in, *w2 = w1 + L.in, *w3 = w2 + L.in;
          float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
          for (int k = 0; k < L.in; k++) {
            const float v = in[k];
            s0 += w0[k] * v;
            s1 += w1[k] * v;
            s2 += w2[k] * v;
            s3 += w3[k] * v;
          }
          out[j] = (L.b ? L.b[j] : 0.0f) + s0;
          out[j + 1] = (L.b ? L.b[j + 1] : 0.0f) + s1;
          out[j + 2] = (L.b ? L.b[j + 2] : 0.0f) + s2;
          out[j + 3] = (L.b ? L.b[j + 3] : 0.0f) + s3;
        }
        for (; j < L.out; j++) {
          const float* wr = L.w + static_cast<size_t>(j) * L.in;
          float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
          for (int k = 0; k < L.in; k++) acc += wr[k] * in[k];
          out[j] = (L.b ? L.b[j] : 0.0f) + acc;
        }
        if (L.act == 4) {
          float mx = out[0];
          for (int j = 1; j < L.out; j++) mx = std::max(mx, out[j]);
          double sum = 0.0;
          for (int j = 0; j < L.out; j++) {
            const double e = std::exp(static_cast<double>(out[j]) - mx);
            out[j] = static_cast<float>(e);
            sum += e;
          }
          for (int j = 0; j < L.out; j++) out[j] = static_cast<float>(out[j] / sum);
        } else if (L.act != 0) {
          for (int j = 0; j < L.out; j++) out[j] = activate(L.act, out[j]);
        }
      }
      // loss and the gradient reaching the last layer's pre-activation, for the batch's mean loss
      const float* yp = a[nLayers - 1];
      float* dl = d[nLayers - 1];
      const float* yt = y ? y + static_cast<size_t>(s) * outF : nullptr;
      const double scale = 1.0 / bs;
      if (loss == kMlpMse) {
        double l2 = 0.0;
        for (int j = 0; j < outF; j++) {
          const float e = yp[j] - yt[j];
          l2 += static_cast<double>(e) * e;
          dl[j] = static_cast<float>(2.0 * e / outF * scale) * activation_grad(last.act, yp[j]);
        }
        batchLoss += l2 / outF;
      } else if (loss == kMlpBce) {
        // −[t·log(clip(p)) + (1 − t)·log(1 − clip(p))] averaged over the outputs, p clipped to [ε, 1 − ε]
        // as Keras does (no gradient where clipped); its gradient with respect to p, times the activation's
        double bce = 0.0;
        for (int j = 0; j < outF; j++) {
          const float t = yt[j];
          const float pc = std::min(std::max(yp[j], kEps), 1.0f - kEps);
          bce -= t * std::log(static_cast<double>(pc)) + (1.0 - t) * std::log(1.0 - static_cast<double>(pc));
          const bool inside = yp[j] >= kEps && yp[j] <= 1.0f - kEps;
          const double dp = inside ? (-static_cast<double>(t) / pc + (1.0 - t) / (1.0 - static_cast<double>(pc))) / outF : 0.0;
          dl[j] = static_cast<float>(dp * scale) * activation_grad(last.act, yp[j]);
        }
        batchLoss += bce / outF;
      } else {
        // softmax probabilities p against targets t (one-hot from a class index): with q_i = −t_i where
        // p_i lies inside Keras' clip [ε, 1−ε] (0 where clipped: no gradient there), the gradient of
        // −Σ t·log(clip(p)) with respect to the softmax's input is q − p·Σq (= p − t when nothing is clipped)
        const int label = loss == kMlpSparseCce ? labels[s] : -1;
        double ce = 0.0, qs = 0.0;
        for (int j = 0; j < outF; j++) {
          const float t = label >= 0 ? (j == label ? 1.0f : 0.0f) : yt[j];
          const float pc = std::min(std::max(yp[j], kEps), 1.0f - kEps);
          if (t != 0.0f) ce -= t * std::log(static_cast<double>(pc));
          const float q = yp[j] >= kEps && yp[j] <= 1.0f - kEps ? -t : 0.0f;
          scratch[j] = q;
          qs += q;
        }
        for (int j = 0; j < outF; j++) dl[j] = static_cast<float>((scratch[j] - yp[j] * qs) * scale);
        batchLoss += ce;
      }
      if (acc == kAccCategorical) {
        res.correct += argmax(yp, outF) == argmax(yt, outF) ? 1.0 : 0.0;
      } else if (acc == kAccSparse) {
        res.correct += argmax(yp, outF) == labels[s] ? 1.0 : 0.0;
      } else if (acc == kAccBinary) {
        for (int j = 0; j < outF; j++) res.correct += (yp[j] > 0.5f) == (yt[j] > 0.5f) ? 1.0 : 0.0;
      }
      // backward
      for (int l = nLayers - 1; l >= 0; l--) {
        const MlpLayer& L = layers[l];
        const float* in = l == 0 ? x0 : a[l - 1];
        const float* dj = d[l];
        if (l > 0) {
          // the gradient reaching the previous layer's output, Wᵀ·d, with this layer's weights before their update
          std::fill(scratch, scratch + L.in, 0.0f);
          for (int j = 0; j < L.out; j++) {
            const float dv = dj[j];
            const float* wr = L.w + static_cast<size_t>(j) * L.in;
#pragma omp simd
            for (int k = 0; k < L.in; k++) scratch[k] += dv * wr[k];
          }
          const int pa = layers[l - 1].act;
          float* dp = d[l - 1];
          const float* ap = a[l - 1];
          for (int k = 0; k < L.in; k++) dp[k] = scratch[k] * activation_grad(pa, ap[k]);
        }
        if (direct) {
          for (int j = 0; j < L.out; j++) {
            const float dv = dj[j];
            float* wr = L.w + static_cast<size_t>(j) * L.in;
#pragma omp simd
            for (int k = 0; k < L.in; k++) wr[k] -= lr * (dv * in[k]);
            if (L.b) L.b[j] -= lr * dv;
          }
        } else {
          for (int j = 0; j < L.out; j++) {
            const float dv = dj[j];
            float* gr = gw[l] + static_cast<size_t>(j) * L.in;
#pragma omp simd
            for (int k = 0; k < L.in; k++) gr[k] += dv * in[k];
            gb[l][j] += dv;
          }
        }
      }
    }
    if (!direct)
      for (int l = 0; l < nLayers; l++) {
        const MlpLayer& L = layers[l];
        sgd_f32(L.w, gw[l], L.bw, static_cast<size_t>(L.out) * L.in, h);
        if (L.b) sgd_f32(L.b, gb[l], L.bb, static_cast<size_t>(L.out), h);
      }
    res.batches++;
    res.lossSum += batchLoss;  // the batch's mean loss times its size
    if (!std::isfinite(batchLoss)) break;
  }
  return res;
}

}  // namespace neurona

namespace neurona {

namespace {

// How a layer's product is taken: sgemm on W itself, a block of rows through the packed W on the
// calling thread (inside the many-rows path's pool tasks), or GEMVs over the packed W split over the
// threads (a few rows: whole pairs of panels per chunk, the kernel's unit, one chunk per thread when the
// layer is big enough for a second thread to pay (kSplitGemvMacs, as sgemm's few-rows split); each thread takes the same
// panels every call, so each core's share of the weights stays in its L2).
enum class Product { kSgemm, kPackedBlock, kPackedGemv };

// One layer of inference on rows [0, R) of `in`: dst = act(in·Wᵀ + b). Every product takes the bias and
// a ReLU as its epilogue (gemm.h), on the tiles or columns it has just written (W5's batch of 1000: a
// bias copy before the product and a ReLU pass after it were 5% of its samples in perf); sigmoid and
// tanh are a pass after it.
void forward_layer(const MlpLayer& L, const float* in, size_t R, float* dst, Product how, const PackedB* pw) {
  const int rows = static_cast<int>(R);
  const Epilogue epi{L.b, L.act == 1};
  if (how == Product::kSgemm) {
    sgemm(rows, L.out, L.in, in, L.in, false, L.w, L.in, true, dst, L.out, false, epi);
  } else if (how == Product::kPackedBlock) {
    sgemm_packed_serial(rows, in, L.in, *pw, dst, L.out, false, epi);
  } else {
    const int NR = packed_panel_width(), pairs = (L.out + 2 * NR - 1) / (2 * NR);
    const int chunks = static_cast<double>(R) * L.out * L.in >= kSplitGemvMacs ? std::min(num_threads(), pairs) : 1;
    parallel_run(chunks, [&](int id) { gemv_packed(rows, in, L.in, *pw, pairs * id / chunks * 2 * NR, pairs * (id + 1) / chunks * 2 * NR, dst, L.out, false, epi); });
  }
  if (L.act == 2 || L.act == 3) unary_f32(L.act == 2 ? kSigmoid : kTanh, dst, dst, R * static_cast<size_t>(L.out));
}

// Rows per block of the many-rows path (a multiple of both micro-kernels' MR, 6 and 14), and the rows
// from which it is taken. W1's network, interleaved runs: 1000 rows 3.2-3.3 ms against 3.25-3.6 layer
// after layer (the three products alone 3.1-3.2), 10,000 rows 31-32 ms against 40-41; below ~500 rows
// the two are equal within the noise (blocks of 42 rows no better at 168-512 rows).
constexpr int kForwardBlock = 126;
constexpr int kForwardBlockedRows = 4 * kForwardBlock;
// Rows below which a caller's packed weights are read as GEMVs (sgemm's own few-rows bound).
constexpr int kPackedGemvRows = 4;

bool packing_fits(const PackedB& p, int in, int out) { return packed_current(p) && p.k == in && p.n == out; }

}  // namespace

// Inference composed of the eager path's own kernels (gemm.cc's sgemm, activations.cc's unary_f32) in
// one call. A few rows go layer after layer, each product split over the threads (the weights are the
// traffic: each core reads its half). Many rows go depth first: every weight matrix is packed once,
// then blocks of rows are handed to the threads, and each block passes through all the layers while its
// activations are in cache, the bias and activation applied to a layer's block right after its product
// (no pass over a batch-sized array, no batch-sized intermediate).
//
// With `packed` (one PackedB per layer, kept by the caller between calls) the weights are packed only
// when `repack` says they changed (or the micro-kernel family did), and 1-3 rows read the packed panels
// as GEMVs (gemv_packed: one stream per panel, twice the bandwidth of dot products over W's rows).
void mlp_forward(const MlpLayer* layers, int nLayers, const float* x, int rows, float* out, PackedB* packed, bool repack) {
  size_t widest = 0;
  for (int l = 0; l + 1 < nLayers; l++) widest = std::max(widest, static_cast<size_t>(layers[l].out));
  const bool fewRows = rows < kForwardBlockedRows;
  // Weights that changed make the caller's packing stale even where this call does not read it (4-503
  // rows): the next call that does packs them again.
  if (packed && repack)
    for (int l = 0; l < nLayers; l++) packed[l].isa = nullptr;
  const bool usePacking = !fewRows || (packed && rows < kPackedGemvRows);
  if (usePacking) {
    // (through a pointer: inside the lambdas, the name of a thread_local is the running thread's own)
    thread_local std::vector<PackedB> packedOfCaller;
    if (!packed) {
      if (packedOfCaller.size() < static_cast<size_t>(nLayers)) packedOfCaller.resize(nLayers);
      packed = packedOfCaller.data();
      repack = true;
    }
    bool stale = repack;
    for (int l = 0; l < nLayers && !stale; l++) stale = !packing_fits(packed[l], layers[l].in, layers[l].out);
    if (stale) parallel_run(nLayers, [&](int l) { pack_b_whole(layers[l].in, layers[l].out, layers[l].w, layers[l].in, true, packed[l]); });
  }
  if (fewRows) {
    thread_local std::vector<float> hidden;
    const size_t R = static_cast<size_t>(rows);
    if (hidden.size() < 2 * R * widest) hidden.resize(2 * R * widest);
    const float* in = x;
    for (int l = 0; l < nLayers; l++) {
      float* dst = l == nLayers - 1 ? out : hidden.data() + static_cast<size_t>(l % 2) * R * widest;
      forward_layer(layers[l], in, R, dst, usePacking ? Product::kPackedGemv : Product::kSgemm, usePacking ? &packed[l] : nullptr);
      in = dst;
    }
    return;
  }
  const int blocks = (rows + kForwardBlock - 1) / kForwardBlock;
  const size_t in0 = static_cast<size_t>(layers[0].in), outL = static_cast<size_t>(layers[nLayers - 1].out);
  parallel_run(blocks, [&](int blk) {
    thread_local std::vector<float> hidden;
    if (hidden.size() < 2 * kForwardBlock * widest) hidden.resize(2 * kForwardBlock * widest);
    const size_t r0 = static_cast<size_t>(blk) * kForwardBlock, R = std::min<size_t>(kForwardBlock, rows - r0);
    const float* in = x + r0 * in0;
    for (int l = 0; l < nLayers; l++) {
      float* dst = l == nLayers - 1 ? out + r0 * outL : hidden.data() + static_cast<size_t>(l % 2) * kForwardBlock * widest;
      forward_layer(layers[l], in, R, dst, Product::kPackedBlock, &packed[l]);
      in = dst;
    }
  });
}

bool mlp_forward_reads_packing_only(const MlpLayer* layers, int nLayers, int rows, const PackedB* packed) {
  if (rows >= kPackedGemvRows && rows < kForwardBlockedRows) return false;
  for (int l = 0; l < nLayers; l++)
    if (!packing_fits(packed[l], layers[l].in, layers[l].out)) return false;
  return true;
}

}  // namespace neurona
