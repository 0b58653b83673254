// neurona/data: datasets, the DataLoader, train/test splits, label encodings and feature scalers.
export * from './dataset.ts';
export * from './dataloader.ts';
export * from './split.ts';
export * from './encoding.ts';
export * from './scalers.ts';
export * from './transforms.ts';
