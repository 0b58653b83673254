export * from './errors.ts';
export * from './dtype.ts';
export * from './shape.ts';
