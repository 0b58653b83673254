// The script of a tuning worker thread (workerThreads): serveTrials over the thread's parentPort.
import { parentPort } from 'node:worker_threads';
import { serveTrials } from './serve-trials.ts';

serveTrials({ post: (msg, transfer) => parentPort!.postMessage(msg, transfer), onMessage: (h) => parentPort!.on('message', h) });
