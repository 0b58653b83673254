// im2col / col2im for float32 NCHW images (one sample, one channel group at a time): the column matrix
// [C*kh*kw, ho*wo] that turns a convolution into a GEMM, and its adjoint (scatter-add back to the image).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>
#include "clones.h"
#include "activations.h"
#include "conv.h"
#include "elementwise.h"
#include "gemm.h"

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

NEURONA_CLONES
void im2col_rows_f32(const float* x, const ConvGeom& g, int oy0, int oy1, float* cols) {
  const size_t plane = static_cast<size_t>(oy1 - oy0) * g.wo;
  size_t r = 0;
  for (int ci = 0; ci < g.c; ci++) {
    for (int i = 0; i < g.kh; i++) {
      for (int j = 0; j < g.kw; j++, r++) {
        const int shift = j * g.dw - g.pl;
        int lo, hi;
        in_image(shift, g.sw, g.w, g.wo, lo, hi);
        float* rowBase = cols + r * plane;
        for (int oy = oy0; oy < oy1; oy++) {
          const int iy = oy * g.sh - g.pt + i * g.dh;
          float* ob = rowBase + static_cast<size_t>(oy - oy0) * g.wo;
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

void im2col_f32(const float* x, const ConvGeom& g, float* cols) { im2col_rows_f32(x, g, 0, g.ho, cols); }

NEURONA_CLONES
void col2im_rows_f32(const float* cols, const ConvGeom& g, int oy0, int oy1, float* dx) {
  const size_t plane = static_cast<size_t>(oy1 - oy0) * g.wo;
  size_t r = 0;
  for (int ci = 0; ci < g.c; ci++) {
    for (int i = 0; i < g.kh; i++) {
      for (int j = 0; j < g.kw; j++, r++) {
        const int shift = j * g.dw - g.pl;
        int lo, hi;
        in_image(shift, g.sw, g.w, g.wo, lo, hi);
        const float* rowBase = cols + r * plane;
        for (int oy = oy0; oy < oy1; oy++) {
          const int iy = oy * g.sh - g.pt + i * g.dh;
          if (iy < 0 || iy >= g.h) continue;
          float* ib = dx + (static_cast<size_t>(ci) * g.h + iy) * g.w;
          const float* ob = rowBase + static_cast<size_t>(oy - oy0) * g.wo;
          for (int ox = lo, ix = lo * g.sw + shift; ox < hi; ox++, ix += g.sw) ib[ix] += ob[ox];
        }
      }
    }
  }
}

void col2im_f32(const float* cols, const ConvGeom& g, float* dx) { col2im_rows_f32(cols, g, 0, g.ho, dx); }

namespace {
thread_local std::vector<float> colsA, colsB, gradA, sumsA;

float* scratch(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

// One conv's sizes per group: out channels og, output plane ohw, columns per output position ckk, input
// image img, and the output rows per band of columns. A band's columns stay within 2^20 floats (~4 MB, a
// thread's share of the caches), so a large image never needs its whole column matrix (ckk x ho*wo
// floats: 115 MB for 64 channels at 224x224).
struct ConvSizes {
  int og, band;
  size_t ohw, ckk, img, bandLen;
  ConvSizes(const ConvGeom& g, int groups, int o)
      : og(o / groups), ohw(static_cast<size_t>(g.ho) * g.wo), ckk(static_cast<size_t>(g.c) * g.kh * g.kw), img(static_cast<size_t>(g.c) * g.h * g.w) {
    band = static_cast<int>(std::max<size_t>(1, std::min<size_t>(g.ho, (size_t{1} << 20) / std::max<size_t>(1, ckk * g.wo))));
    bandLen = ckk * std::min<size_t>(ohw, static_cast<size_t>(band) * g.wo);
  }
};
}  // namespace

void conv2d_forward_f32(const float* x, const float* w, const float* bias, float* out, int n, int groups, int o, const ConvGeom& g, int act) {
  if (n <= 0) return;
  const ConvSizes z(g, groups, o);
  const int og = z.og, band = z.band;
  const size_t ohw = z.ohw, ckk = z.ckk, img = z.img;
  // One sample per chunk: each thread makes its own columns (in its own cache) and runs a one-thread
  // GEMM on them, a band of output rows at a time.
  parallel_run(n, [&](int s) {
    float* cols = scratch(colsA, z.bandLen);
    float* os = out + static_cast<size_t>(s) * o * ohw;
    if (bias)
      for (int oc = 0; oc < o; oc++) std::fill(os + oc * ohw, os + (oc + 1) * ohw, bias[oc]);
    for (int gi = 0; gi < groups; gi++) {
      for (int oy0 = 0; oy0 < g.ho; oy0 += band) {
        const int oy1 = std::min(g.ho, oy0 + band), cn = (oy1 - oy0) * g.wo;
        im2col_rows_f32(x + (static_cast<size_t>(s) * groups + gi) * img, g, oy0, oy1, cols);
        sgemm_serial(og, cn, static_cast<int>(ckk), w + gi * og * ckk, static_cast<int>(ckk), false, cols, cn, false,
                     os + gi * og * ohw + static_cast<size_t>(oy0) * g.wo, static_cast<int>(ohw), bias != nullptr);
      }
    }
    // the fused activation while the sample's output is still in this core's cache
    if (act >= 0) unary_f32(act, os, os, static_cast<size_t>(o) * ohw);
  });
}

void conv2d_backward_f32(const float* x, const float* w, const float* gy, float* dx, float* dw, int n, int groups, int o, const ConvGeom& g, int act, const float* y,
                         float* db) {
  const ConvSizes z(g, groups, o);
  const int og = z.og, band = z.band;
  const size_t ohw = z.ohw, ckk = z.ckk, img = z.img, wlen = static_cast<size_t>(o) * ckk;
  const size_t blen = db ? static_cast<size_t>(o) : 0, plen = (dw ? wlen : 0) + blen;
  // The weight (and bias) gradients sum over samples: each part of the batch sums into its own buffer
  // (part 0 into dw and db), added up in part order at the end. The parts do not depend on the thread
  // count up to 4, so neither do the numbers.
  const int parts = std::max(1, std::min(n, std::max(4, num_threads())));
  // (not zero-initialised here: each part zeroes its own buffer below)
  std::unique_ptr<float[]> partial(plen && parts > 1 ? new float[(parts - 1) * plen] : nullptr);
  parallel_run(parts, [&](int id) {
    float* own = id == 0 ? nullptr : partial.get() + (id - 1) * plen;
    float* dwp = dw ? (id == 0 ? dw : own) : nullptr;
    float* dbp = db ? (id == 0 ? db : own + (dw ? wlen : 0)) : nullptr;
    if (dwp) std::fill(dwp, dwp + wlen, 0.0f);
    if (dbp) std::fill(dbp, dbp + blen, 0.0f);
    for (int s = n * id / parts; s < n * (id + 1) / parts; s++) {
      // the gradient reaching this sample's output, through the fused activation first (its derivative
      // from the saved output y; relu's y > 0 exactly where its input is) while it is in cache
      const float* gs = gy + static_cast<size_t>(s) * o * ohw;
      if (act >= 0) {
        float* ga = scratch(gradA, static_cast<size_t>(o) * ohw);
        const float* ys = y + static_cast<size_t>(s) * o * ohw;
        unary_grad_f32(act, ys, ys, gs, ga, static_cast<size_t>(o) * ohw);
        gs = ga;
      }
      if (dbp) {
        // this sample's channel sums (elementwise.cc's sum over an axis, in double), onto the part's
        float* sums = scratch(sumsA, static_cast<size_t>(o));
        sum_axis_f32(gs, static_cast<size_t>(o), ohw, 1, sums, nullptr);
        for (int oc = 0; oc < o; oc++) dbp[oc] += sums[oc];
      }
      for (int gi = 0; gi < groups; gi++) {
        const size_t xo = (static_cast<size_t>(s) * groups + gi) * img;
        for (int oy0 = 0; oy0 < g.ho; oy0 += band) {
          const int oy1 = std::min(g.ho, oy0 + band), cn = (oy1 - oy0) * g.wo;
          // this band's columns of dY_g [og, ohw]
          const float* gys = gs + gi * og * ohw + static_cast<size_t>(oy0) * g.wo;
          if (dwp) {
            // dW_g += dY_g [og, cn] · cols^T [cn, ckk]
            float* cols = scratch(colsA, z.bandLen);
            im2col_rows_f32(x + xo, g, oy0, oy1, cols);
            sgemm_serial(og, static_cast<int>(ckk), cn, gys, static_cast<int>(ohw), false, cols, cn, true, dwp + gi * og * ckk, static_cast<int>(ckk), true);
          }
          if (dx) {
            // dcols = W_g^T [ckk, og] · dY_g [og, cn], scattered back into the image
            float* dcols = scratch(colsB, z.bandLen);
            sgemm_serial(static_cast<int>(ckk), cn, og, w + gi * og * ckk, static_cast<int>(ckk), true, gys, static_cast<int>(ohw), false, dcols, cn, false);
            col2im_rows_f32(dcols, g, oy0, oy1, dx + xo);
          }
        }
      }
    }
  });
  for (int id = 1; plen && id < parts; id++) {
    const float* src = partial.get() + (id - 1) * plen;
    if (dw)
      for (size_t i = 0; i < wlen; i++) dw[i] += src[i];
    if (db)
      for (size_t i = 0; i < blen; i++) db[i] += src[(dw ? wlen : 0) + i];
  }
}

}  // namespace neurona

namespace neurona {

void max_pool2d_f32(const float* x, float* out, int32_t* arg, int p0, int p1, const PoolGeom& g) {
  size_t o = static_cast<size_t>(p0) * g.ho * g.wo;
  if (g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0) {
    // The common 2x2 / stride 2 case, every window inside the image: four loads and three selects.
    for (int p = p0; p < p1; p++) {
      const size_t base = static_cast<size_t>(p) * g.h * g.w;
      for (int oy = 0; oy < g.ho; oy++) {
        const size_t r0 = base + static_cast<size_t>(2 * oy) * g.w, r1 = r0 + g.w;
        for (int ox = 0; ox < g.wo; ox++, o++) {
          const size_t i00 = r0 + 2 * ox;
          const size_t idx[4] = {i00, i00 + 1, r1 + 2 * ox, r1 + 2 * ox + 1};
          size_t bi = idx[0];
          float best = x[bi];
          for (int q = 1; q < 4; q++) {
            const float v = x[idx[q]];
            const bool take = (v > best) | ((v != v) & (best == best));
            best = take ? v : best;
            bi = take ? idx[q] : bi;
          }
          out[o] = best;
          arg[o] = static_cast<int32_t>(bi);
        }
      }
    }
    return;
  }
  for (int p = p0; p < p1; p++) {
    const size_t base = static_cast<size_t>(p) * g.h * g.w;
    for (int oy = 0; oy < g.ho; oy++) {
      const int y0 = oy * g.sh - g.ph;
      const int ylo = std::max(0, y0), yhi = std::min(g.h, y0 + g.kh);
      for (int ox = 0; ox < g.wo; ox++, o++) {
        const int x0 = ox * g.sw - g.pw;
        const int xlo = std::max(0, x0), xhi = std::min(g.w, x0 + g.kw);
        if (ylo >= yhi || xlo >= xhi) {
          out[o] = -INFINITY;
          arg[o] = -1;
          continue;
        }
        // Branch-free (selects, not jumps): on real data the comparisons are unpredictable. The first
        // maximum wins; a NaN wins and stays, as in PyTorch.
        size_t bi = base + static_cast<size_t>(ylo) * g.w + xlo;
        float best = x[bi];
        for (int iy = ylo; iy < yhi; iy++) {
          const size_t row = base + static_cast<size_t>(iy) * g.w;
          for (int ix = xlo; ix < xhi; ix++) {
            const float v = x[row + ix];
            const bool take = (v > best) | ((v != v) & (best == best));
            best = take ? v : best;
            bi = take ? row + ix : bi;
          }
        }
        out[o] = best;
        arg[o] = static_cast<int32_t>(bi);

      }
    }
  }
}

void scatter_add_f32(const float* g, const int32_t* idx, size_t n, float* dx) {
  for (size_t i = 0; i < n; i++)
    if (idx[i] >= 0) dx[idx[i]] += g[i];
}

}  // namespace neurona
