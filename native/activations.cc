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

inline float fast_exp(float x) {
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  const float n = std::floor(x * 1.44269504088896341f + 0.5f);
  const float r = (x - n * 0.693145751953125f) - n * 1.42860682030941723212e-6f;
  const float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666666666666667f + r * (0.0416666666666666667f + r * (0.00833333333333333333f + r * 0.00138888888888888889f)))));
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

inline float fast_sigmoid(float x) { return 1.0f / (1.0f + fast_exp(-x)); }

inline float fast_tanh(float x) {
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

NEURONA_CLONES
void lstm_gates_f32(const float* __restrict gates, const float* __restrict c, float* __restrict out, float* __restrict act, int b, int h) {
  for (int r = 0; r < b; r++) {
    const float* gr = gates + static_cast<size_t>(r) * 4 * h;
    const float* cr = c + static_cast<size_t>(r) * h;
    float* orow = out + static_cast<size_t>(r) * 2 * h;
    float* ar = act + static_cast<size_t>(r) * 5 * h;
    for (int j = 0; j < h; j++) {
      const float i = fast_sigmoid(gr[j]);
      const float f = fast_sigmoid(gr[h + j]);
      const float g = fast_tanh(gr[2 * h + j]);
      const float o = fast_sigmoid(gr[3 * h + j]);
      const float c2 = f * cr[j] + i * g;
      const float tc = fast_tanh(c2);
      orow[j] = o * tc;
      orow[h + j] = c2;
      ar[j] = i;
      ar[h + j] = f;
      ar[2 * h + j] = g;
      ar[3 * h + j] = o;
      ar[4 * h + j] = tc;
    }
  }
}

NEURONA_CLONES
void lstm_gates_grad_f32(const float* __restrict grad, const float* __restrict c, const float* __restrict act, float* __restrict dGates, float* __restrict dC, int b, int h) {
  for (int r = 0; r < b; r++) {
    const float* ar = act + static_cast<size_t>(r) * 5 * h;
    const float* gr = grad + static_cast<size_t>(r) * 2 * h;
    const float* cr = c + static_cast<size_t>(r) * h;
    float* dg = dGates + static_cast<size_t>(r) * 4 * h;
    float* dc = dC + static_cast<size_t>(r) * h;
    for (int j = 0; j < h; j++) {
      const float i = ar[j], f = ar[h + j], g = ar[2 * h + j], o = ar[3 * h + j], tc = ar[4 * h + j];
      const float dh = gr[j];
      const float dcj = gr[h + j] + dh * o * (1.0f - tc * tc);
      dg[j] = dcj * g * i * (1.0f - i);
      dg[h + j] = dcj * cr[j] * f * (1.0f - f);
      dg[2 * h + j] = dcj * i * (1.0f - g * g);
      dg[3 * h + j] = dh * tc * o * (1.0f - o);
      dc[j] = dcj * f;
    }
  }
}

}  // namespace neurona
