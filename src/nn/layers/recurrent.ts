// Recurrent layers (PyTorch's conventions): RNN, LSTM, GRU over sequences, their cells, and Embedding.
// Gate layouts: LSTM (i, f, g, o), GRU (r, z, n), stacked in the rows of weight_ih / weight_hh.
// Default init (PyTorch): every weight and bias ~ U(−1/√H, 1/√H).
import { ShapeError, ValueError, fmtShape } from '../../core/index.ts';
import { Tensor, concat, gruGates, lstmGates, lstmSequence, stack, tensor, where, zeros } from '../../tensor/index.ts';
import type { DType } from '../../core/index.ts';
import { Module } from '../module.ts';
import { Parameter } from '../parameter.ts';
import { normal_, uniform_ } from '../init.ts';
import { dropout } from '../functional.ts';

type Kind = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
const gatesOf = (k: Kind): number => (k === 'LSTM' ? 4 : k === 'GRU' ? 3 : 1);

/** The state a recurrent layer carries: h, plus c for an LSTM; [numLayers·directions, B, H]. */
export interface RecurrentState {
  h: Tensor;
  c?: Tensor;
}

export interface RecurrentOptions {
  numLayers?: number;
  bias?: boolean;
  /** Inputs and outputs as [B, T, F] instead of [T, B, F]. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last (training only). */
  dropout?: number;
  bidirectional?: boolean;
  /**
   * forward returns the whole output sequence (true, PyTorch's behaviour and the default) or only the
   * final hidden state of the last layer, [B, D·H] (false, Keras' default for its recurrent layers).
   */
  returnSequences?: boolean;
  dtype?: DType;
}

function param(shape: number[], bound: number, dtype: DType): Parameter {
  const p = new Parameter(zeros(shape, { dtype }));
  uniform_(p, -bound, bound);
  return p;
}

/** One step of a cell: the fused gate math after the two linear maps. */
function cellStep(kind: Kind, xg: Tensor, h: Tensor, c: Tensor | undefined, whh: Tensor, bhh: Tensor | null): { h: Tensor; c?: Tensor } {
  const hg = h.linear(whh, bhh);
  if (kind === 'LSTM') {
    const hc = lstmGates(xg.add(hg), c!);
    const hs = hc.shape[1]! / 2;
    return { h: hc.narrow(1, 0, hs), c: hc.narrow(1, hs, hs) };
  }
  if (kind === 'GRU') return { h: gruGates(xg, hg, h) };
  const pre = xg.add(hg);
  return { h: kind === 'RNN_TANH' ? pre.tanh() : pre.relu() };
}

