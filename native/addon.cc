// N-API bindings of the native kernels. Every pointer comes from a Float32Array the caller passes, and
// every span is checked against the array's length here, so a wrong call throws instead of crashing.
#include <node_api.h>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>
#include <cstdlib>
#include <cstdint>
#include <memory>
#include <mutex>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif
#include "activations.h"
#include "conv.h"
#include "elementwise.h"
#include "gemm.h"
#include "mlp.h"

namespace {

bool throw_error(napi_env env, const std::string& msg) {
  napi_throw_error(env, nullptr, msg.c_str());
  return false;
}

struct F32 {
  float* p = nullptr;
  size_t n = 0;
};

bool get_f32(napi_env env, napi_value v, F32& out, const char* what, bool nullable = false) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (nullable && (t == napi_null || t == napi_undefined)) {
    out = F32{};
    return true;
  }
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (!is) return throw_error(env, std::string("native: ") + what + " as a Float32Array; got another value");
  napi_typedarray_type type;
  size_t len;
  void* data;
  napi_value ab;
  size_t off;
  napi_get_typedarray_info(env, v, &type, &len, &data, &ab, &off);
  if (type != napi_float32_array) return throw_error(env, std::string("native: ") + what + " as a Float32Array; got another typed array");
  out.p = static_cast<float*>(data);
  out.n = len;
  return true;
}

bool get_i32(napi_env env, napi_value v, int32_t& out) {
  if (napi_get_value_int32(env, v, &out) != napi_ok) return throw_error(env, "native: an integer argument; got another value");
  return true;
}

bool get_f(napi_env env, napi_value v, float& out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return throw_error(env, "native: a number argument; got another value");
  out = static_cast<float>(d);
  return true;
}

bool get_bool(napi_env env, napi_value v, bool& out) {
  if (napi_get_value_bool(env, v, &out) != napi_ok) return throw_error(env, "native: a boolean argument; got another value");
  return true;
}

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

napi_value int32_value(napi_env env, int32_t n) {
  napi_value v;
  napi_create_int32(env, n, &v);
  return v;
}

// The call's first argument as an integer (false, with an error thrown naming `what`, when missing).
bool one_i32_arg(napi_env env, napi_callback_info info, int32_t& out, const char* what) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 1) return throw_error(env, std::string("native ") + what + ": an integer argument; got none");
  return get_i32(env, argv[0], out);
}

// Reads a call's arguments into argv (room for the larger of n1 and n2) and their count into argc; false,
// with a JS error "<what>: <expected>; got <count> arguments", when the count is neither n1 nor n2.
bool call_args(napi_env env, napi_callback_info info, napi_value* argv, size_t& argc, size_t n1, size_t n2, const std::string& what, const char* expected) {
  argc = std::max(n1, n2);
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc == n1 || argc == n2) return true;
  return throw_error(env, what + ": " + expected + "; got " + std::to_string(argc) + " arguments");
}

// The same for a call that takes exactly n arguments.
bool exact_args(napi_env env, napi_callback_info info, napi_value* argv, size_t n, const std::string& what, const char* expected) {
  size_t argc;
  return call_args(env, info, argv, argc, n, n, what, expected);
}

// sgemm(a, aOff, lda, transA, b, bOff, ldb, transB, c, cOff, m, n, k, accumulate)
napi_value Sgemm(napi_env env, napi_callback_info info) {
  napi_value argv[14];
  if (!exact_args(env, info, argv, 14, "native sgemm", "14 arguments")) return nullptr;
  F32 a, b, c;
  int32_t aOff, lda, bOff, ldb, cOff, m, n, k;
  bool ta, tb, acc;
  if (!get_f32(env, argv[0], a, "sgemm A") || !get_i32(env, argv[1], aOff) || !get_i32(env, argv[2], lda) || !get_bool(env, argv[3], ta) ||
      !get_f32(env, argv[4], b, "sgemm B") || !get_i32(env, argv[5], bOff) || !get_i32(env, argv[6], ldb) || !get_bool(env, argv[7], tb) ||
      !get_f32(env, argv[8], c, "sgemm C") || !get_i32(env, argv[9], cOff) || !get_i32(env, argv[10], m) || !get_i32(env, argv[11], n) ||
      !get_i32(env, argv[12], k) || !get_bool(env, argv[13], acc))
    return nullptr;
  if (m < 0 || n < 0 || k < 0 || aOff < 0 || bOff < 0 || cOff < 0) {
    throw_error(env, "native sgemm: non-negative sizes and offsets");
    return nullptr;
  }
  auto span = [](int64_t rows, int64_t cols, int64_t ld) -> int64_t { return rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols; };
  const int64_t needA = aOff + (ta ? span(k, m, lda) : span(m, k, lda));
  const int64_t needB = bOff + (tb ? span(n, k, ldb) : span(k, n, ldb));
  const int64_t needC = cOff + static_cast<int64_t>(m) * n;
  if (needA > static_cast<int64_t>(a.n) || needB > static_cast<int64_t>(b.n) || needC > static_cast<int64_t>(c.n)) {
    char msg[256];
    std::snprintf(msg, sizeof msg, "native sgemm: operands long enough for m=%d n=%d k=%d; got A %zu (needs %lld), B %zu (needs %lld), C %zu (needs %lld)", m, n, k,
                  a.n, static_cast<long long>(needA), b.n, static_cast<long long>(needB), c.n, static_cast<long long>(needC));
    throw_error(env, msg);
    return nullptr;
  }
  neurona::sgemm(m, n, k, a.p + aOff, lda, ta, b.p + bOff, ldb, tb, c.p + cOff, n, acc);
  return undefined(env);
}

bool same_len(napi_env env, const char* op, size_t n, std::initializer_list<const F32*> xs) {
  for (const F32* x : xs)
    if (x->p && x->n != n) return throw_error(env, std::string("native ") + op + ": state arrays as long as the parameter");
  return true;
}

