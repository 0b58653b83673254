// Model architecture as versioned JSON (layer class names + plain options), and back. Only the
// classes in the registry below can be rebuilt: loading never evaluates code.
import { DataError, ValueError } from '../core/index.ts';
import * as nn from '../nn/index.ts';
import type { Module } from '../nn/index.ts';
import { SymbolicTensor } from '../nn/index.ts';
import { FunctionalModel, SequentialModel, input } from './models.ts';

/** The version of the architecture format written by this code. */
export const MODEL_FORMAT_VERSION = 1;

/** A layer as JSON: its class, its name and its options. */
export interface LayerConfig {
  className: string;
  name?: string;
  config: Record<string, unknown>;
}

interface LayerCodec {
  toConfig(m: Module): Record<string, unknown>;
  fromConfig(c: Record<string, unknown>): Module;
}

type Json = Record<string, unknown>;
const num = (c: Json, k: string): number => {
  const v = c[k];
  if (typeof v !== 'number') throw new DataError(`loadModel: a number for '${k}' in a layer config; got ${JSON.stringify(v)}`);
  return v;
};
const numOrNull = (c: Json, k: string): number | null => (c[k] === null ? null : num(c, k));
const reg = (r: nn.Regularizer | null | undefined): Json | null => (r ? r.getConfig() : null);
const toReg = (v: unknown): nn.Regularizer | null => {
  if (v === null || v === undefined) return null;
  const o = v as Json;
  return new nn.Regularizer(Number(o.l1 ?? 0), Number(o.l2 ?? 0));
};

function simple(make: () => Module): LayerCodec {
  return { toConfig: () => ({}), fromConfig: () => make() };
}

function recurrentCodec(make: (i: number, h: number, o: nn.RecurrentOptions & { nonlinearity?: 'tanh' | 'relu' }) => Module): LayerCodec {
  return {
    toConfig: (m) => {
      const r = m as nn.RecurrentBase;
      const kind = (r as unknown as { kind: string }).kind;
      return {
        inputSize: r.inputSize, hiddenSize: r.hiddenSize, numLayers: r.numLayers, bias: r.bias, batchFirst: r.batchFirst,
        dropout: r.dropout, bidirectional: r.bidirectional, returnSequences: r.returnSequences, nonlinearity: kind === 'RNN_RELU' ? 'relu' : 'tanh',
      };
    },
    fromConfig: (c) =>
      make(num(c, 'inputSize'), num(c, 'hiddenSize'), {
        numLayers: num(c, 'numLayers'), bias: c.bias !== false, batchFirst: c.batchFirst === true, dropout: num(c, 'dropout'),
        bidirectional: c.bidirectional === true, returnSequences: c.returnSequences !== false, nonlinearity: c.nonlinearity === 'relu' ? 'relu' : 'tanh',
      }),
  };
}

const activationNames = new Set(Object.keys(nn.activations));

