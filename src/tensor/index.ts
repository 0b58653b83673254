export * from './tensor.ts';
export * from './creation.ts';
export * from './random.ts';
export * from './gradcheck.ts';
