// Fused optimizer updates over float32 arrays, compiled for AVX-512, AVX2 and a portable baseline
// (GCC's target_clones picks one at load time by CPU features).
#include "clones.h"
#include <cmath>
#include <cstddef>
#include "elementwise.h"

namespace neurona {

NEURONA_CLONES
void adam_f32(float* __restrict param, const float* __restrict grad, float* __restrict m, float* __restrict v, float* __restrict vmax, size_t n,
              const AdamCoefs& h) {
  const float sign = h.sign, l2 = h.l2, decay = h.decay, b1 = h.b1, b2 = h.b2, c1 = h.c1, c2 = h.c2, stepSize = h.stepSize, invBc2Sqrt = h.invBc2Sqrt,
              eps = h.eps;
  if (!vmax) {
    for (size_t i = 0; i < n; i++) {
      const float p = param[i];
      const float g = sign * grad[i] + l2 * p;
      const float mi = b1 * m[i] + c1 * g;
      const float vi = b2 * v[i] + c2 * g * g;
      m[i] = mi;
      v[i] = vi;
      param[i] = p * decay - (stepSize * mi) / (std::sqrt(vi) * invBc2Sqrt + eps);
    }
    return;
  }
  for (size_t i = 0; i < n; i++) {
    const float p = param[i];
    const float g = sign * grad[i] + l2 * p;
    const float mi = b1 * m[i] + c1 * g;
    const float vi = b2 * v[i] + c2 * g * g;
    const float vm = vmax[i] > vi ? vmax[i] : vi;
    m[i] = mi;
    v[i] = vi;
    vmax[i] = vm;
    param[i] = p * decay - (stepSize * mi) / (std::sqrt(vm) * invBc2Sqrt + eps);
  }
}

NEURONA_CLONES
void sgd_f32(float* __restrict param, const float* __restrict grad, float* __restrict buf, size_t n, const SgdCoefs& h) {
  const float sign = h.sign, wd = h.weightDecay, lr = h.lr, bm = h.bm, bg = h.bg, cg = h.cg, cb = h.cb;
  if (!buf) {
    for (size_t i = 0; i < n; i++) param[i] -= lr * (sign * grad[i] + wd * param[i]);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    const float p = param[i];
    const float g = sign * grad[i] + wd * p;
    const float b = bm * buf[i] + bg * g;
    buf[i] = b;
    param[i] = p - lr * (cg * g + cb * b);
  }
}

NEURONA_CLONES
double sumsq_f32(const float* __restrict x, size_t n) {
  // float partial sums in blocks (vectorised), accumulated in double across blocks
  double total = 0.0;
  for (size_t i0 = 0; i0 < n; i0 += 4096) {
    const size_t i1 = i0 + 4096 < n ? i0 + 4096 : n;
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (size_t i = i0; i < i1; i++) s += x[i] * x[i];
    total += s;
  }
  return total;
}

NEURONA_CLONES
void sum_axis_f32(const float* __restrict x, size_t outer, size_t r, size_t inner, float* __restrict out, double* __restrict acc) {
  for (size_t o = 0; o < outer; o++) {
    const float* xo = x + o * r * inner;
    if (inner == 1) {
      double s = 0.0;
#pragma omp simd reduction(+ : s)
      for (size_t j = 0; j < r; j++) s += xo[j];
      out[o] = static_cast<float>(s);
      continue;
    }
    for (size_t i = 0; i < inner; i++) acc[i] = 0.0;
    for (size_t j = 0; j < r; j++) {
      const float* row = xo + j * inner;
      for (size_t i = 0; i < inner; i++) acc[i] += row[i];
    }
    float* oo = out + o * inner;
    for (size_t i = 0; i < inner; i++) oo[i] = static_cast<float>(acc[i]);
  }
}

}  // namespace neurona