const codecs: Record<string, LayerCodec> = {
  Linear: {
    toConfig: (m) => {
      const l = m as nn.Linear;
      return { inFeatures: l.inFeatures, outFeatures: l.outFeatures, bias: l.bias !== null, dtype: l.weight?.dtype ?? 'float32' };
    },
    fromConfig: (c) => new nn.Linear(numOrNull(c, 'inFeatures'), num(c, 'outFeatures'), { bias: c.bias !== false, dtype: c.dtype === 'float64' ? 'float64' : 'float32' }),
  },
  Dense: {
    toConfig: (m) => {
      const d = m as nn.Dense;
      if (d.activationName === 'custom') throw new ValueError(`saveModel: layers whose activation is named (e.g. 'relu'); got a custom function in ${d.name ?? 'a Dense layer'}`);
      return {
        inFeatures: d.inFeatures, units: d.outFeatures, useBias: d.bias !== null, activation: d.activationName, dtype: d.weight?.dtype ?? 'float32',
        kernelRegularizer: reg(d.regs.kernelRegularizer), biasRegularizer: reg(d.regs.biasRegularizer), activityRegularizer: reg(d.regs.activityRegularizer),
      };
    },
    fromConfig: (c) => {
      const act = c.activation;
      if (act !== null && (typeof act !== 'string' || !activationNames.has(act))) throw new DataError(`loadModel: a known activation name; got ${JSON.stringify(act)}`);
      return new nn.Dense(numOrNull(c, 'inFeatures'), num(c, 'units'), {
        bias: c.useBias !== false, activation: act as string | null, dtype: c.dtype === 'float64' ? 'float64' : 'float32',
        kernelRegularizer: toReg(c.kernelRegularizer), biasRegularizer: toReg(c.biasRegularizer), activityRegularizer: toReg(c.activityRegularizer),
      });
    },
  },
  BatchNorm1d: {
    toConfig: (m) => {
      const b = m as nn.BatchNorm1d;
      return { numFeatures: b.numFeatures, eps: b.eps, momentum: b.momentum, affine: b.affine, unbiasedRunningVar: b.unbiasedRunningVar };
    },
    fromConfig: (c) => new nn.BatchNorm1d(numOrNull(c, 'numFeatures'), { eps: num(c, 'eps'), momentum: num(c, 'momentum'), affine: c.affine !== false, unbiasedRunningVar: c.unbiasedRunningVar !== false }),
  },
  Dropout: { toConfig: (m) => ({ p: (m as nn.Dropout).p }), fromConfig: (c) => new nn.Dropout(num(c, 'p')) },
  GaussianNoise: { toConfig: (m) => ({ stddev: (m as nn.GaussianNoise).stddev }), fromConfig: (c) => new nn.GaussianNoise(num(c, 'stddev')) },
  Flatten: {
    toConfig: (m) => ({ startDim: (m as nn.Flatten).startDim, endDim: (m as nn.Flatten).endDim }),
    fromConfig: (c) => new nn.Flatten(num(c, 'startDim'), num(c, 'endDim')),
  },
  Activation: {
    toConfig: (m) => {
      const a = m as nn.Activation;
      if (!activationNames.has(a.activationName)) throw new ValueError(`saveModel: an Activation layer with a named activation; got '${a.activationName}'`);
      return { activation: a.activationName };
    },
    fromConfig: (c) => {
      const name = c.activation;
      if (typeof name !== 'string' || !activationNames.has(name)) throw new DataError(`loadModel: a known activation name; got ${JSON.stringify(name)}`);
      return new nn.Activation(nn.activations[name]!, name);
    },
  },
  LeakyReLU: { toConfig: (m) => ({ negativeSlope: (m as nn.LeakyReLU).negativeSlope }), fromConfig: (c) => new nn.LeakyReLU(num(c, 'negativeSlope')) },
  ELU: { toConfig: (m) => ({ alpha: (m as nn.ELU).alpha }), fromConfig: (c) => new nn.ELU(num(c, 'alpha')) },
  Softmax: { toConfig: (m) => ({ dim: (m as nn.Softmax).dim }), fromConfig: (c) => new nn.Softmax(num(c, 'dim')) },
  LogSoftmax: { toConfig: (m) => ({ dim: (m as nn.LogSoftmax).dim }), fromConfig: (c) => new nn.LogSoftmax(num(c, 'dim')) },
  Concatenate: { toConfig: (m) => ({ axis: (m as nn.Concatenate).axis }), fromConfig: (c) => new nn.Concatenate(num(c, 'axis')) },
  RNN: recurrentCodec((i, h, o) => new nn.RNN(i, h, o)),
  LSTM: recurrentCodec((i, h, o) => new nn.LSTM(i, h, o)),
  GRU: recurrentCodec((i, h, o) => new nn.GRU(i, h, o)),
  Embedding: {
    toConfig: (m) => ({ numEmbeddings: (m as nn.Embedding).numEmbeddings, embeddingDim: (m as nn.Embedding).embeddingDim }),
    fromConfig: (c) => new nn.Embedding(num(c, 'numEmbeddings'), num(c, 'embeddingDim')),
  },
  Conv2d: {
    toConfig: (m) => {
      const c = m as nn.Conv2d;
      return { inChannels: c.inChannels, outChannels: c.outChannels, kernelSize: c.kernelSize, stride: c.opts.stride ?? 1, padding: c.opts.padding ?? 0, dilation: c.opts.dilation ?? 1, groups: c.opts.groups ?? 1, bias: c.bias !== null };
    },
    fromConfig: (c) => new nn.Conv2d(num(c, 'inChannels'), num(c, 'outChannels'), c.kernelSize as [number, number], {
      stride: c.stride as number, padding: c.padding as number, dilation: c.dilation as number, groups: num(c, 'groups'), bias: c.bias !== false,
    }),
  },
  MaxPool2d: {
    toConfig: (m) => ({ kernelSize: (m as nn.MaxPool2d).kernelSize, ...(m as nn.MaxPool2d).opts }),
    fromConfig: (c) => new nn.MaxPool2d(c.kernelSize as number, { stride: c.stride as number | undefined, padding: c.padding as number | undefined }),
  },
  AvgPool2d: {
    toConfig: (m) => ({ kernelSize: (m as nn.AvgPool2d).kernelSize, ...(m as nn.AvgPool2d).opts }),
    fromConfig: (c) => new nn.AvgPool2d(c.kernelSize as number, { stride: c.stride as number | undefined, padding: c.padding as number | undefined, countIncludePad: c.countIncludePad as boolean | undefined }),
  },
  AdaptiveAvgPool2d: simple(() => new nn.AdaptiveAvgPool2d(1)),
  ConvTranspose2d: {
    toConfig: (m) => {
      const c = m as nn.ConvTranspose2d;
      return { inChannels: c.inChannels, outChannels: c.outChannels, kernelSize: c.kernelSize, stride: c.opts.stride ?? 1, padding: c.opts.padding ?? 0, outputPadding: c.opts.outputPadding ?? 0, dilation: c.opts.dilation ?? 1, bias: c.bias !== null };
    },
    fromConfig: (c) => new nn.ConvTranspose2d(num(c, 'inChannels'), num(c, 'outChannels'), c.kernelSize as [number, number], {
      stride: c.stride as number, padding: c.padding as number, outputPadding: c.outputPadding as number, dilation: c.dilation as number, bias: c.bias !== false,
    }),
  },
  Conv1d: {
    toConfig: (m) => {
      const c = m as nn.Conv1d;
      return { inChannels: c.inChannels, outChannels: c.outChannels, kernelSize: c.kernelSize, stride: c.opts.stride ?? 1, padding: c.opts.padding ?? 0, dilation: c.opts.dilation ?? 1, groups: c.opts.groups ?? 1, bias: c.bias !== null };
    },
    fromConfig: (c) => new nn.Conv1d(num(c, 'inChannels'), num(c, 'outChannels'), num(c, 'kernelSize'), {
      stride: num(c, 'stride'), padding: c.padding as number | 'same' | 'valid', dilation: num(c, 'dilation'), groups: num(c, 'groups'), bias: c.bias !== false,
    }),
  },
  Upsample: {
    toConfig: (m) => ({ scaleFactor: (m as nn.Upsample).scaleFactor, mode: (m as nn.Upsample).mode }),
    fromConfig: (c) => new nn.Upsample(c.scaleFactor as number, { mode: (c.mode as 'nearest' | 'bilinear' | undefined) ?? 'nearest' }),
  },
  Dropout2d: { toConfig: (m) => ({ p: (m as nn.Dropout2d).p }), fromConfig: (c) => new nn.Dropout2d(num(c, 'p')) },
  BatchNorm2d: {
    toConfig: (m) => {
      const b = m as nn.BatchNorm2d;
      return { numFeatures: b.numFeatures, eps: b.eps, momentum: b.momentum, affine: b.affine, unbiasedRunningVar: b.unbiasedRunningVar };
    },
    fromConfig: (c) => new nn.BatchNorm2d(numOrNull(c, 'numFeatures'), { eps: num(c, 'eps'), momentum: num(c, 'momentum'), affine: c.affine !== false, unbiasedRunningVar: c.unbiasedRunningVar !== false }),
  },
  Add: simple(() => new nn.Add()),
  ReLU: simple(() => new nn.ReLU()),
  Sigmoid: simple(() => new nn.Sigmoid()),
  Tanh: simple(() => new nn.Tanh()),
  SELU: simple(() => new nn.SELU()),
  GELU: simple(() => new nn.GELU()),
  Softplus: simple(() => new nn.Softplus()),
  Heaviside: simple(() => new nn.Heaviside()),
  Sign: simple(() => new nn.Sign()),
  Identity: simple(() => new nn.Identity()),
  Sequential: {
    toConfig: (m) => ({ layers: (m as nn.Sequential).namedChildren().map(([n, l]) => layerToConfig(l, n)) }),
    fromConfig: (c) => {
      const s = new nn.Sequential();
      for (const lc of asLayerList(c.layers)) s.add(layerFromConfig(lc), lc.name);
      return s;
    },
  },
};

