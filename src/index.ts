// The public entry of neurona: tensors and autograd at the top level, the rest as namespaces
// (also importable from subpaths: neurona/nn, neurona/optim, neurona/data, ...).
export * from './core/index.ts';
export { getBackend, setBackend, registerBackend, listBackends } from './backend/backend.ts';
export type { Backend, MatmulArgs, Strided } from './backend/backend.ts';
export * from './tensor/index.ts';
