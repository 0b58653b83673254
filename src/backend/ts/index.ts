// The TypeScript backend: the reference every other backend is tested against.
import { allocArray } from '../../core/index.ts';
import type { Backend } from '../backend.ts';
import { copy, map, mapGrad, mapGradNamed, mapNamed, where, zip, zipNamed } from './elementwise.ts';
import { matmul } from './matmul.ts';
import { argReduce, gather, indexAdd, indexSelect, reduce, scatterAdd, softmax } from './reduce.ts';

export const tsBackend: Backend = {
  name: 'ts',
  alloc: allocArray,
  map,
  mapGrad,
  mapNamed,
  mapGradNamed,
  zip,
  zipNamed,
  where,
  copy,
  reduce,
  argReduce,
  matmul,
  softmax,
  gather,
  scatterAdd,
  indexSelect,
  indexAdd,
};
