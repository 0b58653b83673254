#pragma once
#include <cstddef>

namespace neurona {

/** One image's convolution geometry: channels c, size h x w, kernel kh x kw, stride, dilation, top/left padding, output ho x wo. */
struct ConvGeom {
  int c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, ho, wo;
};
/** cols[C*kh*kw, ho*wo] from the image x[C, h, w] (zero where the window leaves the image). */
void im2col_f32(const float* x, const ConvGeom& g, float* cols);
/** dx[C, h, w] += the columns scattered back (the adjoint of im2col). */
void col2im_f32(const float* cols, const ConvGeom& g, float* dx);

}  // namespace neurona
