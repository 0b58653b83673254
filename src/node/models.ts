// Node files for Keras-style models: saveModel/loadModel (atomic single-file safetensors), and the
// callbacks that write files (ModelCheckpoint, csvLogger).
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../core/index.ts';
import { Callback, CSVLogger, loadModelBytes, saveModelBytes } from '../model/index.ts';
import type { FunctionalModel, Logs, SequentialModel } from '../model/index.ts';
import { saveStateDict } from '../io/index.ts';
import { writeFileAtomic } from './io.ts';

/** Resolves a directory target to `<dir>/model.safetensors`. */
function target(path: string): string {
  return existsSync(path) && statSync(path).isDirectory() ? join(path, 'model.safetensors') : path;
}

/**
 * Saves a model (architecture, weights, compile settings, optimizer state) to one safetensors file,
 * atomically (temp file + rename). A directory path gets `model.safetensors` inside it.
 */
export function saveModel(model: SequentialModel | FunctionalModel, path: string): string {
  const file = target(path);
  writeFileAtomic(file, saveModelBytes(model));
  return file;
}

/** Loads a model saved by saveModel (a file, or a directory holding model.safetensors). */
export function loadModel(path: string): SequentialModel | FunctionalModel {
  const file = target(path);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new DataError(`loadModel: a readable model file at ${file}; got ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return loadModelBytes(bytes, file);
}

export interface ModelCheckpointOptions {
  /** File path; `{epoch}` and any log key (`{val_loss}`) are filled in. */
  filepath: string;
  monitor?: string;
  saveBestOnly?: boolean;
  /** Save only the state dict (safetensors of weights) instead of the whole model. */
  saveWeightsOnly?: boolean;
  mode?: 'auto' | 'min' | 'max';
}

/** Saves the model after each epoch (or only when `monitor` improves), atomically. */
export class ModelCheckpoint extends Callback {
  private best = NaN;
  /** Files written, in order. */
  readonly saved: string[] = [];
  constructor(private readonly o: ModelCheckpointOptions) {
    super();
  }
  override onEpochEnd(epoch: number, logs: Logs): void {
    const monitor = this.o.monitor ?? 'val_loss';
    if (this.o.saveBestOnly) {
      const v = logs[monitor];
      if (v === undefined) return;
      const max = this.o.mode === 'max' || (this.o.mode !== 'min' && /acc|auc|precision|recall/.test(monitor));
      if (!Number.isNaN(this.best) && !(max ? v > this.best : v < this.best)) return;
      this.best = v;
    }
    const file = this.o.filepath.replace(/\{(\w+)(?::[^}]*)?\}/g, (_, k: string) => (k === 'epoch' ? String(epoch + 1) : String(logs[k] ?? k)));
    const m = this.ctx.module as SequentialModel;
    writeFileAtomic(file, this.o.saveWeightsOnly ? saveStateDict(m) : saveModelBytes(m));
    this.saved.push(file);
  }
}

/** A CSVLogger writing to a file (overwritten at the start, one row per epoch). */
export function csvLogger(path: string, separator = ','): CSVLogger {
  writeFileSync(path, '');
  return new CSVLogger((text) => appendFileSync(path, text), separator);
}
