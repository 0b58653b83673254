// SGD of a small dense network through the backend's fused kernel (Backend.mlpSgdEpochF32: native/mlp.cc
// on the native backend, mlpSgd of wasm/kernels.ts on the WASM one). model/fused-mlp.ts decides when fit
// may use it.
import { getBackend } from '../backend/backend.ts';
import type { MlpEpochArgs, MlpEpochResult } from '../backend/backend.ts';
import { ValueError } from '../core/index.ts';

export type { MlpEpochArgs, MlpEpochResult };

/** Whether the current backend has the fused small-MLP SGD kernel. */
export function hasFusedMlpSgd(): boolean {
  return getBackend().mlpSgdEpochF32 !== undefined;
}

/** Runs a stretch of SGD mini-batches of a dense network in one kernel call (weights and momentum buffers updated in place). */
export function fusedMlpSgd(a: MlpEpochArgs): MlpEpochResult {
  const be = getBackend();
  if (!be.mlpSgdEpochF32) throw new ValueError(`fusedMlpSgd: a backend with the fused MLP kernel (native or wasm); got ${be.name}`);
  return be.mlpSgdEpochF32(a);
}