// adam(param, grad, m, v, vmax | null, sign, l2, decay, b1, b2, c1, c2, stepSize, invBc2Sqrt, eps)
napi_value Adam(napi_env env, napi_callback_info info) {
  napi_value argv[15];
  if (!exact_args(env, info, argv, 15, "native adam", "15 arguments")) return nullptr;
  F32 p, g, m, v, vm;
  neurona::AdamCoefs h{};
  float* f[] = {&h.sign, &h.l2, &h.decay, &h.b1, &h.b2, &h.c1, &h.c2, &h.stepSize, &h.invBc2Sqrt, &h.eps};
  if (!get_f32(env, argv[0], p, "adam param") || !get_f32(env, argv[1], g, "adam grad") || !get_f32(env, argv[2], m, "adam m") ||
      !get_f32(env, argv[3], v, "adam v") || !get_f32(env, argv[4], vm, "adam vmax", true))
    return nullptr;
  for (int i = 0; i < 10; i++)
    if (!get_f(env, argv[5 + i], *f[i])) return nullptr;
  if (!same_len(env, "adam", p.n, {&g, &m, &v, &vm})) return nullptr;
  // Memory-bound (7 floats moved per element): big parameters are split over the threads' caches.
  const size_t n = p.n;
  const int chunks = n >= (1u << 16) ? std::min<int>(4 * neurona::num_threads(), static_cast<int>(n >> 14)) : 1;
  if (chunks <= 1) {
    neurona::adam_f32(p.p, g.p, m.p, v.p, vm.p, n, h);
  } else {
    neurona::parallel_run(chunks, [&](int id) {
      const size_t i0 = n * id / chunks, i1 = n * (id + 1) / chunks;
      neurona::adam_f32(p.p + i0, g.p + i0, m.p + i0, v.p + i0, vm.p ? vm.p + i0 : nullptr, i1 - i0, h);
    });
  }
  return undefined(env);
}

// The 7 numbers of an SGD step's coefficients (sign, weightDecay, lr, bm, bg, cg, cb) from argv[0..6].
bool get_sgd_coefs(napi_env env, const napi_value* argv, neurona::SgdCoefs& h) {
  float* f[] = {&h.sign, &h.weightDecay, &h.lr, &h.bm, &h.bg, &h.cg, &h.cb};
  for (int i = 0; i < 7; i++)
    if (!get_f(env, argv[i], *f[i])) return false;
  return true;
}

// sgd(param, grad, buf | null, sign, weightDecay, lr, bm, bg, cg, cb)
napi_value Sgd(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  if (!exact_args(env, info, argv, 10, "native sgd", "10 arguments")) return nullptr;
  F32 p, g, b;
  neurona::SgdCoefs h{};
  if (!get_f32(env, argv[0], p, "sgd param") || !get_f32(env, argv[1], g, "sgd grad") || !get_f32(env, argv[2], b, "sgd buffer", true) || !get_sgd_coefs(env, argv + 3, h))
    return nullptr;
  if (!same_len(env, "sgd", p.n, {&g, &b})) return nullptr;
  const size_t n = p.n;
  const int chunks = n >= (1u << 16) ? std::min<int>(4 * neurona::num_threads(), static_cast<int>(n >> 14)) : 1;
  if (chunks <= 1) {
    neurona::sgd_f32(p.p, g.p, b.p, n, h);
  } else {
    neurona::parallel_run(chunks, [&](int id) {
      const size_t i0 = n * id / chunks, i1 = n * (id + 1) / chunks;
      neurona::sgd_f32(p.p + i0, g.p + i0, b.p ? b.p + i0 : nullptr, i1 - i0, h);
    });
  }
  return undefined(env);
}

// im2col(x, xOff, cols, colsOff, c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, ho, wo) and col2im(cols, colsOff, dx, dxOff, ...same)
napi_value ConvCols(napi_env env, napi_callback_info info, bool toCols) {
  napi_value argv[17];
  const char* op = toCols ? "native im2col" : "native col2im";
  if (!exact_args(env, info, argv, 17, op, "17 arguments")) return nullptr;
  F32 src, dst;
  int32_t srcOff, dstOff, v[13];
  if (!get_f32(env, argv[0], src, op) || !get_i32(env, argv[1], srcOff) || !get_f32(env, argv[2], dst, op) || !get_i32(env, argv[3], dstOff)) return nullptr;
  for (int i = 0; i < 13; i++)
    if (!get_i32(env, argv[4 + i], v[i])) return nullptr;
  const neurona::ConvGeom g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12]};
  for (int i = 0; i < 13; i++)
    if (v[i] < 0 || (i <= 8 && v[i] == 0)) {
      throw_error(env, std::string(op) + ": positive sizes, strides and dilations");
      return nullptr;
    }
  const int64_t image = static_cast<int64_t>(g.c) * g.h * g.w;
  const int64_t colsLen = static_cast<int64_t>(g.c) * g.kh * g.kw * g.ho * g.wo;
  const int64_t needSrc = srcOff + (toCols ? image : colsLen), needDst = dstOff + (toCols ? colsLen : image);
  if (srcOff < 0 || dstOff < 0 || needSrc > static_cast<int64_t>(src.n) || needDst > static_cast<int64_t>(dst.n)) {
    throw_error(env, std::string(op) + ": arrays long enough for the geometry");
    return nullptr;
  }
  if (toCols) neurona::im2col_f32(src.p + srcOff, g, dst.p + dstOff);
  else neurona::col2im_f32(src.p + srcOff, g, dst.p + dstOff);
  return undefined(env);
}

