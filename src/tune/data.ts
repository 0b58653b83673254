// A search's training data as safetensors bytes, for worker threads (copied once per worker) and for
// workers on other machines (stored once in Redis): inputs, targets and validation data, each a tensor
// or a list of tensors.
import { DataError } from '../core/index.ts';
import type { Tensor } from '../tensor/index.ts';
import { decodeSafetensors, encodeSafetensors } from '../io/index.ts';
import type { Inputs } from '../model/index.ts';
import type { TrialData } from './hypermodel.ts';

/** Encodes training data (x, y, optional validation data) as one safetensors buffer. */
export function packTrialData(d: TrialData): Uint8Array {
  const tensors: Record<string, Tensor> = {};
  const layout: Record<string, number | null> = {};
  const put = (key: string, v: Inputs | undefined): void => {
    if (v === undefined) return;
    const list = Array.isArray(v) ? v : [v];
    layout[key] = Array.isArray(v) ? list.length : null;
    list.forEach((t, i) => (tensors[`${key}.${i}`] = t));
  };
  put('x', d.x);
  put('y', d.y);
  put('vx', d.validationData?.[0]);
  put('vy', d.validationData?.[1]);
  return encodeSafetensors(tensors, { format: 'neurona.tune.data', layout: JSON.stringify(layout) });
}

/** Decodes packTrialData's bytes. */
export function unpackTrialData(bytes: Uint8Array, name = 'the search data'): TrialData {
  const { tensors, metadata } = decodeSafetensors(bytes, name);
  if (metadata.format !== 'neurona.tune.data' || !metadata.layout) throw new DataError(`unpackTrialData: bytes from packTrialData; got ${JSON.stringify(metadata.format ?? null)} in ${name}`);
  const layout = JSON.parse(metadata.layout) as Record<string, number | null>;
  const get = (key: 'x' | 'y' | 'vx' | 'vy'): Inputs | undefined => {
    if (!(key in layout)) return undefined;
    const n = layout[key];
    if (n === null) return tensors[`${key}.0`]!;
    return Array.from({ length: n! }, (_, i) => tensors[`${key}.${i}`]!);
  };
  const x = get('x');
  const y = get('y');
  if (!x || !y) throw new DataError(`unpackTrialData: inputs and targets; got ${Object.keys(layout).join(', ')} in ${name}`);
  const vx = get('vx');
  const vy = get('vy');
  return { x, y, ...(vx && vy ? { validationData: [vx, vy] as [Inputs, Inputs] } : {}) };
}
