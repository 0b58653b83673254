// Activations and the LSTM gate math over float32 arrays, vectorised by the compiler (GCC's
// target_clones: AVX-512, AVX2, baseline). exp is computed by range reduction and a degree-6 Taylor
// polynomial (relative error ~2e-7, about 1-2 float32 ulps), so loops with it vectorise.
#include "clones.h"
#include <cmath>
#include <cstdint>
#include <cstring>
#include "activations.h"

namespace neurona {

namespace {

__attribute__((always_inline)) inline float fast_exp(float x) {
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  const float n = std::floor(x * 1.44269504088896341f + 0.5f);
  const float r = (x - n * 0.693145751953125f) - n * 1.42860682030941723212e-6f;
  const float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666666666666667f + r * (0.0416666666666666667f + r * (0.00833333333333333333f + r * 0.00138888888888888889f)))));
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

__attribute__((always_inline)) inline float fast_sigmoid(float x) { return 1.0f / (1.0f + fast_exp(-x)); }

__attribute__((always_inline)) inline float fast_tanh(float x) {
  const float ax = std::fabs(x);
  const float x2 = x * x;
  // small |x|: odd Taylor series (no cancellation); else 1 - 2/(e^{2|x|} + 1) with the sign put back
  const float small = x * (1.0f + x2 * (-0.333333333333f + x2 * (0.133333333333f + x2 * -0.0539682539683f)));
  const float big = 1.0f - 2.0f / (fast_exp(2.0f * ax) + 1.0f);
  return ax < 0.125f ? small : std::copysign(big, x);
}

}  // namespace

NEURONA_CLONES
void unary_f32(int code, const float* __restrict x, float* __restrict out, size_t n) {
  switch (code) {
    case kRelu:
      for (size_t i = 0; i < n; i++) out[i] = x[i] > 0.0f ? x[i] : 0.0f;
      break;
    case kSigmoid:
      for (size_t i = 0; i < n; i++) out[i] = fast_sigmoid(x[i]);
      break;
    case kTanh:
      for (size_t i = 0; i < n; i++) out[i] = fast_tanh(x[i]);
      break;
    case kExp:
      for (size_t i = 0; i < n; i++) out[i] = fast_exp(x[i]);
      break;
    default:
      break;
  }
}

NEURONA_CLONES
void unary_grad_f32(int code, const float* __restrict x, const float* __restrict y, const float* __restrict g, float* __restrict out, size_t n) {
  switch (code) {
    case kRelu:
      for (size_t i = 0; i < n; i++) out[i] = x[i] > 0.0f ? g[i] : 0.0f;
      break;
    case kSigmoid:
      for (size_t i = 0; i < n; i++) out[i] = g[i] * y[i] * (1.0f - y[i]);
      break;
    case kTanh:
      for (size_t i = 0; i < n; i++) out[i] = g[i] * (1.0f - y[i] * y[i]);
      break;
    case kExp:
      for (size_t i = 0; i < n; i++) out[i] = g[i] * y[i];
      break;
    default:
      break;
  }
}

