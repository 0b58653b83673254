// neurona/node: Node-only helpers (file access), e.g. loading MNIST from disk.
export * from './mnist.ts';
