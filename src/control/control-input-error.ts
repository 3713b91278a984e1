import type { Problem } from '../validation/schema-check.js';

/** A control operation refused for its input; the HTTP layer answers 400 with this. */
export class ControlInputError extends Error {
  constructor(
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'ControlInputError';
  }
}