// conv2d(x, w, bias | null, out, n, groups, o, c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, ho, wo) and
// conv2dGrad(x, w, gy, dx | null, dw | null, n, groups, o, c, ...): a whole batch (c, the geometry, per group).
napi_value ConvBatch(napi_env env, napi_callback_info info, bool grad) {
  size_t argc;
  napi_value argv[24];
  const char* op = grad ? "native conv2dGrad" : "native conv2d";
  // the forward takes an optional 21st argument: the activation code to apply (activations.h; -1 none);
  // the backward optional 22nd-24th: that code, the activation's output y and the bias gradient db (or null)
  if (!(grad ? call_args(env, info, argv, argc, 21, 24, op, "21 arguments, or 24 with an activation code, its output and the bias gradient")
             : call_args(env, info, argv, argc, 20, 21, op, "20 arguments and an optional activation code")))
    return nullptr;
  int32_t act = -1;
  F32 y, db;
  if (!grad && argc == 21 && !get_i32(env, argv[20], act)) return nullptr;
  if (grad && argc == 24 && (!get_i32(env, argv[21], act) || !get_f32(env, argv[22], y, "conv2dGrad y", true) || !get_f32(env, argv[23], db, "conv2dGrad db", true))) return nullptr;
  if (act < -1 || act > 2) {
    throw_error(env, std::string(op) + ": an activation code of -1 (none), 0 (relu), 1 (sigmoid) or 2 (tanh); got " + std::to_string(act));
    return nullptr;
  }
  F32 x, wt, a, b;  // forward: a = bias, b = out; backward: a = gy, then dx (b) and dw (d)
  F32 d;
  int32_t v[16];
  const int first = grad ? 5 : 4;
  if (!get_f32(env, argv[0], x, "conv2d x") || !get_f32(env, argv[1], wt, "conv2d weight")) return nullptr;
  if (grad ? !get_f32(env, argv[2], a, "conv2dGrad gy") || !get_f32(env, argv[3], b, "conv2dGrad dx", true) || !get_f32(env, argv[4], d, "conv2dGrad dw", true)
           : !get_f32(env, argv[2], a, "conv2d bias", true) || !get_f32(env, argv[3], b, "conv2d out"))
    return nullptr;
  for (int i = 0; i < 16; i++)
    if (!get_i32(env, argv[first + i], v[i])) return nullptr;
  const int n = v[0], groups = v[1], o = v[2];
  const neurona::ConvGeom g{v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15]};
  bool ok = n >= 0 && groups > 0 && o > 0 && o % groups == 0;
  for (int i = 3; i < 16; i++) ok = ok && v[i] >= 0 && (i == 12 || i == 13 || v[i] > 0);  // only the paddings may be 0
  if (!ok) {
    throw_error(env, std::string(op) + ": positive sizes, strides and dilations, out channels divisible by groups");
    return nullptr;
  }
  const int64_t ohw = static_cast<int64_t>(g.ho) * g.wo, ckk = static_cast<int64_t>(g.c) * g.kh * g.kw;
  const int64_t xLen = static_cast<int64_t>(n) * groups * g.c * g.h * g.w, yLen = static_cast<int64_t>(n) * o * ohw, wLen = o * ckk;
  const bool spans = static_cast<int64_t>(x.n) >= xLen && static_cast<int64_t>(wt.n) >= wLen &&
                     (grad ? static_cast<int64_t>(a.n) >= yLen && (!b.p || static_cast<int64_t>(b.n) >= xLen) && (!d.p || static_cast<int64_t>(d.n) >= wLen)
                           : (!a.p || static_cast<int64_t>(a.n) >= o) && static_cast<int64_t>(b.n) >= yLen);
  if (!spans || (act >= 0 && grad && (!y.p || static_cast<int64_t>(y.n) < yLen)) || (db.p && static_cast<int64_t>(db.n) < o)) {
    throw_error(env, std::string(op) + ": arrays long enough for the geometry (and the activation's output with an activation)");
    return nullptr;
  }
  if (grad) neurona::conv2d_backward_f32(x.p, wt.p, a.p, b.p, d.p, n, groups, o, g, act, y.p, db.p);
  else neurona::conv2d_forward_f32(x.p, wt.p, a.p, b.p, n, groups, o, g, act);
  return undefined(env);
}

napi_value Conv2d(napi_env env, napi_callback_info info) { return ConvBatch(env, info, false); }
napi_value Conv2dGrad(napi_env env, napi_callback_info info) { return ConvBatch(env, info, true); }

napi_value Im2col(napi_env env, napi_callback_info info) { return ConvCols(env, info, true); }
napi_value Col2im(napi_env env, napi_callback_info info) { return ConvCols(env, info, false); }

bool get_i32arr(napi_env env, napi_value v, int32_t*& p, size_t& n, const char* what) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type type;
  void* data = nullptr;
  napi_value ab;
  size_t off;
  if (is) napi_get_typedarray_info(env, v, &type, &n, &data, &ab, &off);
  if (!is || type != napi_int32_array) return throw_error(env, std::string("native: ") + what + " as an Int32Array; got another value");
  p = static_cast<int32_t*>(data);
  return true;
}

// maxPool2d(x, out, arg, planes, h, w, kh, kw, sh, sw, ph, pw, ho, wo)
napi_value MaxPool2d(napi_env env, napi_callback_info info) {
  napi_value argv[14];
  if (!exact_args(env, info, argv, 14, "native maxPool2d", "14 arguments")) return nullptr;
  F32 x, out;
  int32_t* arg;
  size_t argN;
  int32_t v[11];
  if (!get_f32(env, argv[0], x, "maxPool2d x") || !get_f32(env, argv[1], out, "maxPool2d out") || !get_i32arr(env, argv[2], arg, argN, "maxPool2d arg")) return nullptr;
  for (int i = 0; i < 11; i++)
    if (!get_i32(env, argv[3 + i], v[i])) return nullptr;
  const int planes = v[0];
  const neurona::PoolGeom g{v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]};
  const size_t outN = static_cast<size_t>(planes) * g.ho * g.wo;
  if (planes < 0 || g.h < 1 || g.w < 1 || g.kh < 1 || g.kw < 1 || g.sh < 1 || g.sw < 1 || g.ph < 0 || g.pw < 0 || g.ho < 0 || g.wo < 0 ||
      x.n != static_cast<size_t>(planes) * g.h * g.w || out.n != outN || argN != outN) {
    throw_error(env, "native maxPool2d: arrays matching the geometry");
    return nullptr;
  }
  // Split by planes over the threads when there is enough work (a W3 batch: 2,048 planes of 24x24).
  const int chunks = std::min(planes, x.n >= (1u << 16) ? 4 * neurona::num_threads() : 1);
  if (chunks <= 1) {
    neurona::max_pool2d_f32(x.p, out.p, arg, 0, planes, g);
  } else {
    neurona::parallel_run(chunks, [&](int id) { neurona::max_pool2d_f32(x.p, out.p, arg, planes * id / chunks, planes * (id + 1) / chunks, g); });
  }
  return undefined(env);
}

// scatterAdd(g, idx, dx): dx[idx[i]] += g[i]
napi_value ScatterAdd(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!exact_args(env, info, argv, 3, "native scatterAdd", "g, idx and dx")) return nullptr;
  F32 g, dx;
  int32_t* idx;
  size_t idxN;
  if (!get_f32(env, argv[0], g, "scatterAdd g") || !get_i32arr(env, argv[1], idx, idxN, "scatterAdd idx") || !get_f32(env, argv[2], dx, "scatterAdd dx")) return nullptr;
  if (idxN != g.n) {
    throw_error(env, "native scatterAdd: as many indices as values");
    return nullptr;
  }
  for (size_t i = 0; i < idxN; i++)
    if (idx[i] < 0 || idx[i] >= static_cast<int64_t>(dx.n)) {
      throw_error(env, "native scatterAdd: indices inside dx");
      return nullptr;
    }
  neurona::scatter_add_f32(g.p, idx, idxN, dx.p);
  return undefined(env);
}

