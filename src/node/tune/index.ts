// Node-only parts of tuning: the project directory (tunerProject), worker threads and processes
// (workerThreads, workerProcesses) and the BullMQ job queue across machines (redisQueue for the
// searching process, runTuneWorker for workers).
export * from './project.ts';
export * from './threads.ts';
export * from './distributed.ts';
