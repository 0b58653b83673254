// neurona/datasets: dataset file formats (IDX), loaders from in-memory bytes (MNIST), Iris, and synthetic data sets.
export * from './idx.ts';
export * from './mnist.ts';
export * from './iris.ts';
export * from './synthetic.ts';
export * from './wine.ts';
export * from './font-colours.ts';
export * from './csv.ts';