namespace {

// One batch row of the LSTM gate math, as unit-stride streams (restrict parameters, so that the loop
// vectorises once inlined into each clone). With Add, each gate's pre-activation is the sum of two
// streams (the input projection and h·W_hhᵀ of a sequence's step; no summed copy in memory).
template <bool Add>
__attribute__((always_inline)) inline void lstm_row(const float* __restrict gi, const float* __restrict gf, const float* __restrict gg, const float* __restrict go,
                                                    const float* __restrict hi, const float* __restrict hf, const float* __restrict hg, const float* __restrict ho,
                                                    const float* __restrict cr, float* __restrict oh, float* __restrict oc, float* __restrict ai,
                                                    float* __restrict af, float* __restrict ag, float* __restrict ao, float* __restrict at, size_t n) {
  for (size_t j = 0; j < n; j++) {
    const float i = fast_sigmoid(Add ? gi[j] + hi[j] : gi[j]);
    const float f = fast_sigmoid(Add ? gf[j] + hf[j] : gf[j]);
    const float g = fast_tanh(Add ? gg[j] + hg[j] : gg[j]);
    const float o = fast_sigmoid(Add ? go[j] + ho[j] : go[j]);
    const float c2 = f * cr[j] + i * g;
    const float tc = fast_tanh(c2);
    oh[j] = o * tc;
    oc[j] = c2;
    ai[j] = i;
    af[j] = f;
    ag[j] = g;
    ao[j] = o;
    at[j] = tc;
  }
}

// With Carry, the gradient reaching (h', c') is grad plus the carried (hh, hc) that flowed back from the
// next step (an lstmSequence's backward; no temporary sum in memory).
template <bool Carry>
__attribute__((always_inline)) inline void lstm_grad_row(const float* __restrict ai, const float* __restrict af, const float* __restrict ag, const float* __restrict ao,
                                                         const float* __restrict at, const float* __restrict gh, const float* __restrict gc, const float* __restrict hh,
                                                         const float* __restrict hc, const float* __restrict cr, float* __restrict di, float* __restrict df,
                                                         float* __restrict dg, float* __restrict dO, float* __restrict dc, size_t n) {
  for (size_t j = 0; j < n; j++) {
    const float i = ai[j], f = af[j], g = ag[j], o = ao[j], tc = at[j];
    const float dh = Carry ? gh[j] + hh[j] : gh[j];
    const float dcj = (Carry ? gc[j] + hc[j] : gc[j]) + dh * o * (1.0f - tc * tc);
    di[j] = dcj * g * i * (1.0f - i);
    df[j] = dcj * cr[j] * f * (1.0f - f);
    dg[j] = dcj * i * (1.0f - g * g);
    dO[j] = dh * tc * o * (1.0f - o);
    dc[j] = dcj * f;
  }
}

}  // namespace

NEURONA_CLONES
void lstm_gates_f32(const float* __restrict gates, const float* __restrict add, const float* __restrict c, size_t ldc, float* __restrict out, float* __restrict act, int b, int h) {
  const size_t H = static_cast<size_t>(h);
  for (size_t r = 0; r < static_cast<size_t>(b); r++) {
    const float* g = gates + r * 4 * H;
    float* o = out + r * 2 * H;
    float* a = act + r * 5 * H;
    if (add != nullptr) {
      const float* x = add + r * 4 * H;
      lstm_row<true>(g, g + H, g + 2 * H, g + 3 * H, x, x + H, x + 2 * H, x + 3 * H, c + r * ldc, o, o + H, a, a + H, a + 2 * H, a + 3 * H, a + 4 * H, H);
    } else {
      lstm_row<false>(g, g + H, g + 2 * H, g + 3 * H, nullptr, nullptr, nullptr, nullptr, c + r * ldc, o, o + H, a, a + H, a + 2 * H, a + 3 * H, a + 4 * H, H);
    }
  }
}

NEURONA_CLONES
void lstm_gates_grad_f32(const float* __restrict grad, const float* __restrict dhIn, const float* __restrict dcIn, const float* __restrict c, size_t ldc, const float* __restrict act,
                         float* __restrict dGates, float* __restrict dC, int b, int h) {
  const size_t H = static_cast<size_t>(h);
  for (size_t r = 0; r < static_cast<size_t>(b); r++) {
    const float* a = act + r * 5 * H;
    const float* g = grad + r * 2 * H;
    float* d = dGates + r * 4 * H;
    if (dhIn != nullptr)
      lstm_grad_row<true>(a, a + H, a + 2 * H, a + 3 * H, a + 4 * H, g, g + H, dhIn + r * H, dcIn + r * H, c + r * ldc, d, d + H, d + 2 * H, d + 3 * H, dC + r * H, H);
    else
      lstm_grad_row<false>(a, a + H, a + 2 * H, a + 3 * H, a + 4 * H, g, g + H, nullptr, nullptr, c + r * ldc, d, d + H, d + 2 * H, d + 3 * H, dC + r * H, H);
  }
}

}  // namespace neurona
