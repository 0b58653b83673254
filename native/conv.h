#pragma once
#include <cstddef>
#include <cstdint>

namespace neurona {

/** One image's convolution geometry: channels c, size h x w, kernel kh x kw, stride, dilation, top/left padding, output ho x wo. */
struct ConvGeom {
  int c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, ho, wo;
};
/** cols[C*kh*kw, ho*wo] from the image x[C, h, w] (zero where the window leaves the image). */
void im2col_f32(const float* x, const ConvGeom& g, float* cols);
/** dx[C, h, w] += the columns scattered back (the adjoint of im2col). */
void col2im_f32(const float* cols, const ConvGeom& g, float* dx);
/** im2col of output rows [oy0, oy1) only: cols[C*kh*kw, (oy1 - oy0)*wo]. */
void im2col_rows_f32(const float* x, const ConvGeom& g, int oy0, int oy1, float* cols);
/** col2im of output rows [oy0, oy1) only (the adjoint of im2col_rows_f32). */
void col2im_rows_f32(const float* cols, const ConvGeom& g, int oy0, int oy1, float* dx);

/**
 * A whole batch of conv2d: out[n, o, ho, wo] = bias + W * x for x[n, groups * g.c, g.h, g.w] and
 * W[o, g.c, kh, kw] (g is one group's geometry), samples split over the thread pool. With act >= 0 (an
 * activations.h code: relu, sigmoid, tanh), each sample's output then goes through it in place.
 */
void conv2d_forward_f32(const float* x, const float* w, const float* bias, float* out, int n, int groups, int o, const ConvGeom& g, int act = -1);
/**
 * Its backward from gy[n, o, ho, wo]: dx += the input gradient (when dx is not null), dw = the weight
 * gradient (when not null). With act >= 0 gy is the gradient reaching the fused activation's output y
 * [n, o, ho, wo], taken through it sample by sample, and db (when not null) = the bias gradient.
 */
void conv2d_backward_f32(const float* x, const float* w, const float* gy, float* dx, float* dw, int n, int groups, int o, const ConvGeom& g, int act = -1,
                         const float* y = nullptr, float* db = nullptr);

/** Pooling geometry of one plane: size h x w, kernel kh x kw, stride, padding, output ho x wo. */
struct PoolGeom {
  int h, w, kh, kw, sh, sw, ph, pw, ho, wo;
};
/** Max pooling over planes [p0, p1) of x: out and the flat input index of each maximum (arg), at the planes' places. */
void max_pool2d_f32(const float* x, float* out, int32_t* arg, int p0, int p1, const PoolGeom& g);
/** dx[idx[i]] += g[i] (skipping idx < 0): the backward of max pooling. */
void scatter_add_f32(const float* g, const int32_t* idx, size_t n, float* dx);

}  // namespace neurona
