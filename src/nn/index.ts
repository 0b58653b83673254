// neurona/nn: Module, Parameter, layers, activations, losses, init.
export * from './module.ts';
export * from './parameter.ts';
export * from './layers/linear.ts';
export * from './layers/activation.ts';
export * from './layers/container.ts';
export * from './layers/loss.ts';
export * as init from './init.ts';
export * as functional from './functional.ts';
export {
  relu, sigmoid, tanh, leakyRelu, elu, selu, softplus, gelu, softmax, logSoftmax, heaviside, sign, dropout,
  mseLoss, l1Loss, bceLoss, bceWithLogitsLoss, crossEntropy, nllLoss, klDiv, checkFiniteLoss, activations,
} from './functional.ts';
export type { Reduction, CrossEntropyOptions } from './functional.ts';
export * from './generative.ts';
export * from './layers/dense.ts';
export { denseChain } from './layers/dense-chain.ts';
export type { DenseChain } from './layers/dense-chain.ts';
export * from './layers/normalization.ts';
export * from './layers/noise.ts';
export * from './layers/merge.ts';
export * from './symbolic.ts';
export * from './regularizers.ts';
export * from './layers/recurrent.ts';
export * from './layers/conv.ts';
export * from './layers/blocks.ts';
