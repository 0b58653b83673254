// neurona/model: Keras-style models (Sequential, functional), compile/fit/evaluate/predict, callbacks,
// losses and metrics by name, summary.
export * from './models.ts';
export * from './layers.ts';
export * from './training.ts';
export { setFusedMlp, FUSED_MLP_MAX_WORK } from './fused-mlp.ts';
export * from './callbacks.ts';
export * from './losses.ts';
export * from './metrics.ts';
export * from './registry.ts';
export * from './summary.ts';
export { l1, l2, l1l2, Regularizer } from '../nn/index.ts';
export * from './serialization.ts';
export * from './saving.ts';
