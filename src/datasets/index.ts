// neurona/datasets: dataset file formats (IDX), loaders from in-memory bytes (MNIST), Iris, and synthetic data sets.
export * from './idx.ts';
export * from './mnist.ts';
export * from './iris.ts';
export * from './synthetic.ts';