/** The shared machinery of RNN, LSTM and GRU (multi-layer, bidirectional, padded batches). */
export abstract class RecurrentBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly returnSequences: boolean;
  protected abstract readonly kind: Kind;

  constructor(inputSize: number, hiddenSize: number, o: RecurrentOptions, kind: Kind) {
    super();
    for (const [k, v] of [['inputSize', inputSize], ['hiddenSize', hiddenSize], ['numLayers', o.numLayers ?? 1]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ValueError(`${this.constructor.name}: a positive integer ${k}; got ${v}`);
    }
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = o.numLayers ?? 1;
    this.bias = o.bias ?? true;
    this.batchFirst = o.batchFirst ?? false;
    this.dropout = o.dropout ?? 0;
    this.bidirectional = o.bidirectional ?? false;
    this.returnSequences = o.returnSequences ?? true;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new ValueError(`${this.constructor.name}: dropout in [0, 1); got ${this.dropout}`);
    const g = gatesOf(kind);
    const bound = 1 / Math.sqrt(hiddenSize);
    const dtype = o.dtype ?? 'float32';
    const dirs = this.bidirectional ? 2 : 1;
    const fields = this as unknown as Record<string, Parameter>;
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        const inF = l === 0 ? inputSize : hiddenSize * dirs;
        fields[`weight_ih${sfx}`] = param([g * hiddenSize, inF], bound, dtype);
        fields[`weight_hh${sfx}`] = param([g * hiddenSize, hiddenSize], bound, dtype);
        if (this.bias) {
          fields[`bias_ih${sfx}`] = param([g * hiddenSize], bound, dtype);
          fields[`bias_hh${sfx}`] = param([g * hiddenSize], bound, dtype);
        }
      }
    }
  }

  private p(name: string): Parameter | null {
    return (this as unknown as Record<string, Parameter | undefined>)[name] ?? null;
  }

  /**
   * The output sequence ([T, B, D·H], or [B, T, D·H] with batchFirst), or with returnSequences false
   * the last layer's final hidden state [B, D·H].
   */
  forward(x: Tensor): Tensor {
    if (this.returnSequences) return this.forwardWithState(x).output;
    // Only the final state is needed: skip stacking the output sequence.
    const r = this.forwardWithState(x, undefined, { skipOutput: true });
    const dirs = this.bidirectional ? 2 : 1;
    const last = r.state.h.narrow(0, r.state.h.shape[0]! - dirs, dirs);
    return dirs === 1 ? last.select(0, 0) : concat([last.select(0, 0), last.select(0, 1)], 1);
  }

  /**
   * Runs the sequence from `state` (zeros by default) and returns the output sequence and the final
   * state. `lengths` (one per batch item) marks padded batches: steps past an item's length leave its
   * state unchanged and output zeros, so the final state is the one at its last real step (and the
   * reverse direction starts at that step), as PyTorch's packed sequences do. `skipOutput` returns
   * only the last step's output (saves stacking the sequence when only the state is used).
   */
  forwardWithState(x: Tensor, state?: RecurrentState, opts: { lengths?: number[]; skipOutput?: boolean } = {}): { output: Tensor; state: RecurrentState } {
    const name = this.constructor.name;
    if (x.ndim !== 3) throw new ShapeError(`${name}: input of shape ${this.batchFirst ? '[B, T, F]' : '[T, B, F]'}; got ${fmtShape(x.shape)}`);
    const seq = this.batchFirst ? x.transpose(0, 1) : x;
    const [T, B, F] = seq.shape as [number, number, number];
    if (F !== this.inputSize) throw new ShapeError(`${name}: ${this.inputSize} input features in the last dim; got ${fmtShape(x.shape)}`);
    const dirs = this.bidirectional ? 2 : 1;
    const H = this.hiddenSize;
    const want = [this.numLayers * dirs, B, H];
    for (const [k, t] of [['h', state?.h], ['c', state?.c]] as const) {
      if (t && (t.ndim !== 3 || t.shape.some((v, i) => v !== want[i]))) {
        throw new ShapeError(`${name}: an initial ${k} of shape ${fmtShape(want)}; got ${fmtShape(t.shape)}`);
      }
    }
    const lengths = opts.lengths;
    let masks: Tensor[] | null = null;
    if (lengths) {
      if (lengths.length !== B || lengths.some((n) => !Number.isInteger(n) || n < 1 || n > T)) {
        throw new ValueError(`${name}: lengths, one integer in [1, ${T}] per batch item (${B}); got [${lengths.join(', ')}]`);
      }
      masks = Array.from({ length: T }, (_, t) => tensor(lengths.map((n) => t < n)).reshape([B, 1]));
    }
    const isLstm = this.kind === 'LSTM';
    if (isLstm && !masks) return this.lstmLayers(seq, state, opts.skipOutput === true);
    // Layers pass per-step tensors to each other (no slicing of a stacked sequence, whose gradient
    // would be scattered into a full-size zero tensor at every step).
    let layerIn: Tensor[] = Array.from({ length: T }, (_, t) => seq.select(0, t));
    const hN: Tensor[] = [];
    const cN: Tensor[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[][] = [];
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        const idx = l * dirs + d;
        let h = state?.h ? state.h.select(0, idx) : zeros([B, H], { dtype: x.dtype });
        let c = isLstm ? (state?.c ? state.c.select(0, idx) : zeros([B, H], { dtype: x.dtype })) : undefined;
        const wih = this.p(`weight_ih${sfx}`)!;
        const bih = this.p(`bias_ih${sfx}`);
        const whh = this.p(`weight_hh${sfx}`)!;
        const bhh = this.p(`bias_hh${sfx}`);
        const steps: Tensor[] = new Array(T);
        for (let s = 0; s < T; s++) {
          const t = d ? T - 1 - s : s;
          const next = cellStep(this.kind, layerIn[t]!.linear(wih, bih), h, c, whh, bhh);
          if (masks) {
            const m = masks[t]!;
            h = where(m, next.h, h);
            if (isLstm) c = where(m, next.c!, c!);
            steps[t] = where(m, next.h, 0);
          } else {
            h = next.h;
            c = next.c;
            steps[t] = h;
          }
        }
        outs.push(steps);
        hN.push(h);
        if (isLstm) cN.push(c!);
      }
      layerIn = dirs === 2 ? outs[0]!.map((o, t) => concat([o, outs[1]![t]!], 1)) : outs[0]!;
      if (this.dropout > 0 && l < this.numLayers - 1) layerIn = layerIn.map((o) => dropout(o, this.dropout, this.training));
    }
    const finalState: RecurrentState = isLstm ? { h: stack(hN, 0), c: stack(cN, 0) } : { h: stack(hN, 0) };
    if (opts.skipOutput) return { output: layerIn[T - 1]!, state: finalState };
    const seqOut = stack(layerIn, 0);
    return { output: this.batchFirst ? seqOut.transpose(0, 1) : seqOut, state: finalState };
  }

  /**
   * An LSTM without padding: per layer and direction, one matmul projects the inputs of all steps and
   * the recurrence runs as one lstmSequence op (one graph node, not a handful per step).
   */
  private lstmLayers(seq: Tensor, state: RecurrentState | undefined, skipOutput: boolean): { output: Tensor; state: RecurrentState } {
    const [T, B] = seq.shape as [number, number, number];
    const H = this.hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    let layerIn = seq;
    const hN: Tensor[] = [];
    const cN: Tensor[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        const idx = l * dirs + d;
        const bih = this.p(`bias_ih${sfx}`);
        const bhh = this.p(`bias_hh${sfx}`);
        const bias = bih && bhh ? bih.add(bhh) : bih ?? bhh;
        const xg = layerIn.reshape([T * B, layerIn.shape[2]!]).linear(this.p(`weight_ih${sfx}`)!, bias).reshape([T, B, 4 * H]);
        const h0 = state?.h ? state.h.select(0, idx) : zeros([B, H], { dtype: seq.dtype });
        const c0 = state?.c ? state.c.select(0, idx) : zeros([B, H], { dtype: seq.dtype });
        const y = lstmSequence(xg, h0, c0, this.p(`weight_hh${sfx}`)!, d === 1);
        const last = y.select(0, d ? 0 : T - 1);
        hN.push(last.narrow(1, 0, H));
        cN.push(last.narrow(1, H, H));
        outs.push(y.narrow(2, 0, H));
      }
      layerIn = dirs === 2 ? concat(outs, 2) : outs[0]!;
      if (this.dropout > 0 && l < this.numLayers - 1) layerIn = dropout(layerIn, this.dropout, this.training);
    }
    const finalState: RecurrentState = { h: stack(hN, 0), c: stack(cN, 0) };
    if (skipOutput) return { output: layerIn.select(0, T - 1), state: finalState };
    return { output: this.batchFirst ? layerIn.transpose(0, 1) : layerIn, state: finalState };
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.numLayers > 1 ? `, numLayers=${this.numLayers}` : ''}${this.batchFirst ? ', batchFirst=true' : ''}${this.bidirectional ? ', bidirectional=true' : ''}`;
  }
}

/**
 * Elman RNN: h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh) (or ReLU).
 * Shape: [T, B, I] -> [T, B, D·H] (batchFirst: [B, T, ...]).
 */
export class RNN extends RecurrentBase {
  protected readonly kind: Kind;
  constructor(inputSize: number, hiddenSize: number, o: RecurrentOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    const kind: Kind = o.nonlinearity === 'relu' ? 'RNN_RELU' : 'RNN_TANH';
    super(inputSize, hiddenSize, o, kind);
    this.kind = kind;
  }
}
/** LSTM with PyTorch's gates (i, f, g, o); the gate math is one fused op per step. */
export class LSTM extends RecurrentBase {
  protected readonly kind: Kind = 'LSTM';
  constructor(inputSize: number, hiddenSize: number, o: RecurrentOptions = {}) {
    super(inputSize, hiddenSize, o, 'LSTM');
  }
}
/** GRU with PyTorch's gates (r, z, n); the gate math is one fused op per step. */
export class GRU extends RecurrentBase {
  protected readonly kind: Kind = 'GRU';
  constructor(inputSize: number, hiddenSize: number, o: RecurrentOptions = {}) {
    super(inputSize, hiddenSize, o, 'GRU');
  }
}

abstract class CellBase extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null = null;
  bias_hh: Parameter | null = null;
  constructor(readonly inputSize: number, readonly hiddenSize: number, gates: number, bias: boolean, dtype: DType) {
    super();
    const bound = 1 / Math.sqrt(hiddenSize);
    this.weight_ih = param([gates * hiddenSize, inputSize], bound, dtype);
    this.weight_hh = param([gates * hiddenSize, hiddenSize], bound, dtype);
    if (bias) {
      this.bias_ih = param([gates * hiddenSize], bound, dtype);
      this.bias_hh = param([gates * hiddenSize], bound, dtype);
    }
  }
  protected zerosState(x: Tensor): Tensor {
    if (x.ndim !== 2 || x.shape[1] !== this.inputSize) {
      throw new ShapeError(`${this.constructor.name}: input of shape [B, ${this.inputSize}]; got ${fmtShape(x.shape)}`);
    }
    return zeros([x.shape[0]!, this.hiddenSize], { dtype: x.dtype });
  }
}

/** One Elman RNN step: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh). Shape: [B, I], [B, H] -> [B, H]. */
export class RNNCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, o: { bias?: boolean; nonlinearity?: 'tanh' | 'relu'; dtype?: DType } = {}) {
    super(inputSize, hiddenSize, 1, o.bias ?? true, o.dtype ?? 'float32');
    this.relu = o.nonlinearity === 'relu';
  }
  private readonly relu: boolean;
  forward(x: Tensor, h?: Tensor): Tensor {
    return cellStep(this.relu ? 'RNN_RELU' : 'RNN_TANH', x.linear(this.weight_ih, this.bias_ih), h ?? this.zerosState(x), undefined, this.weight_hh, this.bias_hh).h;
  }
}
/** One LSTM step. `forwardState(x, {h, c})` returns both; `forward(x, h?, c?)` returns h'. */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, o: { bias?: boolean; dtype?: DType } = {}) {
    super(inputSize, hiddenSize, 4, o.bias ?? true, o.dtype ?? 'float32');
  }
  forwardState(x: Tensor, s?: { h: Tensor; c: Tensor }): { h: Tensor; c: Tensor } {
    const h = s?.h ?? this.zerosState(x);
    const c = s?.c ?? this.zerosState(x);
    const r = cellStep('LSTM', x.linear(this.weight_ih, this.bias_ih), h, c, this.weight_hh, this.bias_hh);
    return { h: r.h, c: r.c! };
  }
  forward(x: Tensor, h?: Tensor, c?: Tensor): Tensor {
    return this.forwardState(x, h && c ? { h, c } : undefined).h;
  }
}
/** One GRU step: h' = (1 − z)·n + z·h. Shape: [B, I], [B, H] -> [B, H]. */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, o: { bias?: boolean; dtype?: DType } = {}) {
    super(inputSize, hiddenSize, 3, o.bias ?? true, o.dtype ?? 'float32');
  }
  forward(x: Tensor, h?: Tensor): Tensor {
    return cellStep('GRU', x.linear(this.weight_ih, this.bias_ih), h ?? this.zerosState(x), undefined, this.weight_hh, this.bias_hh).h;
  }
}

/**
 * A lookup table: int32 indices [...] -> rows of `weight` [...,  D]. Default init N(0, 1) (PyTorch).
 */
export class Embedding extends Module {
  weight: Parameter;
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, o: { dtype?: DType } = {}) {
    super();
    this.weight = new Parameter(zeros([numEmbeddings, embeddingDim], { dtype: o.dtype ?? 'float32' }));
    normal_(this.weight);
  }
  forward(idx: Tensor): Tensor {
    return this.weight.indexSelect(0, idx.reshape([-1])).reshape([...idx.shape, this.embeddingDim]);
  }
  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}`;
  }
}