// Runs fn(r0, r1) over rows [0, b) of h elements split across the pool's threads when there are at least
// minWork elements (the LSTM gate math's default: 64 x 128, W4's step, measured 35 -> ~20 us on two
// threads), else on the calling thread.
template <typename F>
void over_rows(int b, int h, F fn, long minWork = 4096) {
  const int threads = neurona::num_threads();
  const int chunks = static_cast<long>(b) * h >= minWork ? std::min(threads, b) : 1;
  if (chunks <= 1) {
    fn(0, b);
    return;
  }
  neurona::parallel_run(chunks, [&](int id) { fn(b * id / chunks, b * (id + 1) / chunks); });
}

// Runs fn(i0, i1) over values [0, n) in blocks of 64 (whole cache lines per thread), split across the
// threads from minWork values.
template <typename F>
void over_values(size_t n, long minWork, F fn) {
  const size_t blocks = (n + 63) / 64;
  over_rows(static_cast<int>(blocks), 64, [&](int b0, int b1) { fn(static_cast<size_t>(b0) * 64, std::min(n, static_cast<size_t>(b1) * 64)); }, minWork);
}

// From this many values an activation (or its gradient) runs on all threads. Measured per call, one /
// two threads (us): relu 32768 3.7/3.9, 65536 9.3/7.1; sigmoid 8192 4.4/4.7, 16384 9.0/6.2; tanh 8192
// 7.5/5.2; gradients: relu 32768 4.9/3.8, sigmoid and tanh 32768 3.9/4.4, 65536 9.1/6.9; 1M values
// 1.5-2x faster on two.
long unary_min_parallel(int code, bool grad) {
  if (grad) return code == 0 ? 32768 : 65536;
  return code == 0 ? 65536 : code == 2 ? 8192 : 16384;
}

// unary(code, x, out) / unaryGrad(code, x, y, g, out): same-length float32 arrays
napi_value Unary(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!exact_args(env, info, argv, 3, "native unary", "code, x and out")) return nullptr;
  int32_t code;
  F32 x, out;
  if (!get_i32(env, argv[0], code) || !get_f32(env, argv[1], x, "unary x") || !get_f32(env, argv[2], out, "unary out")) return nullptr;
  if (x.n != out.n || code < 0 || code > 3) {
    throw_error(env, "native unary: a known op code and arrays of equal length");
    return nullptr;
  }
  over_values(x.n, unary_min_parallel(code, false), [&](size_t i0, size_t i1) { neurona::unary_f32(code, x.p + i0, out.p + i0, i1 - i0); });
  return undefined(env);
}

napi_value UnaryGrad(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!exact_args(env, info, argv, 5, "native unaryGrad", "code, x, y, g and out")) return nullptr;
  int32_t code;
  F32 x, y, g, out;
  if (!get_i32(env, argv[0], code) || !get_f32(env, argv[1], x, "unaryGrad x") || !get_f32(env, argv[2], y, "unaryGrad y") ||
      !get_f32(env, argv[3], g, "unaryGrad g") || !get_f32(env, argv[4], out, "unaryGrad out"))
    return nullptr;
  if (x.n != out.n || y.n != out.n || g.n != out.n || code < 0 || code > 3) {
    throw_error(env, "native unaryGrad: a known op code and arrays of equal length");
    return nullptr;
  }
  over_values(out.n, unary_min_parallel(code, true), [&](size_t i0, size_t i1) { neurona::unary_grad_f32(code, x.p + i0, y.p + i0, g.p + i0, out.p + i0, i1 - i0); });
  return undefined(env);
}

bool overlaps(const F32& x, const F32& y) { return x.p != nullptr && y.p != nullptr && x.p < y.p + y.n && y.p < x.p + x.n; }

// lstmGates(gates [B,4H], c [B,H] (rows ldc apart), out [B,2H], act [B,5H], b, h[, add [B,4H] | null, ldc])
napi_value LstmGates(napi_env env, napi_callback_info info) {
  size_t argc;
  napi_value argv[8];
  if (!call_args(env, info, argv, argc, 6, 8, "native lstmGates", "6 arguments, or 8 with add and ldc")) return nullptr;
  F32 gates, c, out, act, add;
  int32_t b, h, ldc = -1;
  if (!get_f32(env, argv[0], gates, "lstmGates gates") || !get_f32(env, argv[1], c, "lstmGates c") || !get_f32(env, argv[2], out, "lstmGates out") ||
      !get_f32(env, argv[3], act, "lstmGates act") || !get_i32(env, argv[4], b) || !get_i32(env, argv[5], h))
    return nullptr;
  if (argc == 8 && (!get_f32(env, argv[6], add, "lstmGates add", true) || !get_i32(env, argv[7], ldc))) return nullptr;
  if (ldc < 0) ldc = h;
  const size_t bh = static_cast<size_t>(b) * h;
  if (b < 0 || h < 0 || ldc < h || gates.n != 4 * bh || (b > 0 && c.n != static_cast<size_t>(b - 1) * ldc + h) || out.n != 2 * bh || act.n != 5 * bh ||
      (add.p != nullptr && add.n != 4 * bh)) {
    throw_error(env, "native lstmGates: gates [B,4H], c [B,H] with rows ldc >= H apart ((B-1)*ldc+H values), out [B,2H], act [B,5H], add [B,4H] or null");
    return nullptr;
  }
  if (overlaps(out, act) || overlaps(out, gates) || overlaps(out, c) || overlaps(out, add) || overlaps(act, gates) || overlaps(act, c) || overlaps(act, add)) {
    throw_error(env, "native lstmGates: out and act must not overlap each other or the inputs");
    return nullptr;
  }
  const size_t H = static_cast<size_t>(h), L = static_cast<size_t>(ldc);
  over_rows(b, h, [&](int r0, int r1) {
    neurona::lstm_gates_f32(gates.p + r0 * 4 * H, add.p ? add.p + r0 * 4 * H : nullptr, c.p + r0 * L, L, out.p + r0 * 2 * H, act.p + r0 * 5 * H, r1 - r0, h);
  });
  return undefined(env);
}

