// The op table: every op spec, by family.
export * from './types.ts';
export * from './elementwise.ts';
export * from './reduce.ts';
export * from './movement.ts';
export * from './matmul.ts';
export * from './recurrent.ts';
export * from './conv.ts';
export * from './normalization.ts';
