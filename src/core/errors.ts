// Error classes: every message reads `<op>: <what was expected>; got <what came>. <hint>`.

/** Base class of every error neurona throws on purpose. */
export class NeuronaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
/** Shapes that do not fit an operation (matmul inner dims, broadcasting, reshape sizes...). */
export class ShapeError extends NeuronaError {}
/** A dtype an operation cannot take (float labels where indices are needed...). */
export class DTypeError extends NeuronaError {}
/** A value out of range (class index outside [0, C), negative probability, NaN loss...). */
export class ValueError extends NeuronaError {}
/** Autograd misuse: backward through a freed graph, in-place change of a saved tensor... */
export class AutogradError extends NeuronaError {}
/** Backend or kernel problems. */
export class BackendError extends NeuronaError {}
/** Unreadable, missing or corrupt data files. */
export class DataError extends NeuronaError {}

/** Formats a shape as `[2,3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