// lstmGatesGrad(grad [B,2H], c [B,H], act [B,5H], dGates [B,4H], dC [B,H], b, h[, dhIn [B,H] | null, dcIn [B,H] | null, ldc (c's row stride)])
napi_value LstmGatesGrad(napi_env env, napi_callback_info info) {
  size_t argc;
  napi_value argv[10];
  if (!call_args(env, info, argv, argc, 7, 10, "native lstmGatesGrad", "7 arguments, or 10 with dhIn, dcIn and ldc")) return nullptr;
  F32 grad, c, act, dg, dc, dhIn, dcIn;
  int32_t b, h, ldc = -1;
  if (!get_f32(env, argv[0], grad, "lstmGatesGrad grad") || !get_f32(env, argv[1], c, "lstmGatesGrad c") || !get_f32(env, argv[2], act, "lstmGatesGrad act") ||
      !get_f32(env, argv[3], dg, "lstmGatesGrad dGates") || !get_f32(env, argv[4], dc, "lstmGatesGrad dC") || !get_i32(env, argv[5], b) || !get_i32(env, argv[6], h))
    return nullptr;
  if (argc == 10 && (!get_f32(env, argv[7], dhIn, "lstmGatesGrad dhIn", true) || !get_f32(env, argv[8], dcIn, "lstmGatesGrad dcIn", true) || !get_i32(env, argv[9], ldc))) return nullptr;
  if (ldc < 0) ldc = h;
  const size_t bh = static_cast<size_t>(b) * h;
  if (b < 0 || h < 0 || ldc < h || grad.n != 2 * bh || (b > 0 && c.n != static_cast<size_t>(b - 1) * ldc + h) || act.n != 5 * bh || dg.n != 4 * bh || dc.n != bh || (dhIn.p == nullptr) != (dcIn.p == nullptr) ||
      (dhIn.p != nullptr && (dhIn.n != bh || dcIn.n != bh))) {
    throw_error(env, "native lstmGatesGrad: grad [B,2H], c [B,H] with rows ldc >= H apart, act [B,5H], dGates [B,4H], dC [B,H], and dhIn, dcIn [B,H] both given or both null");
    return nullptr;
  }
  const F32* outs[] = {&dg, &dc};
  const F32* ins[] = {&grad, &c, &act, &dhIn, &dcIn};
  bool bad = overlaps(dg, dc);
  for (const F32* o : outs)
    for (const F32* i : ins) bad = bad || overlaps(*o, *i);
  if (bad) {
    throw_error(env, "native lstmGatesGrad: dGates and dC must not overlap each other or the inputs");
    return nullptr;
  }
  const size_t H = static_cast<size_t>(h), L = static_cast<size_t>(ldc);
  const bool carry = dhIn.p != nullptr;
  over_rows(b, h, [&](int r0, int r1) {
    neurona::lstm_gates_grad_f32(grad.p + r0 * 2 * H, carry ? dhIn.p + r0 * H : nullptr, carry ? dcIn.p + r0 * H : nullptr, c.p + r0 * L, L, act.p + r0 * 5 * H,
                                 dg.p + r0 * 4 * H, dc.p + r0 * H, r1 - r0, h);
  });
  return undefined(env);
}

// A dense network's layer sizes: at least one layer, sizes = layers + 1, all positive.
bool check_mlp_sizes(napi_env env, const char* usage, const int32_t* sizes, size_t nSizes, size_t L) {
  if (L < 1 || nSizes != L + 1) {
    throw_error(env, std::string(usage) + "at least one layer, with sizes = layers + 1; got " + std::to_string(nSizes) + " sizes for " + std::to_string(L) + " layers");
    return false;
  }
  for (size_t i = 0; i <= L; i++)
    if (sizes[i] < 1) {
      throw_error(env, std::string(usage) + "positive layer sizes");
      return false;
    }
  return true;
}

// Layer l's weight [out, in] and bias [out] (or none) against the sizes, and its activation code in [0, maxAct].
bool check_mlp_layer(napi_env env, const char* usage, size_t l, const int32_t* sizes, const F32& w, const F32& b, int act, int maxAct, const char* note = "") {
  const int in = sizes[l], out = sizes[l + 1];
  if (w.n != static_cast<size_t>(in) * out || (b.p != nullptr && b.n != static_cast<size_t>(out))) {
    throw_error(env, std::string(usage) + "layer " + std::to_string(l) + ": a weight [" + std::to_string(out) + ", " + std::to_string(in) + "] and a bias [" + std::to_string(out) + "]");
    return false;
  }
  if (act < 0 || act > maxAct) {
    throw_error(env, std::string(usage) + "activation codes 0-" + std::to_string(maxAct) + note + "; got " + std::to_string(act) + " on layer " + std::to_string(l));
    return false;
  }
  return true;
}

// Packed weights kept between mlpForward calls (mlp.h), one slot per network the JS side holds
// (mlpPackedNew / mlpPackedFree, the latter from a FinalizationRegistry). Worker threads may load the
// addon too: the table is locked, each slot used by one thread.
// A slot also keeps the network its weights were last packed for, but the weights (its layers' widths and
// activation codes, copies of the biases: a small array may live on V8's heap and move), so that
// mlpForwardHeld can run it again from the slot alone.
struct HeldNet {
  std::vector<neurona::PackedB> packed;
  std::vector<neurona::MlpLayer> layers;   // w null; b into `biases`
  std::vector<std::vector<float>> biases;  // empty: no bias
};
std::mutex packedMu;
std::vector<std::unique_ptr<HeldNet>> packedSlots;
std::vector<int> freeSlots;

// The slot's network, or null (with a JS error) when it is not one from mlpPackedNew.
HeldNet* held_net(napi_env env, int32_t slot, const char* usage) {
  std::lock_guard<std::mutex> lk(packedMu);
  if (slot < 0 || static_cast<size_t>(slot) >= packedSlots.size() || !packedSlots[slot]) {
    throw_error(env, std::string(usage) + "no packed-weights slot " + std::to_string(slot) + " (freed, or not from mlpPackedNew)");
    return nullptr;
  }
  return packedSlots[slot].get();
}

napi_value MlpPackedNew(napi_env env, napi_callback_info) {
  std::lock_guard<std::mutex> lk(packedMu);
  int slot;
  if (!freeSlots.empty()) {
    slot = freeSlots.back();
    freeSlots.pop_back();
  } else {
    slot = static_cast<int>(packedSlots.size());
    packedSlots.emplace_back();
  }
  packedSlots[slot] = std::make_unique<HeldNet>();
  return int32_value(env, slot);
}

napi_value MlpPackedFree(napi_env env, napi_callback_info info) {
  int32_t slot;
  if (!one_i32_arg(env, info, slot, "mlpPackedFree")) return nullptr;
  std::lock_guard<std::mutex> lk(packedMu);
  if (slot >= 0 && static_cast<size_t>(slot) < packedSlots.size() && packedSlots[slot]) {
    packedSlots[slot].reset();
    freeSlots.push_back(slot);
  }
  return undefined(env);
}