/** A layer (with nested layers for nn.Sequential) as JSON. */
export function layerToConfig(m: Module, name?: string): LayerConfig {
  const className = m.constructor.name;
  const codec = codecs[className];
  if (!codec) {
    throw new ValueError(`saveModel: layers of the built-in classes (${Object.keys(codecs).join(', ')}); got ${className}. Save its weights with saveStateDict instead`);
  }
  return { className, name: name ?? m.name, config: codec.toConfig(m) };
}

function asLayerList(v: unknown): LayerConfig[] {
  if (!Array.isArray(v)) throw new DataError(`loadModel: a list of layer configs; got ${JSON.stringify(v)?.slice(0, 80)}`);
  return v as LayerConfig[];
}

/** Rebuilds a layer from its JSON (only registered classes; unknown ones are refused). */
export function layerFromConfig(c: LayerConfig): Module {
  if (!c || typeof c !== 'object' || typeof c.className !== 'string' || !Object.hasOwn(codecs, c.className)) {
    throw new DataError(`loadModel: a layer of a known class (${Object.keys(codecs).join(', ')}); got ${JSON.stringify((c as LayerConfig | null)?.className)}`);
  }
  const m = codecs[c.className]!.fromConfig((c.config ?? {}) as Json);
  if (typeof c.name === 'string') m.name = c.name;
  return m;
}

