// Saving a Keras-style model to bytes and back: one safetensors file holding the weights (readable by
// PyTorch / Hugging Face tools), the optimizer's buffers, and in its metadata the architecture and
// compile settings as versioned JSON. Node file helpers (atomic writes) are in neurona/node.
import { DataError, ValueError } from '../core/index.ts';
import { Tensor } from '../tensor/index.ts';
import { decodeSafetensors, encodeSafetensors } from '../io/index.ts';
import type { OptimizerStateDict } from '../optim/index.ts';
import { FunctionalModel, SequentialModel } from './models.ts';
import { Metric } from './metrics.ts';
import { MODEL_FORMAT_VERSION, modelFromConfig, modelToConfig } from './serialization.ts';
import type { ModelConfig } from './serialization.ts';
import type { CompileOptions } from './training.ts';

const OPT_PREFIX = '__optimizer__/';

type SavedCompile = { optimizer: unknown; loss: unknown; metrics: string[]; lossWeights?: number[] };

/** The compile settings as JSON, when they are names/configs (not functions or instances). */
function compileToJson(o: CompileOptions): SavedCompile | null {
  const optOk = typeof o.optimizer === 'string' || (typeof o.optimizer === 'object' && o.optimizer !== null && 'name' in o.optimizer && !('step' in o.optimizer));
  const losses = Array.isArray(o.loss) ? o.loss : [o.loss];
  if (!optOk || losses.some((l) => typeof l !== 'string')) return null;
  const metrics = (o.metrics ?? []).map((m) => (m instanceof Metric ? m.name : m));
  return { optimizer: o.optimizer, loss: o.loss, metrics, lossWeights: o.lossWeights };
}

/**
 * A model as bytes: weights, architecture, compile settings and optimizer state (so training can
 * resume). Throws for models with custom layers or activations (save their state dict instead).
 */
export function saveModelBytes(m: SequentialModel | FunctionalModel, extraMetadata: Record<string, string> = {}): Uint8Array {
  const config = modelToConfig(m);
  const tensors: Record<string, Tensor> = { ...m.stateDict() };
  const metadata: Record<string, string> = { ...extraMetadata, format: 'neurona', 'neurona.version': String(MODEL_FORMAT_VERSION), 'neurona.model': JSON.stringify(config) };
  const tr = m.trainer;
  const compiled = tr ? compileToJson(tr.opts) : null;
  if (compiled) metadata['neurona.compile'] = JSON.stringify(compiled);
  if (compiled && tr?.optimizer) {
    const sd = tr.optimizer.stateDict();
    const scalars: Record<string, Record<string, number>> = {};
    for (const [i, st] of Object.entries(sd.state)) {
      for (const [k, v] of Object.entries(st)) {
        if (typeof v === 'number') (scalars[i] ??= {})[k] = v;
        else tensors[`${OPT_PREFIX}${i}/${k}`] = Tensor.fromData(Float64Array.from(v), [v.length], 'float64');
      }
    }
    metadata['neurona.optimizer'] = JSON.stringify({ param_groups: sd.param_groups, scalars });
  }
  return encodeSafetensors(tensors, metadata);
}

function parseJson<T>(text: string | undefined, what: string, name: string): T {
  if (text === undefined) throw new DataError(`loadModel: ${name} to hold a neurona model (its metadata '${what}'); got none. Is it a plain state dict? Use loadStateDictBytes`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new DataError(`loadModel: valid JSON in the metadata '${what}' of ${name}; got unparsable text (the file is corrupt)`);
  }
}

/**
 * Rebuilds a model saved by saveModelBytes: architecture, weights, and (when it was compiled with
 * named settings) compile settings and optimizer state. Only JSON is parsed; no code is evaluated.
 */
export function loadModelBytes(bytes: Uint8Array, name = 'the model bytes'): SequentialModel | FunctionalModel {
  const { tensors, metadata } = decodeSafetensors(bytes, name);
  if (metadata.format !== 'neurona') throw new DataError(`loadModel: a neurona model file (metadata format 'neurona'); got ${JSON.stringify(metadata.format ?? null)} in ${name}`);
  const config = parseJson<ModelConfig>(metadata['neurona.model'], 'neurona.model', name);
  let m: SequentialModel | FunctionalModel;
  try {
    m = modelFromConfig(config);
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`loadModel: an architecture that builds; got ${(e as Error).message} in ${name}`);
  }
  const weights: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(tensors)) if (!k.startsWith(OPT_PREFIX)) weights[k] = t;
  try {
    m.loadStateDict(weights);
  } catch (e) {
    throw new DataError(`loadModel: weights that match the saved architecture; got a mismatch in ${name}: ${(e as Error).message}`);
  }
  if (metadata['neurona.compile']) {
    const c = parseJson<SavedCompile>(metadata['neurona.compile'], 'neurona.compile', name);
    m.compile(c as unknown as CompileOptions);
    const optJson = metadata['neurona.optimizer'];
    if (optJson && m.trainer?.optimizer) {
      const o = parseJson<{ param_groups: OptimizerStateDict['param_groups']; scalars: Record<string, Record<string, number>> }>(optJson, 'neurona.optimizer', name);
      const state: OptimizerStateDict['state'] = {};
      for (const [i, sc] of Object.entries(o.scalars ?? {})) state[i] = { ...sc };
      for (const [k, t] of Object.entries(tensors)) {
        if (!k.startsWith(OPT_PREFIX)) continue;
        const [i, key] = k.slice(OPT_PREFIX.length).split('/');
        if (i === undefined || key === undefined) throw new DataError(`loadModel: optimizer tensors named ${OPT_PREFIX}<index>/<key>; got '${k}' in ${name}`);
        (state[i] ??= {})[key] = Array.from(t.contiguousData());
      }
      try {
        m.trainer.optimizer.loadStateDict({ state, param_groups: o.param_groups });
      } catch (e) {
        throw new DataError(`loadModel: an optimizer state that fits the model; got ${(e as Error).message} in ${name}`);
      }
    }
  }
  return m;
}

/** Fetches and loads a model from a URL (browsers, or Node's fetch). */
export async function loadModelFromUrl(url: string): Promise<SequentialModel | FunctionalModel> {
  const f = (globalThis as { fetch?: (u: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }> }).fetch;
  if (!f) throw new ValueError('loadModelFromUrl: a global fetch (browsers, Node >= 18); got none');
  const r = await f(url);
  if (!r.ok) throw new DataError(`loadModelFromUrl: HTTP 200 for ${url}; got ${r.status}`);
  return loadModelBytes(new Uint8Array(await r.arrayBuffer()), url);
}
