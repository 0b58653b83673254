#pragma once
#include <cstddef>

namespace neurona {

/** Unary activations by code: 0 relu, 1 sigmoid, 2 tanh, 3 exp. */
enum UnaryCode { kRelu = 0, kSigmoid = 1, kTanh = 2, kExp = 3 };
/** out = f(x). */
// x and out may be the same array (in place: every element is read before it is written, at the same
// index), not otherwise overlapping.
void unary_f32(int code, const float* x, float* out, size_t n);
/** out = g * f'(x) (written with y = f(x) where cheaper). */
void unary_grad_f32(int code, const float* x, const float* y, const float* g, float* out, size_t n);
/**
 * One LSTM step's gate math (PyTorch's i, f, g, o order): out [B, 2H] = (h', c'), act [B, 5H] = (i, f, g, o,
 * tanh c'), from the pre-activations gates [B, 4H] (plus add [B, 4H] when not null) and c [B, H] whose
 * rows are ldc apart.
 */
void lstm_gates_f32(const float* gates, const float* add, const float* c, size_t ldc, float* out, float* act, int b, int h);
/**
 * Its backward: dGates [B, 4H] and dC [B, H] from the gradient reaching (h', c'): grad [B, 2H] = (dh', dc'),
 * plus dhIn and dcIn [B, H] when not null (the carry of a sequence's backward); c's rows are ldc apart. No
 * array may overlap another.
 */
void lstm_gates_grad_f32(const float* grad, const float* dhIn, const float* dcIn, const float* c, size_t ldc, const float* act, float* dGates, float* dC, int b, int h);

}  // namespace neurona
