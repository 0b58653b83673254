// The public entry of neurona: tensors, autograd and the parts built on them.
import { registerBackend } from './backend/backend.ts';
import { tsBackend } from './backend/ts/index.ts';

registerBackend(tsBackend);

export * from './core/index.ts';
export { getBackend, setBackend, registerBackend, listBackends } from './backend/backend.ts';
export type { Backend, MatmulArgs, Strided } from './backend/backend.ts';
export * from './tensor/index.ts';
