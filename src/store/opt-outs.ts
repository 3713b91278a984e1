import { Type, type Static } from 'typebox';
import { EpochMs } from '../validation/bounds.js';

// The toll-free network's opt-out list (README "Toll-free opt-out"): which handsets texted STOP to which of an
// account's toll-free numbers. Bounded per account and in total, like every collection that grows with traffic.

/** The most opt-outs one account holds; past it a STOP is not recorded and an add is refused. */
export const MAX_OPT_OUTS_PER_ACCOUNT = 10_000;
/** The most opt-outs the emulator holds over all accounts. */
export const MAX_OPT_OUTS = 100_000;

const Number164 = (description: string) => Type.String({ pattern: '^\\+[1-9]\\d{1,14}$', maxLength: 16, description });

/** One opt-out: a handset that texted STOP to a toll-free number of the account (or was added through the control API). */
export const OptOutEntrySchema = Type.Object({
  accountId: Type.String({ minLength: 1, maxLength: 256 }),
  number: Number164('the toll-free number of the account, E.164'),
  handset: Number164('the handset that opted out, E.164'),
  at: EpochMs('when it opted out, epoch ms'),
  source: Type.Union([Type.Literal('handset'), Type.Literal('control')], { description: "'handset': a STOP it texted; 'control': added by the control API" }),
});
/** One opt-out; see OptOutEntrySchema. */
export type OptOutEntry = Static<typeof OptOutEntrySchema>;

/** A change of the list, for the data dir. */
export type OptOutChange =
  | { kind: 'add'; entry: OptOutEntry }
  | { kind: 'remove'; accountId: string; number: string; handset: string }
  | { kind: 'clear'; accountId?: string };

/** Why an add was refused: the account's cap or the total one. */
export interface OptOutFull {
  full: 'account' | 'total';
  cap: number;
}

const keyOf = (number: string, handset: string) => `${number}\u0000${handset}`;

/** The opt-out list per account, capped per account and in total; an add past a cap is refused (never evicts). */
export class OptOutStore {
  private readonly byAccount = new Map<string, Map<string, OptOutEntry>>();
  private total = 0;
  private readonly listeners = new Set<(change: OptOutChange) => void>();

  constructor(
    private readonly perAccount = MAX_OPT_OUTS_PER_ACCOUNT,
    private readonly overall = MAX_OPT_OUTS,
  ) {}

  /** True when the handset has opted out of messages from this number of the account. */
  has(accountId: string, number: string, handset: string): boolean {
    return this.byAccount.get(accountId)?.has(keyOf(number, handset)) ?? false;
  }

  /** The opt-out of the handset from this number of the account, if there is one (a live object: read only). */
  get(accountId: string, number: string, handset: string): OptOutEntry | undefined {
    return this.byAccount.get(accountId)?.get(keyOf(number, handset));
  }

  /** Record an opt-out: the entry kept (`added` false when it was there already), or why it was refused. */
  add(entry: OptOutEntry): { added: boolean; entry: OptOutEntry } | OptOutFull {
    const account = this.byAccount.get(entry.accountId);
    const existing = account?.get(keyOf(entry.number, entry.handset));
    if (existing) return { added: false, entry: existing };
    if ((account?.size ?? 0) >= this.perAccount) return { full: 'account', cap: this.perAccount };
    if (this.total >= this.overall) return { full: 'total', cap: this.overall };
    this.put(entry);
    this.emit({ kind: 'add', entry });
    return { added: true, entry };
  }

  /** Remove one opt-out; false when there was none. */
  remove(accountId: string, number: string, handset: string): boolean {
    const account = this.byAccount.get(accountId);
    if (!account?.delete(keyOf(number, handset))) return false;
    this.total--;
    if (account.size === 0) this.byAccount.delete(accountId);
    this.emit({ kind: 'remove', accountId, number, handset });
    return true;
  }

  /** An account's opt-outs, oldest first (live objects: read only). */
  list(accountId: string): OptOutEntry[] {
    return [...(this.byAccount.get(accountId)?.values() ?? [])];
  }

  /** Every opt-out of every account (export). */
  entries(): OptOutEntry[] {
    const out: OptOutEntry[] = [];
    for (const account of this.byAccount.values()) for (const entry of account.values()) out.push(entry);
    return out;
  }

  /** Forget every opt-out, or one account's; returns how many went. */
  clear(accountId?: string): number {
    let removed: number;
    if (accountId === undefined) {
      removed = this.total;
      this.byAccount.clear();
      this.total = 0;
    } else {
      removed = this.byAccount.get(accountId)?.size ?? 0;
      this.byAccount.delete(accountId);
      this.total -= removed;
    }
    if (removed > 0) this.emit({ kind: 'clear', ...(accountId === undefined ? {} : { accountId }) });
    return removed;
  }

  /** Put back the entries of an earlier run (restart, import) without telling the listeners; past a cap they are dropped. */
  restore(entries: readonly OptOutEntry[]): number {
    let dropped = 0;
    for (const entry of entries) {
      const account = this.byAccount.get(entry.accountId);
      if (account?.has(keyOf(entry.number, entry.handset))) continue;
      if ((account?.size ?? 0) >= this.perAccount || this.total >= this.overall) dropped++;
      else this.put({ ...entry });
    }
    return dropped;
  }

  /** Hear of every change (the data dir); returns the function that stops listening. */
  subscribe(listener: (change: OptOutChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many opt-outs are held, and the caps. */
  stats(): { optOuts: number; capPerAccount: number; cap: number } {
    return { optOuts: this.total, capPerAccount: this.perAccount, cap: this.overall };
  }

  private put(entry: OptOutEntry): void {
    let account = this.byAccount.get(entry.accountId);
    if (!account) this.byAccount.set(entry.accountId, (account = new Map()));
    account.set(keyOf(entry.number, entry.handset), entry);
    this.total++;
  }

  private emit(change: OptOutChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