/** A whole model's architecture. */
export type ModelConfig =
  | { format: 'neurona-model'; version: number; className: 'Sequential'; name: string; inputShape: number[] | null; layers: LayerConfig[] }
  | {
      format: 'neurona-model';
      version: number;
      className: 'Functional';
      name: string;
      inputs: { name: string; shape: number[] }[];
      layers: LayerConfig[];
      /** Calls in order: which layer, on which tensors ('i:<k>' inputs, 'n:<k>' earlier calls). */
      nodes: { layer: string; inputs: string[] }[];
      outputs: string[];
    };

/** The architecture of a Keras-style model (SequentialModel or FunctionalModel) as JSON. */
export function modelToConfig(m: Module): ModelConfig {
  if (m instanceof SequentialModel) {
    return { format: 'neurona-model', version: MODEL_FORMAT_VERSION, className: 'Sequential', name: m.name ?? 'sequential', inputShape: m.inputShape, layers: m.namedChildren().map(([n, l]) => layerToConfig(l, n)) };
  }
  if (m instanceof FunctionalModel) {
    const ids = new Map<SymbolicTensor, string>();
    m.inputs.forEach((t, i) => ids.set(t, `i:${i}`));
    const layerNames = new Map(m.layerList().map(([n, l]) => [l, n] as const));
    const nodes: { layer: string; inputs: string[] }[] = [];
    const visit = (t: SymbolicTensor): string => {
      const known = ids.get(t);
      if (known) return known;
      const ins = t.inputs.map(visit);
      const id = `n:${nodes.length}`;
      nodes.push({ layer: layerNames.get(t.layer as Module)!, inputs: ins });
      ids.set(t, id);
      return id;
    };
    const outputs = m.outputs.map(visit);
    return {
      format: 'neurona-model', version: MODEL_FORMAT_VERSION, className: 'Functional', name: m.name ?? 'model',
      inputs: m.inputs.map((t) => ({ name: t.name, shape: t.shape.slice(1) as number[] })),
      layers: m.layerList().map(([n, l]) => layerToConfig(l, n)),
      nodes, outputs,
    };
  }
  throw new ValueError(`saveModel: a Keras-style model (sequential() or model()); got ${m.constructor.name}. For other modules save the weights with saveStateDict`);
}

/** Rebuilds a model from its architecture JSON (weights not loaded). */
export function modelFromConfig(c: ModelConfig): SequentialModel | FunctionalModel {
  if (!c || typeof c !== 'object' || c.format !== 'neurona-model') throw new DataError(`loadModel: an architecture with format 'neurona-model'; got ${JSON.stringify((c as { format?: unknown } | null)?.format)}`);
  if (typeof c.version !== 'number' || c.version > MODEL_FORMAT_VERSION) {
    throw new DataError(`loadModel: a model format version <= ${MODEL_FORMAT_VERSION}; got ${JSON.stringify(c.version)}. Update neurona to read it`);
  }
  if (c.className === 'Sequential') {
    const layers = asLayerList(c.layers).map((lc) => layerFromConfig(lc));
    const m = new SequentialModel([], { name: c.name });
    if (c.inputShape) m.add(input({ shape: c.inputShape }));
    for (const l of layers) m.add(l);
    return m;
  }
  if (c.className === 'Functional') {
    const layers = new Map(asLayerList(c.layers).map((lc) => [lc.name ?? '', layerFromConfig(lc)] as const));
    const inputs = c.inputs.map((i) => input({ shape: i.shape, name: i.name }));
    const values = new Map<string, SymbolicTensor>(inputs.map((t, i) => [`i:${i}`, t] as const));
    c.nodes.forEach((n, k) => {
      const layer = layers.get(n.layer);
      if (!layer) throw new DataError(`loadModel: node ${k} to call a layer of the model; got unknown layer '${n.layer}'`);
      const ins = n.inputs.map((id) => {
        const v = values.get(id);
        if (!v) throw new DataError(`loadModel: node ${k}'s inputs to be defined earlier; got '${id}'`);
        return v;
      });
      values.set(`n:${k}`, layer.call(...ins));
    });
    const outputs = c.outputs.map((id) => {
      const v = values.get(id);
      if (!v) throw new DataError(`loadModel: outputs among the model's tensors; got '${id}'`);
      return v;
    });
    return new FunctionalModel({ inputs, outputs, name: c.name });
  }
  throw new DataError(`loadModel: a model class 'Sequential' or 'Functional'; got ${JSON.stringify((c as { className?: unknown }).className)}`);
}
