// Bilinear resampling weights, shared by the interpolation op and the resize transform.

/**
 * Source indices and weights of bilinear resampling along one axis (PyTorch's align_corners=False):
 * output o reads i0[o] with weight 1 − l1[o] and i1[o] with weight l1[o].
 */
export function bilinearAxisWeights(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; l1: Float64Array } {
  const scale = inSize / outSize;
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const l1 = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const s = Math.max(0, (o + 0.5) * scale - 0.5);
    const f = Math.min(Math.floor(s), inSize - 1);
    i0[o] = f;
    i1[o] = f < inSize - 1 ? f + 1 : f;
    l1[o] = s - f;
  }
  return { i0, i1, l1 };
}
