// Symbolic tensors for the functional API: calling a module on one records a graph node instead of
// computing, with the output shape found by running the module once on a dummy batch.
import { ShapeError, fmtShape } from '../core/index.ts';
import type { Tensor } from '../tensor/index.ts';

/** A placeholder for a tensor in a functional model: a shape (batch dim null) and how it is made. */
export class SymbolicTensor {
  constructor(
    /** The shape with `null` for the batch dim. */
    readonly shape: (number | null)[],
    /** The module that makes it (null for an input). */
    readonly layer: SymbolicLayer | null,
    /** The symbolic inputs of that module call. */
    readonly inputs: SymbolicTensor[],
    /** A name (inputs: the input's name). */
    readonly name: string,
  ) {}

  toString(): string {
    return `SymbolicTensor(shape=${fmtShape(this.shape.map((d) => d ?? -1)).replace(/-1/g, 'null')}, name=${this.name})`;
  }
}

/** What a symbolic call needs of a module (nn's Module provides it). */
export interface SymbolicLayer {
  forward(...inputs: Tensor[]): Tensor;
}

/** Checks a list of symbolic inputs all have a batch dim. */
export function checkSymbolic(op: string, xs: readonly SymbolicTensor[]): void {
  for (const x of xs) {
    if (x.shape[0] !== null) throw new ShapeError(`${op}: symbolic tensors with a batch dim first (null); got ${x.toString()}`);
  }
}
