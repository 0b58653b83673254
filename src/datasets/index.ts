// neurona/datasets: dataset file formats (IDX) and loaders from in-memory bytes (MNIST).
export * from './idx.ts';
export * from './mnist.ts';
