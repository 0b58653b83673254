// neurona/optim: optimizers, gradient clipping and learning-rate schedulers.
export * from './optimizer.ts';
export * from './sgd.ts';
export * from './adam.ts';
export * from './adamw.ts';
export * from './rmsprop.ts';
export * from './adagrad.ts';
export * from './adadelta.ts';
export * from './clip-grad.ts';
export * from './lr-scheduler.ts';
export * from './reduce-lr-on-plateau.ts';
export * from './fused-mlp.ts';