// mlpForward(x [rows, in], rows, out [rows, sizes[L]], in, slot (-1: none), repack, then per layer:
// weight [out, in], bias [out] or null, out, activation code (0-3)): inference through the layers, the
// weights packed in the slot (mlpPackedNew) reused unless `repack`. Sizes and codes are plain numbers (a
// small Int32Array per call would be moved off V8's heap at every call: ~0.6 us each).
napi_value MlpForward(napi_env env, napi_callback_info info) {
  constexpr size_t kMaxLayers = 64;
  constexpr size_t kFixed = 6;
  size_t argc = kFixed + 4 * kMaxLayers;
  napi_value argv[kFixed + 4 * kMaxLayers];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  const char* usage = "native mlpForward: ";
  if (argc < kFixed + 4 || (argc - kFixed) % 4 != 0) {
    throw_error(env, std::string(usage) + "x, rows, out, the input width, a packed-weights slot, repack and 4 arguments per layer (weight, bias or null, width, activation), at most " +
                         std::to_string(kMaxLayers) + " layers; got " + std::to_string(argc) + " arguments");
    return nullptr;
  }
  const size_t L = (argc - kFixed) / 4;
  std::vector<int32_t> sizes(L + 1), acts(L);
  if (!get_i32(env, argv[3], sizes[0])) return nullptr;
  for (size_t l = 0; l < L; l++)
    if (!get_i32(env, argv[kFixed + 2 + 4 * l], sizes[l + 1]) || !get_i32(env, argv[kFixed + 3 + 4 * l], acts[l])) return nullptr;
  if (!check_mlp_sizes(env, usage, sizes.data(), L + 1, L)) return nullptr;
  std::vector<neurona::MlpLayer> layers(L);
  for (size_t l = 0; l < L; l++) {
    F32 w, b;
    if (!get_f32(env, argv[kFixed + 4 * l], w, "mlpForward weight") || !get_f32(env, argv[kFixed + 1 + 4 * l], b, "mlpForward bias", true) ||
        !check_mlp_layer(env, usage, l, sizes.data(), w, b, acts[l], 3, " (identity, relu, sigmoid, tanh)"))
      return nullptr;
    layers[l] = {sizes[l], sizes[l + 1], w.p, b.p, nullptr, nullptr, acts[l]};
  }
  F32 x, out;
  int32_t rows;
  if (!get_f32(env, argv[0], x, "mlpForward x") || !get_i32(env, argv[1], rows) || !get_f32(env, argv[2], out, "mlpForward out")) return nullptr;
  const size_t inF = static_cast<size_t>(sizes[0]), outF = static_cast<size_t>(sizes[L]);
  if (rows < 1 || x.n != static_cast<size_t>(rows) * inF || out.n != static_cast<size_t>(rows) * outF) {
    throw_error(env, std::string(usage) + "rows >= 1, x [rows, " + std::to_string(inF) + "] and out [rows, " + std::to_string(outF) + "]; got rows " + std::to_string(rows) + ", " +
                         std::to_string(x.n) + " and " + std::to_string(out.n) + " values");
    return nullptr;
  }
  int32_t slot, repack;
  if (!get_i32(env, argv[4], slot) || !get_i32(env, argv[5], repack)) return nullptr;
  HeldNet* net = nullptr;
  if (slot >= 0 && !(net = held_net(env, slot, usage))) return nullptr;
  if (net && net->packed.size() != L) {
    net->packed.resize(L);
    repack = 1;
  }
  neurona::mlp_forward(layers.data(), static_cast<int>(L), x.p, rows, out.p, net ? net->packed.data() : nullptr, repack != 0);
  // (with repack 0 the caller says the parameters are those of the call that packed: nothing to record)
  if (net && repack) {
    net->biases.resize(L);
    net->layers = layers;
    for (size_t l = 0; l < L; l++) {
      const float* b = layers[l].b;
      net->biases[l].assign(b, b ? b + sizes[l + 1] : b);
      net->layers[l].w = nullptr;
      net->layers[l].b = b ? net->biases[l].data() : nullptr;
    }
  }
  return undefined(env);
}

// mlpForwardHeld(x [rows, in], rows, out [rows, out], slot) -> whether it ran: the network of the slot's
// last mlpForward again, from the slot alone (its packed weights, widths, codes and bias copies; 4
// arguments to read instead of 6 + 4 per layer: W5's batch of one ~0.3 us less a call). For the caller
// that knows the weights and biases have not changed since that call; false, with nothing done, when the
// rows would need the weights themselves (4-503 rows, or a packing out of date): call mlpForward.
napi_value MlpForwardHeld(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  const char* usage = "native mlpForwardHeld: ";
  if (!exact_args(env, info, argv, 4, "native mlpForwardHeld", "x, rows, out and a packed-weights slot")) return nullptr;
  F32 x, out;
  int32_t rows, slot;
  if (!get_f32(env, argv[0], x, "mlpForwardHeld x") || !get_i32(env, argv[1], rows) || !get_f32(env, argv[2], out, "mlpForwardHeld out") || !get_i32(env, argv[3], slot)) return nullptr;
  HeldNet* net = held_net(env, slot, usage);
  if (!net) return nullptr;
  const int L = static_cast<int>(net->layers.size());
  bool ran = false;
  if (L > 0 && rows >= 1 && neurona::mlp_forward_reads_packing_only(net->layers.data(), L, rows, net->packed.data())) {
    const size_t inF = static_cast<size_t>(net->layers[0].in), outF = static_cast<size_t>(net->layers[L - 1].out);
    if (x.n != static_cast<size_t>(rows) * inF || out.n != static_cast<size_t>(rows) * outF) {
      throw_error(env, std::string(usage) + "x [rows, " + std::to_string(inF) + "] and out [rows, " + std::to_string(outF) + "] for rows " + std::to_string(rows) + "; got " +
                           std::to_string(x.n) + " and " + std::to_string(out.n) + " values");
      return nullptr;
    }
    neurona::mlp_forward(net->layers.data(), L, x.p, rows, out.p, net->packed.data(), false);
    ran = true;
  }
  napi_value r;
  napi_get_boolean(env, ran, &r);
  return r;
}

