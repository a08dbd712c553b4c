// Apart from the visitor, so code can recognise a probe failure without loading undici.
import type { Hop } from './visitor.js';

/** A probe failure explained in words a learner can act on. */
export class ProbeError extends Error {
  constructor(
    message: string,
    readonly hops: Hop[] = [],
  ) {
    super(message);
    this.name = 'ProbeError';
  }
}
