// String identifiers for initialisers and optimizers (Keras names), resolved by small registries.
import { ValueError } from '../core/index.ts';
import type { Tensor } from '../tensor/index.ts';
import { init } from '../nn/index.ts';
import { Adadelta, Adagrad, Adam, AdamW, Optimizer, RMSprop, SGD } from '../optim/index.ts';

/** An initialiser: fills a tensor in place. */
export type InitializerFn = (t: Tensor) => Tensor;

/** Keras initialiser names (camelCase and snake_case) to functions. */
export const initializerRegistry: Record<string, InitializerFn> = {
  zeros: init.zeros_,
  ones: init.ones_,
  glorotUniform: init.glorotUniform_,
  glorotNormal: init.glorotNormal_,
  heUniform: init.heUniform_,
  heNormal: init.heNormal_,
  lecunUniform: init.lecunUniform_,
  lecunNormal: init.lecunNormal_,
  orthogonal: (t) => init.orthogonal_(t),
  randomNormal: (t) => init.normal_(t, 0, 0.05),
  randomUniform: (t) => init.uniform_(t, -0.05, 0.05),
  truncatedNormal: (t) => init.truncNormal_(t, 0, 0.05, -0.1, 0.1),
  glorot_uniform: init.glorotUniform_,
  glorot_normal: init.glorotNormal_,
  he_uniform: init.heUniform_,
  he_normal: init.heNormal_,
  lecun_uniform: init.lecunUniform_,
  lecun_normal: init.lecunNormal_,
};

/** Keras' RandomUniform(minval, maxval). */
export const randomUniform = (minval = -0.05, maxval = 0.05): InitializerFn => (t) => init.uniform_(t, minval, maxval);
/** Keras' RandomNormal(mean, stddev). */
export const randomNormal = (mean = 0, stddev = 0.05): InitializerFn => (t) => init.normal_(t, mean, stddev);
/** Keras' Constant(value). */
export const constant = (value: number): InitializerFn => (t) => init.constant_(t, value);
/** Keras' VarianceScaling. */
export const varianceScaling = (o: init.VarianceScalingOptions = {}): InitializerFn => (t) => init.varianceScaling_(t, o);

export function resolveInitializer(i: string | InitializerFn | undefined, fallback: InitializerFn): InitializerFn {
  if (i === undefined) return fallback;
  if (typeof i === 'function') return i;
  const f = initializerRegistry[i];
  if (!f) throw new ValueError(`initializer: one of ${Object.keys(initializerRegistry).join(', ')} or a function; got '${i}'`);
  return f;
}

/** Keras-style optimizer options: learningRate (or lr) plus the optimizer's own, and gradient clipping. */
export interface OptimizerConfig {
  name: string;
  learningRate?: number;
  lr?: number;
  momentum?: number;
  nesterov?: boolean;
  beta1?: number;
  beta2?: number;
  rho?: number;
  epsilon?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  /** Clip each parameter's gradient to this L2 norm (Keras' clipnorm). */
  clipNorm?: number;
  /** Clip every gradient element to [-clipValue, clipValue] (Keras' clipvalue). */
  clipValue?: number;
  /** Clip all gradients together to this global L2 norm (Keras' global_clipnorm). */
  globalClipNorm?: number;
}

type Maker = (params: Tensor[], c: OptimizerConfig) => Optimizer;
const lr = (c: OptimizerConfig, d: number): number => c.learningRate ?? c.lr ?? d;

/** Keras optimizer names with Keras' defaults (SGD lr 0.01; Adam/RMSprop lr 0.001, epsilon 1e-7). */
export const optimizerRegistry: Record<string, Maker> = {
  sgd: (p, c) => new SGD(p, { lr: lr(c, 0.01), momentum: c.momentum ?? 0, nesterov: c.nesterov ?? false, weightDecay: c.weightDecay ?? 0 }),
  adam: (p, c) => new Adam(p, { lr: lr(c, 0.001), betas: [c.beta1 ?? 0.9, c.beta2 ?? 0.999], eps: c.epsilon ?? 1e-7, amsgrad: c.amsgrad ?? false, weightDecay: c.weightDecay ?? 0 }),
  adamw: (p, c) => new AdamW(p, { lr: lr(c, 0.001), betas: [c.beta1 ?? 0.9, c.beta2 ?? 0.999], eps: c.epsilon ?? 1e-7, weightDecay: c.weightDecay ?? 0.004 }),
  rmsprop: (p, c) => new RMSprop(p, { lr: lr(c, 0.001), alpha: c.rho ?? 0.9, eps: c.epsilon ?? 1e-7, momentum: c.momentum ?? 0 }),
  adagrad: (p, c) => new Adagrad(p, { lr: lr(c, 0.001), initialAccumulatorValue: 0.1, eps: c.epsilon ?? 1e-7 }),
  adadelta: (p, c) => new Adadelta(p, { lr: lr(c, 0.001), rho: c.rho ?? 0.95, eps: c.epsilon ?? 1e-7 }),
};

/** Keras-style optimizer constructors: `sgd({ learningRate: 0.01, momentum: 0.9, clipNorm: 1 })`. */
export const optimizers = {
  sgd: (o: Omit<OptimizerConfig, 'name'> = {}): OptimizerConfig => ({ name: 'sgd', ...o }),
  adam: (o: Omit<OptimizerConfig, 'name'> = {}): OptimizerConfig => ({ name: 'adam', ...o }),
  adamw: (o: Omit<OptimizerConfig, 'name'> = {}): OptimizerConfig => ({ name: 'adamw', ...o }),
  rmsprop: (o: Omit<OptimizerConfig, 'name'> = {}): OptimizerConfig => ({ name: 'rmsprop', ...o }),
  adagrad: (o: Omit<OptimizerConfig, 'name'> = {}): OptimizerConfig => ({ name: 'adagrad', ...o }),
  adadelta: (o: Omit<OptimizerConfig, 'name'> = {}): OptimizerConfig => ({ name: 'adadelta', ...o }),
};

/** What compile accepts as an optimizer. */
export type OptimizerLike = string | OptimizerConfig | Optimizer | ((params: Tensor[]) => Optimizer);

/** Builds the optimizer for `params`; returns it with the clipping settings of a config. */
export function resolveOptimizer(o: OptimizerLike, params: Tensor[]): { optimizer: Optimizer; clip: OptimizerConfig } {
  if (o instanceof Optimizer) return { optimizer: o, clip: { name: 'custom' } };
  if (typeof o === 'function') return { optimizer: o(params), clip: { name: 'custom' } };
  const c: OptimizerConfig = typeof o === 'string' ? { name: o } : o;
  const make = optimizerRegistry[c.name.toLowerCase()];
  if (!make) throw new ValueError(`compile: an optimizer among ${Object.keys(optimizerRegistry).join(', ')}; got '${c.name}'`);
  for (const k of ['clipNorm', 'clipValue', 'globalClipNorm'] as const) {
    const v = c[k];
    if (v !== undefined && !(v > 0)) throw new ValueError(`compile: a positive ${k}; got ${v}`);
  }
  return { optimizer: make(params, c), clip: c };
}