// mlpSgdEpoch(sizes Int32Array [L+1], weights Float32Array[L], biases (Float32Array|null)[L], acts Int32Array [L],
//             x [n, sizes[0]], y [n, sizes[L]] | null, labels Int32Array [n] | null, order Int32Array [n],
//             start, batches, batchSize, loss, acc, weightBufs Float32Array[L] | null, biasBufs (Float32Array|null)[L] | null,
//             the step's 7 SGD coefficients (as sgd), the first batch's 7) -> [batches run, loss sum, accuracy hits]
napi_value MlpSgdEpoch(napi_env env, napi_callback_info info) {
  napi_value argv[29];
  const char* usage = "native mlpSgdEpoch: ";
  if (!exact_args(env, info, argv, 29, "native mlpSgdEpoch", "29 arguments")) return nullptr;
  neurona::SgdCoefs step{}, first{};
  if (!get_sgd_coefs(env, argv + 15, step) || !get_sgd_coefs(env, argv + 22, first)) return nullptr;
  napi_valuetype bufsType;
  napi_typeof(env, argv[13], &bufsType);
  const bool withBufs = bufsType != napi_null && bufsType != napi_undefined;
  if ((step.cb != 0.0f || first.cb != 0.0f) && !withBufs) {
    throw_error(env, std::string(usage) + "momentum buffers for every weight and bias with a momentum");
    return nullptr;
  }
  int32_t* sizes;
  size_t nSizes;
  int32_t* acts;
  size_t nActs;
  if (!get_i32arr(env, argv[0], sizes, nSizes, "mlpSgdEpoch sizes") || !get_i32arr(env, argv[3], acts, nActs, "mlpSgdEpoch acts")) return nullptr;
  const size_t L = nActs;
  if (!check_mlp_sizes(env, usage, sizes, nSizes, L)) return nullptr;
  std::vector<neurona::MlpLayer> layers(L);
  for (size_t l = 0; l < L; l++) {
    napi_value wv, bv;
    if (napi_get_element(env, argv[1], static_cast<uint32_t>(l), &wv) != napi_ok || napi_get_element(env, argv[2], static_cast<uint32_t>(l), &bv) != napi_ok) {
      throw_error(env, std::string(usage) + "weights and biases as arrays with one entry per layer");
      return nullptr;
    }
    F32 w, b;
    if (!get_f32(env, wv, w, "mlpSgdEpoch weight") || !get_f32(env, bv, b, "mlpSgdEpoch bias", true)) return nullptr;
    if (!check_mlp_layer(env, usage, l, sizes, w, b, acts[l], l == L - 1 ? 4 : 3, " (softmax, 4, on the last layer only)")) return nullptr;
    F32 bw, bb;
    if (withBufs) {
      napi_value bwv, bbv;
      if (napi_get_element(env, argv[13], static_cast<uint32_t>(l), &bwv) != napi_ok || napi_get_element(env, argv[14], static_cast<uint32_t>(l), &bbv) != napi_ok ||
          !get_f32(env, bwv, bw, "mlpSgdEpoch weight momentum buffer") || !get_f32(env, bbv, bb, "mlpSgdEpoch bias momentum buffer", true))
        return nullptr;
      if (bw.n != w.n || (b.p != nullptr) != (bb.p != nullptr) || (bb.p != nullptr && bb.n != b.n)) {
        throw_error(env, std::string(usage) + "layer " + std::to_string(l) + ": momentum buffers shaped like its weight and bias");
        return nullptr;
      }
    }
    layers[l] = {sizes[l], sizes[l + 1], w.p, b.p, bw.p, bb.p, acts[l]};
  }
  F32 x, y;
  int32_t *labels = nullptr, *order;
  size_t nLabels = 0, nOrder;
  napi_valuetype lt;
  napi_typeof(env, argv[6], &lt);
  if (!get_f32(env, argv[4], x, "mlpSgdEpoch x") || !get_f32(env, argv[5], y, "mlpSgdEpoch y", true) ||
      (lt != napi_null && lt != napi_undefined && !get_i32arr(env, argv[6], labels, nLabels, "mlpSgdEpoch labels")) || !get_i32arr(env, argv[7], order, nOrder, "mlpSgdEpoch order"))
    return nullptr;
  int32_t start, batches, batchSize, loss, acc;
  if (!get_i32(env, argv[8], start) || !get_i32(env, argv[9], batches) || !get_i32(env, argv[10], batchSize) || !get_i32(env, argv[11], loss) || !get_i32(env, argv[12], acc))
    return nullptr;
  const size_t inF = static_cast<size_t>(sizes[0]), outF = static_cast<size_t>(sizes[L]);
  const size_t n = x.n / inF;
  std::string bad;
  if (x.n != n * inF || n == 0) bad = "x of shape [n, " + std::to_string(inF) + "]";
  else if (nOrder != n) bad = "an order of the n = " + std::to_string(n) + " samples";
  else if (loss < 0 || loss > 3 || acc < 0 || acc > 3) bad = "loss 0-3 and accuracy 0-3";
  else if ((loss == 2 || acc == 2) ? (labels == nullptr || nLabels != n) : false) bad = "class indices [n] for a sparse loss or accuracy";
  else if ((loss == 0 || loss == 1 || loss == 3 || acc == 1 || acc == 3) && (y.p == nullptr || y.n != n * outF)) bad = "targets y of shape [n, " + std::to_string(outF) + "]";
  else if ((loss == 1 || loss == 2) != (acts[L - 1] == 4)) bad = "a softmax last layer exactly with a cross-entropy loss";
  else if (start < 0 || batches < 0 || batchSize < 1) bad = "start >= 0, batches >= 0 and batchSize >= 1";
  else if (!(step.lr == step.lr) || !(first.lr == first.lr) || (step.sign != 1.0f && step.sign != -1.0f) || first.sign != step.sign) bad = "a learning rate that is a number and a sign of 1 or -1";
  for (size_t i = 0; bad.empty() && i < n; i++)
    if (order[i] < 0 || static_cast<size_t>(order[i]) >= n) bad = "order entries in [0, n)";
  for (size_t i = 0; bad.empty() && labels != nullptr && i < n; i++)
    if (labels[i] < 0 || static_cast<size_t>(labels[i]) >= outF) bad = "class indices in [0, " + std::to_string(outF) + ")";
  if (!bad.empty()) {
    throw_error(env, std::string(usage) + bad);
    return nullptr;
  }
  const neurona::MlpEpochResult r = neurona::mlp_sgd_epoch(layers.data(), static_cast<int>(L), x.p, y.p, labels, order, static_cast<int>(n), start, batches, batchSize, loss, acc, step, first);
  napi_value arr, v;
  napi_create_array_with_length(env, 3, &arr);
  napi_create_double(env, r.batches, &v);
  napi_set_element(env, arr, 0, v);
  napi_create_double(env, r.lossSum, &v);
  napi_set_element(env, arr, 1, v);
  napi_create_double(env, r.correct, &v);
  napi_set_element(env, arr, 2, v);
  return arr;
}

