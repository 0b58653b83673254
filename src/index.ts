// The public entry of neurona: tensors and autograd at the top level, the other parts as namespaces
// (`nn`, `optim`, `data`, `datasets`, `metrics`, `keras`, `io`, `classic`, `plot`, `tune`), also importable from their
// subpaths (neurona/nn, neurona/optim, neurona/model, ...). Node-only helpers live in neurona/node.
export * from './core/index.ts';
export { getBackend, setBackend, registerBackend, listBackends, getNumThreads, setNumThreads, threadsReady, nativeBackendStatus, wasmFeatures } from './backend/backend.ts';
export type { Backend, MatmulArgs, Strided, AdamCoefficients, SgdCoefficients, ConvGeometry } from './backend/backend.ts';
export * from './tensor/index.ts';
export * as nn from './nn/index.ts';
export * as optim from './optim/index.ts';
export * as data from './data/index.ts';
export * as datasets from './datasets/index.ts';
export * as metrics from './metrics/index.ts';
export * as keras from './model/index.ts';
export * as io from './io/index.ts';
export * as classic from './classic/index.ts';
export * as plot from './plot/index.ts';
export * as tune from './tune/index.ts';
