// neurona/classic: the classic models of the course notebooks — McCulloch-Pitts neuron, perceptron, regression by gradient descent, scikit-learn-style MLPs, Pipeline and ColumnTransformer.
export * from './input.ts';
export * from './neurons.ts';
export * from './regression.ts';
export * from './mlp.ts';
export * from './pipeline.ts';