napi_value Sumsq(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!exact_args(env, info, argv, 1, "native sumsq", "one Float32Array")) return nullptr;
  F32 x;
  if (!get_f32(env, argv[0], x, "sumsq x")) return nullptr;
  napi_value r;
  napi_create_double(env, neurona::sumsq_f32(x.p, x.n), &r);
  return r;
}

// reduceSum(x, outer, r, inner, out): out [outer, inner] = Σ over the middle axis of x [outer, r, inner]
napi_value ReduceSum(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!exact_args(env, info, argv, 5, "native reduceSum", "x, outer, r, inner and out")) return nullptr;
  F32 x, out;
  int32_t outer, r, inner;
  if (!get_f32(env, argv[0], x, "reduceSum x") || !get_i32(env, argv[1], outer) || !get_i32(env, argv[2], r) || !get_i32(env, argv[3], inner) ||
      !get_f32(env, argv[4], out, "reduceSum out"))
    return nullptr;
  if (outer < 0 || r < 0 || inner < 0 || x.n != static_cast<size_t>(outer) * r * inner || out.n != static_cast<size_t>(outer) * inner) {
    throw_error(env, "native reduceSum: x of outer*r*inner values and out of outer*inner");
    return nullptr;
  }
  std::vector<double> acc(static_cast<size_t>(inner));
  neurona::sum_axis_f32(x.p, outer, r, inner, out.p, acc.data());
  return undefined(env);
}

napi_value Isa(napi_env env, napi_callback_info) {
  napi_value s;
  napi_create_string_utf8(env, neurona::gemm_isa(), NAPI_AUTO_LENGTH, &s);
  return s;
}

napi_value SetIsa(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  char name[32] = {0};
  size_t len;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok) {
    throw_error(env, "native setIsa: a name ('avx512', 'avx2' or 'generic')");
    return nullptr;
  }
  napi_value r;
  napi_get_boolean(env, neurona::gemm_set_isa(name), &r);
  return r;
}

napi_value NumThreads(napi_env env, napi_callback_info) { return int32_value(env, neurona::num_threads()); }

napi_value SetNumThreads(napi_env env, napi_callback_info info) {
  int32_t n;
  if (!one_i32_arg(env, info, n, "setNumThreads")) return nullptr;
  neurona::set_num_threads(n);
  return undefined(env);
}

// Training allocates and frees the same few MB of tensors every step. glibc hands blocks over 128 KB to
// mmap and gives freed memory at the top of the heap back to the OS, so every step faults fresh pages in
// (and with two threads, each unmap costs a TLB shootdown across cores); on this project's VM a first
// touch costs 4-12 us a page. Keeping freed memory for reuse (blocks up to 32 MB from the heap, up to
// 1 GiB of free memory kept, 64 MB of padding per heap growth) cut W1's page faults in training from
// ~19,000 to ~11,000 and its time by ~8% (set from process start with GLIBC_TUNABLES, the same values
// give ~3,000 faults and ~20%). Process-wide, as PyTorch's caching allocator is; the
// process's memory then stays at its high-water mark. NEURONA_MALLOC_KEEP=0 leaves glibc's defaults.
// NEURONA_HUGE_PAGES=0 keeps the rest but leaves out the huge pages below.
//
// The heap's new memory is also marked for transparent huge pages (as glibc's own
// GLIBC_TUNABLES=glibc.malloc.hugetlb=1 does, which can only be set before the process starts): on
// this VM a first touch costs 4-12 us per 4 KB page, and a 2 MB huge page takes one fault instead of 512.
// W5 at batch 1000 (40 MB of activations per pass over the test set) took ~3,800 faults in its timed
// pass after one warm-up pass and ran 51-84 ms; with huge pages ~10-500 faults and 39-60 ms.
uintptr_t heap_advised = 0;  // the heap below this address has been advised (0: advising is off)

#if defined(__GLIBC__) && defined(__linux__) && defined(MADV_HUGEPAGE)
// The program break rounded up to a page (sbrk(0) reads glibc's cached break: no system call).
uintptr_t heap_end() {
  static const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  return (reinterpret_cast<uintptr_t>(sbrk(0)) + page - 1) & ~(page - 1);
}
#endif

void keep_freed_memory() {
#if defined(__GLIBC__)
  static bool done = false;
  if (done) return;
  done = true;
  const char* env = std::getenv("NEURONA_MALLOC_KEEP");
  if (env && std::strcmp(env, "0") == 0) return;
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const char* huge = std::getenv("NEURONA_HUGE_PAGES");
  if (huge && std::strcmp(huge, "0") == 0) return;
  heap_advised = heap_end();
#endif
#endif
}

// Marks the heap grown since the last call for huge pages (its pages are not touched yet: glibc hands
// fresh heap memory out as zeroed without writing it). Called by the JS side after large allocations.
napi_value AdviseHeap(napi_env env, napi_callback_info) {
#if defined(__GLIBC__) && defined(__linux__) && defined(MADV_HUGEPAGE)
  if (heap_advised != 0) {
    const uintptr_t brk = heap_end();
    if (brk > heap_advised) {
      madvise(reinterpret_cast<void*>(heap_advised), brk - heap_advised, MADV_HUGEPAGE);
      heap_advised = brk;
    }
  }
#endif
  return undefined(env);
}

napi_value Init(napi_env env, napi_value exports) {
  keep_freed_memory();
  const napi_property_descriptor props[] = {
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgd", nullptr, Sgd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"im2col", nullptr, Im2col, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"col2im", nullptr, Col2im, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2d", nullptr, Conv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dGrad", nullptr, Conv2dGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unaryGrad", nullptr, UnaryGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lstmGates", nullptr, LstmGates, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lstmGatesGrad", nullptr, LstmGatesGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool2d", nullptr, MaxPool2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mlpSgdEpoch", nullptr, MlpSgdEpoch, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mlpForward", nullptr, MlpForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mlpForwardHeld", nullptr, MlpForwardHeld, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mlpPackedNew", nullptr, MlpPackedNew, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mlpPackedFree", nullptr, MlpPackedFree, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"scatterAdd", nullptr, ScatterAdd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduceSum", nullptr, ReduceSum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumsq", nullptr, Sumsq, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"isa", nullptr, Isa, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setIsa", nullptr, SetIsa, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"numThreads", nullptr, NumThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setNumThreads", nullptr, SetNumThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adviseHeap", nullptr, AdviseHeap, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
