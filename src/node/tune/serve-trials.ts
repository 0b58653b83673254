// What a tuning worker does, whatever carries its messages (a worker thread's parentPort or a child
// process's IPC channel): imports the hypermodel module, loads the data (the bytes the parent sent, or
// the module's data export), then runs the trials it is sent with runTrial — the same code as an
// in-process search, seeded from the trial, so results match a sequential run.
import { loadHypermodelModule, runTrial, unpackTrialData } from '../../tune/index.ts';
import type { TrialData, TrialEnv } from '../../tune/index.ts';
import type { ThreadInit, ThreadRequest, ThreadReply } from './threads.ts';

/** The two ends of a worker's channel to its parent. */
export interface TrialPort {
  post(msg: ThreadReply, transfer: ArrayBuffer[]): void;
  onMessage(handler: (m: ThreadRequest) => void): void;
}

/** Serves init and run requests on `port` until the parent ends the worker. */
export function serveTrials(port: TrialPort): void {
  let env: TrialEnv | null = null;
  const post = (msg: ThreadReply, transfer: ArrayBuffer[] = []): void => port.post(msg, transfer);

  async function init(m: ThreadInit): Promise<void> {
    const mod = await loadHypermodelModule(m.ref);
    let data: TrialData;
    if (m.data) data = unpackTrialData(m.data);
    else if (mod.data) data = await mod.data(m.dataArgs);
    else throw new Error(`tune worker: data for the trials; got none sent and no data export in ${String(m.ref.module)}`);
    env = { hypermodel: mod.hypermodel, space: m.space, objective: m.objective, fit: m.fit, data, executionsPerTrial: m.executionsPerTrial, worker: m.worker };
  }

  port.onMessage((m) => {
    if (m.type === 'init') {
      init(m).then(
        () => post({ type: 'ready' }),
        (e: Error) => post({ type: 'error', message: `${e.name}: ${e.message}` }),
      );
      return;
    }
    if (m.type === 'run') {
      if (!env) return post({ type: 'error', message: 'tune worker: init before run; got a run first' });
      const out = runTrial(env, m.spec, m.parent);
      const ck = out.checkpoint;
      // A checkpoint that is a view into a larger buffer is copied so only its bytes travel.
      const own = ck && (ck.byteOffset !== 0 || ck.byteLength !== ck.buffer.byteLength) ? ck.slice() : ck;
      post({ type: 'result', record: out.record, checkpoint: own }, own ? [own.buffer as ArrayBuffer] : []);
    }
  });
}
