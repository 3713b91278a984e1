import type { NumberConfig } from '../config/numbers.js';
import type { Emulator } from '../emulator.js';
import type { Problem } from '../validation/schema-check.js';

/** Run-time provisioning of an account's numbers (README "Provisioning"); each change applies from the next message. */
export interface NumberOperations {
  /** The account's numbers with their registrations; undefined for an account the emulator does not have. */
  list(accountId: string): Promise<NumberConfig[] | undefined>;
  /**
   * Add a number or replace its registration (the config's object form without `number`); undefined for an unknown
   * account, ControlInputError naming every problem for a bad one.
   */
  set(accountId: string, number: string, registration?: unknown): Promise<(NumberConfig & { created: boolean }) | undefined>;
  /** Remove a number; false when the account does not own it. */
  remove(accountId: string, number: string): Promise<boolean>;
}

/** The number operations over one emulator; `invalid` builds the error a bad input throws (ControlInputError: a 400). */
export function numberOperations(emulator: Emulator, invalid: (message: string, problems: Problem[]) => Error): NumberOperations {
  return {
    async list(accountId) {
      return emulator.numbers(accountId)?.map((n) => structuredClone(n));
    },
    async set(accountId, number, registration) {
      const result = emulator.provisionNumber(accountId, number, registration);
      if ('unknownAccount' in result) return undefined;
      if ('problems' in result) throw invalid('the number or its registration is not valid', result.problems);
      return { ...structuredClone(result.entry), created: result.created };
    },
    async remove(accountId, number) {
      return emulator.releaseNumber(accountId, number);
    },
  };
}
