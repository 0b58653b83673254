// Seeds derived from (tuner seed, what, trial id, ...) by hashing, never from run order: trial i's
// hyperparameters and its model's initial weights are the same in a sequential, parallel or
// distributed search.
import { Generator } from '../tensor/index.ts';

/** A 32-bit seed from any list of numbers and strings (FNV-1a over their text, then a splitmix finaliser). */
export function deriveSeed(...parts: (number | string)[]): number {
  let h = 0x811c9dc5;
  const text = parts.map(String).join('\u0001');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A generator seeded from `deriveSeed(...parts)`. */
export function generatorFor(...parts: (number | string)[]): Generator {
  return new Generator(deriveSeed(...parts));
}
