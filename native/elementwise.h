#pragma once
#include <cstddef>

namespace neurona {

/** Coefficients of one Adam step (see src/optim/adam.ts for the algorithm). */
struct AdamCoefs {
  float sign, l2, decay, b1, b2, c1, c2, stepSize, invBc2Sqrt, eps;
};
void adam_f32(float* param, const float* grad, float* m, float* v, float* vmax, size_t n, const AdamCoefs& h);

/** Coefficients of one SGD step: b = bm*b + bg*g; p -= lr*(cg*g + cb*b) (see src/optim/sgd.ts). */
struct SgdCoefs {
  float sign, weightDecay, lr, bm, bg, cg, cb;
};
void sgd_f32(float* param, const float* grad, float* buf, size_t n, const SgdCoefs& h);

/** Σ x² (float partial sums over blocks of 4096, summed in double). */
double sumsq_f32(const float* x, size_t n);

/** out[o, i] = Σ_j x[o, j, i] over x [outer, r, inner], accumulated in double (acc: `inner` doubles of scratch). */
void sum_axis_f32(const float* x, size_t outer, size_t r, size_t inner, float* out, double* acc);

}  // namespace neurona
