// neurona/tune: hyperparameter tuning (Keras Tuner's API): the search space (HyperParameters), hypermodels,
// the tuners (RandomSearch, GridSearch, Hyperband, BayesianOptimization) and their oracles, trial records,
// the results table, the Gaussian process. Browser-safe; project directories, worker threads and the
// BullMQ queue are in neurona/node (tunerProject, workerThreads, redisQueue, runTuneWorker).
export * from './hyperparameters.ts';
export * from './seeds.ts';
export * from './trial.ts';
export * from './hypermodel.ts';
export * from './gp.ts';
export * from './oracles.ts';
export * from './store.ts';
export * from './executor.ts';
export * from './data.ts';
export * from './tuner.ts';
