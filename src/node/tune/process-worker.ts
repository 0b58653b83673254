// The script of a tuning worker process (workerProcesses): serveTrials over the child's IPC channel
// (advanced serialization, so typed arrays travel as such). It ends when the parent disconnects.
import { serveTrials } from './serve-trials.ts';

if (!process.send) throw new Error('tune process worker: an IPC channel to the parent; got none (start it with child_process.fork)');
const send = process.send.bind(process);
serveTrials({ post: (msg) => void send(msg), onMessage: (h) => process.on('message', h as (m: unknown) => void) });
process.on('disconnect', () => process.exit(0));
