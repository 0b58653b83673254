// Parameter: a leaf tensor that a Module owns and an optimizer updates.
import { Storage, Tensor } from '../tensor/index.ts';
import { contiguousStrides } from '../core/index.ts';

/** A trainable leaf tensor (requiresGrad on by default). Shares the data of the tensor it wraps. */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    const src = data.isContiguous && data.offset === 0 && data.data().length === data.size ? data : data.contiguous();
    super(src.storage, [...src.shape], contiguousStrides(src.shape), 0, src.dtype);
    this.requiresGrad = requiresGrad;
  }
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

export { Storage };
