#pragma once
#include <cstdint>
#include "elementwise.h"
#include "gemm.h"

namespace neurona {

/** A dense layer of a fused MLP: y = act(W·x + b), W [out, in] row-major, b [out] or null. */
struct MlpLayer {
  int in;
  int out;
  float* w;
  float* b;
  /** SGD's momentum buffers of w and b (null without momentum). */
  float* bw;
  float* bb;
  /** 0 identity, 1 relu, 2 sigmoid, 3 tanh, 4 softmax (the last layer only). */
  int act;
};

/** Loss of a fused MLP epoch: 0 mean squared error (mean over outputs), 1 categorical cross-entropy on
 * softmax probabilities with float targets, 2 the same with class indices, 3 binary cross-entropy on
 * probabilities (mean over outputs). */
enum MlpLoss { kMlpMse = 0, kMlpCce = 1, kMlpSparseCce = 2, kMlpBce = 3 };
/** Accuracy counted alongside: 0 none, 1 argmax vs argmax of the target row, 2 argmax vs the class index,
 * 3 binary (prediction > 0.5 vs target > 0.5, per element). */
enum MlpAccuracy { kAccNone = 0, kAccCategorical = 1, kAccSparse = 2, kAccBinary = 3 };

struct MlpEpochResult {
  int batches;     // batches run (fewer than asked when a batch's loss was not finite: it stops after it)
  double lossSum;  // sum over the samples run of their loss (each batch's mean loss times its size)
  double correct;  // accuracy hits (elements for binary, samples otherwise)
};

/**
 * SGD (elementwise.h's sgd_f32 with `step`'s coefficients; `first`'s for the call's first batch, where
 * momentum buffers may start) over `batches` mini-batches of `batchSize` samples taken in `order` from
 * position `start` (the last batch may be shorter when the order runs out at n), each batch's gradient
 * being that of its mean loss, as one call. x [n, in0] and y [n, outL] (or labels [n]) are indexed by
 * the order's entries.
 */
MlpEpochResult mlp_sgd_epoch(const MlpLayer* layers, int nLayers, const float* x, const float* y, const int32_t* labels, const int32_t* order, int n, int start,
                             int batches, int batchSize, int loss, int acc, const SgdCoefs& step, const SgdCoefs& first);

/**
 * Inference: out [rows, layers[L-1].out] from x [rows, layers[0].in] through the layers (activation
 * codes 0-3; the momentum buffers are not used), with gemm.h's sgemm and activations.h's unary_f32.
 * `packed` (null, or one PackedB per layer kept by the caller) holds the weights packed by an earlier
 * call, packed again when `repack` (the caller's weights changed) or when their shapes or the
 * micro-kernel family no longer match.
 */
void mlp_forward(const MlpLayer* layers, int nLayers, const float* x, int rows, float* out, PackedB* packed = nullptr, bool repack = true);
/**
 * Whether mlp_forward on `rows` rows with these packings and no repack reads the packings only, never a
 * layer's own weights (so their `w` may be null): the packings are current for the layers' shapes and
 * `rows` takes a packed path (1-3 rows, or the many-rows blocks).
 */
bool mlp_forward_reads_packing_only(const MlpLayer* layers, int nLayers, int rows, const PackedB* packed);

}  // namespace neurona
