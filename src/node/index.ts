// neurona/node: Node-only helpers (file access): loading MNIST from disk, atomic writes, state-dict files.
export * from './mnist.ts';
export * from './io.ts';
export * from './models.ts';
export * from './csv.ts';
export * from './fashion-mnist.ts';
export * from './plot.ts';
export * from './tune/index.ts';
