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

/** Pooling geometry of one plane: size h x w, kernel kh x kw, stride, padding, output ho x wo. */
struct PoolGeom {
  int h, w, kh, kw, sh, sw, ph, pw, ho, wo;
};
/** Max pooling over `planes` planes of x: out and the flat input index of each maximum (arg). */
void max_pool2d_f32(const float* x, float* out, int32_t* arg, int planes, const PoolGeom& g);
/** dx[idx[i]] += g[i] (skipping idx < 0): the backward of max pooling. */
void scatter_add_f32(const float* g, const int32_t* idx, size_t n, float* dx);

}  // namespace neurona
