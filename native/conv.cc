// im2col / col2im for float32 NCHW images (one sample, one channel group at a time): the column matrix
// [C*kh*kw, ho*wo] that turns a convolution into a GEMM, and its adjoint (scatter-add back to the image).
#include <algorithm>
#include <cstring>
#include "conv.h"

namespace neurona {
namespace {

// Output columns ox whose input column ox*sw + shift lies inside [0, w).
inline void in_image(int shift, int s, int w, int wo, int& lo, int& hi) {
  int l = shift >= 0 ? 0 : (-shift + s - 1) / s;
  l = std::min(wo, std::max(0, l));
  int h = (w - 1 - shift) < 0 ? 0 : (w - 1 - shift) / s + 1;
  h = std::max(l, std::min(wo, h));
  lo = l;
  hi = h;
}

}  // namespace

void im2col_f32(const float* x, const ConvGeom& g, float* cols) {
  const size_t plane = static_cast<size_t>(g.ho) * g.wo;
  size_t r = 0;
  for (int ci = 0; ci < g.c; ci++) {
    for (int i = 0; i < g.kh; i++) {
      for (int j = 0; j < g.kw; j++, r++) {
        const int shift = j * g.dw - g.pl;
        int lo, hi;
        in_image(shift, g.sw, g.w, g.wo, lo, hi);
        float* rowBase = cols + r * plane;
        for (int oy = 0; oy < g.ho; oy++) {
          const int iy = oy * g.sh - g.pt + i * g.dh;
          float* ob = rowBase + static_cast<size_t>(oy) * g.wo;
          if (iy < 0 || iy >= g.h) {
            std::memset(ob, 0, sizeof(float) * g.wo);
            continue;
          }
          const float* ib = x + (static_cast<size_t>(ci) * g.h + iy) * g.w;
          for (int ox = 0; ox < lo; ox++) ob[ox] = 0.0f;
          if (g.sw == 1) {
            std::memcpy(ob + lo, ib + lo + shift, sizeof(float) * (hi - lo));
          } else {
            for (int ox = lo, ix = lo * g.sw + shift; ox < hi; ox++, ix += g.sw) ob[ox] = ib[ix];
          }
          for (int ox = hi; ox < g.wo; ox++) ob[ox] = 0.0f;
        }
      }
    }
  }
}

void col2im_f32(const float* cols, const ConvGeom& g, float* dx) {
  const size_t plane = static_cast<size_t>(g.ho) * g.wo;
  size_t r = 0;
  for (int ci = 0; ci < g.c; ci++) {
    for (int i = 0; i < g.kh; i++) {
      for (int j = 0; j < g.kw; j++, r++) {
        const int shift = j * g.dw - g.pl;
        int lo, hi;
        in_image(shift, g.sw, g.w, g.wo, lo, hi);
        const float* rowBase = cols + r * plane;
        for (int oy = 0; oy < g.ho; oy++) {
          const int iy = oy * g.sh - g.pt + i * g.dh;
          if (iy < 0 || iy >= g.h) continue;
          float* ib = dx + (static_cast<size_t>(ci) * g.h + iy) * g.w;
          const float* ob = rowBase + static_cast<size_t>(oy) * g.wo;
          for (int ox = lo, ix = lo * g.sw + shift; ox < hi; ox++, ix += g.sw) ib[ix] += ob[ox];
        }
      }
    }
  }
}

}  // namespace neurona
