// Files in Node: atomic writes (temp file, fsync, rename) and saving/loading module state dicts as .safetensors files.
import { closeSync, fsyncSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { DataError, ValueError } from '../core/index.ts';
import { loadStateDictBytes, saveStateDict } from '../io/index.ts';
import type { LoadStateDictOptions, LoadStateDictResult } from '../io/index.ts';
import type { Module } from '../nn/index.ts';

/**
 * Writes a file atomically: the data goes to a temp file in the same folder
 * (`<path>.<pid>.<random>.tmp`), which is fsynced and renamed over `path` (then the folder is
 * fsynced, best effort). Readers see the old file or the new one, never a half-written one; on any
 * error the temp file is removed and the error rethrown. An existing file's permissions are kept, and
 * a symlink is written through (its target is replaced).
 *
 * ```ts
 * writeFileAtomic('model.safetensors', bytes);
 * ```
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw new ValueError(`writeFileAtomic: data as a Uint8Array or a string; got ${data === null ? 'null' : typeof data}`);
  }
  let mode = 0o666;
  try {
    path = realpathSync(path); // write through a symlink rather than replacing it
    const st = statSync(path);
    if (st.isFile()) mode = st.mode & 0o777;
  } catch {
    // no file yet: the default mode (less the umask)
  }
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode);
    writeFileSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing: keep the first error
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already gone
    }
    throw e;
  }
  syncDir(dirname(path));
}

/** Fsyncs a folder so a rename in it survives a crash (not possible on every platform: errors are ignored). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // e.g. Windows cannot open folders
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Saves a module's parameters and buffers to a .safetensors file (atomically), with optional
 * string metadata.
 *
 * ```ts
 * saveStateDictFile(model, 'model.safetensors', { epoch: '10' });
 * ```
 */
export function saveStateDictFile(module: Module, path: string, metadata?: Record<string, string>): void {
  writeFileAtomic(path, saveStateDict(module, metadata));
}

/**
 * Loads a .safetensors file into a module (see loadStateDictBytes for the checks); a missing or
 * unreadable file is a DataError naming the path.
 *
 * ```ts
 * loadStateDictFile(model, 'model.safetensors');
 * ```
 */
export function loadStateDictFile(module: Module, path: string, opts: Omit<LoadStateDictOptions, 'name'> = {}): LoadStateDictResult {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const got = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : `an error reading it (${(e as Error).message})`;
    throw new DataError(`loadStateDictFile: a safetensors file at ${path}; got ${got}. Save one with saveStateDictFile`);
  }
  return loadStateDictBytes(module, bytes, { ...opts, name: path });
}
