// Saving a module's parameters and buffers as safetensors bytes, and loading them back with checks.
import { DTypeError, ShapeError, ValueError, fmtShape, isFloat, sameShape } from '../core/index.ts';
import type { DType } from '../core/index.ts';
import type { Module } from '../nn/index.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';

/** Options of `loadStateDictBytes` (and `loadStateDictFile` in neurona/node). */
export interface LoadStateDictOptions {
  /** Require exactly the module's keys, no missing and no unexpected ones (default true). */
  strict?: boolean;
  /** A name for the bytes (a file path), used in error messages. */
  name?: string;
}

/** What `loadStateDictBytes` found: keys not matched (empty when strict) and the file's metadata. */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
  metadata: Record<string, string>;
}

/**
 * A module's state dict (parameters and buffers by dotted name) as safetensors bytes, readable by
 * `loadStateDictBytes` and by the Python safetensors package.
 *
 * ```ts
 * const bytes = saveStateDict(model, { epoch: '10' });
 * ```
 */
export function saveStateDict(module: Module, metadata?: Record<string, string>): Uint8Array {
  return encodeSafetensors(module.stateDict(), metadata);
}

/** Whether a file tensor of dtype `src` may be loaded into a module tensor of dtype `dst` (same, or float into float). */
function compatible(src: DType, dst: DType): boolean {
  return src === dst || (isFloat(src) && isFloat(dst));
}

/**
 * Loads safetensors bytes into a module. Everything is checked before anything is copied, so a
 * failed load leaves the module unchanged: the keys (with `strict`), every shape (ShapeError) and
 * every dtype (DTypeError; float32 and float64 convert into each other, other dtypes must match).
 *
 * ```ts
 * const { metadata } = loadStateDictBytes(model, bytes);
 * ```
 */
export function loadStateDictBytes(module: Module, bytes: Uint8Array, opts: LoadStateDictOptions = {}): LoadStateDictResult {
  const op = 'loadStateDictBytes';
  const { strict = true, name } = opts;
  const where = name === undefined ? '' : ` in ${name}`;
  const { tensors, metadata } = decodeSafetensors(bytes, name);
  const targets = module.stateDict();
  const missingKeys = Object.keys(targets).filter((k) => !Object.hasOwn(tensors, k));
  const unexpectedKeys = Object.keys(tensors).filter((k) => !Object.hasOwn(targets, k));
  if (strict && (missingKeys.length || unexpectedKeys.length)) {
    throw new ValueError(
      `${op}: the keys of this model; got missing [${missingKeys.join(', ')}] and unexpected [${unexpectedKeys.join(', ')}]${where}. ` +
        'Is the file from a model of the same architecture? Pass { strict: false } to load the matching keys only',
    );
  }
  const shapeErrors: string[] = [];
  const dtypeErrors: string[] = [];
  for (const [k, t] of Object.entries(targets)) {
    if (!Object.hasOwn(tensors, k)) continue;
    const src = tensors[k]!;
    if (!sameShape(src.shape, t.shape)) shapeErrors.push(`'${k}' ${fmtShape(src.shape)} (the model's is ${fmtShape(t.shape)})`);
    if (!compatible(src.dtype, t.dtype)) dtypeErrors.push(`'${k}' ${src.dtype} (the model's is ${t.dtype})`);
  }
  if (shapeErrors.length) {
    throw new ShapeError(`${op}: tensors of this model's shapes; got ${shapeErrors.join(', ')}${where}. Is the file from a model with the same layer sizes?`);
  }
  if (dtypeErrors.length) {
    throw new DTypeError(`${op}: tensors of this model's dtypes (float32 and float64 convert); got ${dtypeErrors.join(', ')}${where}`);
  }
  module.loadStateDict(tensors, strict);
  return { missingKeys, unexpectedKeys, metadata };
}
