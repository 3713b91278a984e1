import type { Emulator } from '../emulator.js';
import type { OptOutEntry } from '../store/opt-outs.js';
import type { Problem } from '../validation/schema-check.js';

/** One toll-free opt-out as the control API shows it: the time as an ISO string. */
export interface ControlOptOut {
  /** The toll-free number of the account the handset opted out of. */
  number: string;
  /** The handset that opted out. */
  handset: string;
  /** When: the handset's STOP, or the control API's add. */
  at: string;
  /** 'handset': it texted STOP; 'control': added through the control API. */
  source: OptOutEntry['source'];
}

/** An account's opt-out list as GET /__emulator/accounts/{id}/opt-outs answers it. */
export interface OptOutList {
  accountId: string;
  optOuts: ControlOptOut[];
  /** The most opt-outs the account may hold. */
  capPerAccount: number;
}

/** The toll-free opt-out list per account (README "Toll-free opt-out"): list, add, remove one, remove all. */
export interface OptOutOperations {
  /** The account's opt-outs, oldest first; undefined for an account the emulator does not have. */
  list(accountId: string): Promise<OptOutList | undefined>;
  /**
   * Add one as if the handset had texted STOP: `number` a toll-free number of the account, `handset` E.164.
   * ControlInputError naming the problem (a bad or long-code number, a cap reached); undefined for an unknown account.
   */
  add(accountId: string, optOut: { number: string; handset: string }): Promise<(ControlOptOut & { created: boolean }) | undefined>;
  /** Remove one, as if the handset had texted START; false when there was none. */
  remove(accountId: string, number: string, handset: string): Promise<boolean>;
  /** Remove all of an account's; how many went, or undefined for an unknown account. */
  clear(accountId: string): Promise<{ removed: number } | undefined>;
}

// The control API's view of one opt-out.
function toControlOptOut(entry: OptOutEntry): ControlOptOut {
  return { number: entry.number, handset: entry.handset, at: new Date(entry.at).toISOString(), source: entry.source };
}

/** The opt-out operations over one emulator; `invalid` builds the error a bad input throws (ControlInputError: a 400). */
export function optOutOperations(emulator: Emulator, invalid: (message: string, problems: Problem[]) => Error): OptOutOperations {
  return {
    async list(accountId) {
      const entries = emulator.optOuts(accountId);
      return entries && { accountId, optOuts: entries.map(toControlOptOut), capPerAccount: emulator.parts.optOuts.stats().capPerAccount };
    },
    async add(accountId, optOut) {
      const result = emulator.addOptOut(accountId, optOut ?? {});
      if ('unknownAccount' in result) return undefined;
      if ('problems' in result)
        throw invalid(`the opt-out was not added: ${result.problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`, result.problems);
      return { ...toControlOptOut(result.entry), created: result.created };
    },
    async remove(accountId, number, handset) {
      return emulator.removeOptOut(accountId, number, handset);
    },
    async clear(accountId) {
      const removed = emulator.clearOptOuts(accountId);
      return removed === undefined ? undefined : { removed };
    },
  };
}
