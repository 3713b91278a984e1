import { Type, type Static } from 'typebox';
import { DurationMs, EpochMs, Sequence } from '../validation/bounds.js';

/** How many response headers an entry keeps: a receiver answering hundreds costs the journal nothing more. */
export const RESPONSE_HEADERS_KEEP = 32;
/** How many characters of each response header value an entry keeps. */
export const RESPONSE_HEADER_VALUE_KEEP = 1024;

/** What became of an event as of one attempt. */
const CallbackOutcomeSchema = Type.Union([
  Type.Literal('delivered'),
  Type.Literal('retrying'),
  Type.Literal('exhausted'),
  Type.Literal('no-target'),
  Type.Literal('not-requested'),
  Type.Literal('dropped'),
  Type.Literal('cancelled'),
  // Not a callback: the network's own message to a handset (a toll-free opt-out auto-reply), journaled, never POSTed.
  Type.Literal('network'),
]);
/** What became of an event as of one attempt. */
export type CallbackOutcome = Static<typeof CallbackOutcomeSchema>;

/**
 * One callback attempt (or, for `no-target` / `not-requested` / `dropped`, the record that no POST was made; for
 * `network`, the network's own message to a handset, which the application never gets).
 */
export const JournalEntrySchema = Type.Object({
  seq: Sequence(1),
  eventId: Type.String({ description: 'stable across the attempts of one event' }),
  accountId: Type.String(),
  messageId: Type.String(),
  applicationId: Type.String(),
  type: Type.String(),
  recipient: Type.String({ description: "the event's top-level `to`: the recipient (status) or receiving number (inbound)" }),
  target: Type.Optional(Type.String()),
  attempt: Sequence(0),
  at: EpochMs(),
  durationMs: DurationMs(),
  request: Type.Object({ headers: Type.Record(Type.String(), Type.String()), body: Type.Array(Type.Unknown()) }),
  response: Type.Optional(
    Type.Object({
      status: Type.Integer({ minimum: 100, maximum: 999 }),
      body: Type.String(),
      // Optional: state documents written before response headers were kept still load.
      headers: Type.Optional(
        Type.Record(Type.String(), Type.String(), {
          description: `the receiver's response headers: at most ${RESPONSE_HEADERS_KEEP}, each value cut to ${RESPONSE_HEADER_VALUE_KEEP} characters`,
        }),
      ),
    }),
  ),
  error: Type.Optional(Type.String()),
  outcome: CallbackOutcomeSchema,
  replayOf: Type.Optional(Sequence(1, 'a resend (POST /__emulator/callbacks/{seq}/resend): the seq of the entry whose body it sent again')),
  explanation: Type.Optional(Type.String({ description: 'why the event happened: the scenario rule that matched (and the ones that missed), or the default' })),
});
/** One callback attempt; see JournalEntrySchema. */
export type JournalEntry = Static<typeof JournalEntrySchema>;

/** Fields a journal query can narrow on; every given field must match. */
export interface JournalFilter {
  accountId?: string;
  messageId?: string;
  eventId?: string;
  type?: string;
  recipient?: string;
  target?: string;
  /** One outcome, or `failing`: any attempt that did not deliver (see FAILING_OUTCOMES). */
  outcome?: CallbackOutcome | 'failing';
  /** Only resends of this entry. */
  replayOf?: number;
  /** Only entries after this sequence number. */
  afterSeq?: number;
}

/** The outcomes `outcome=failing` matches: an attempt that did not reach the application (not-requested and network are by design). */
const FAILING_OUTCOMES: ReadonlySet<CallbackOutcome> = new Set(['retrying', 'exhausted', 'no-target', 'dropped', 'cancelled']);

/** One newest-first page of the journal: `nextBeforeSeq` asks for the page after it (null: none left). */
export interface JournalPage {
  entries: JournalEntry[];
  /** How many entries match the filter in all (every page). */
  total: number;
  nextBeforeSeq: number | null;
}

/** How many of the newest entries a timed-out wait carries: enough to explain it, never the whole journal. */
export const TIMEOUT_EXCERPT_ENTRIES = 10;

/** A timed-out wait: says what it waited for and what the journal held (its newest entries and how many in all). */
export class JournalWaitTimeout extends Error {
  constructor(
    readonly filter: JournalFilter,
    readonly waitedMs: number,
    /** The newest entries (at most TIMEOUT_EXCERPT_ENTRIES) of the account waited on, or of the journal, oldest first. */
    readonly seen: JournalEntry[],
    /** How many entries the journal held for that account (or in all). */
    readonly seenTotal: number = seen.length,
  ) {
    super(
      `no callback matching ${JSON.stringify(filter)} within ${waitedMs} ms; ` +
        `the journal has ${seenTotal} entr${seenTotal === 1 ? 'y' : 'ies'}${filter.accountId ? ` for account ${filter.accountId}` : ''}` +
        (seenTotal > seen.length ? ` (last ${seen.length})` : '') +
        ': ' +
        (seen.length
          ? seen
              .map(
                (e) =>
                  `#${e.seq} ${e.type} to ${e.recipient} attempt ${e.attempt} ${e.outcome}${e.response ? ` (HTTP ${e.response.status})` : e.error ? ` (${e.error})` : ''}`,
              )
              .join('; ')
          : 'none'),
    );
    this.name = 'JournalWaitTimeout';
  }
}

/** A wait given up because the emulator is shutting down or closed: nothing more will be recorded for it. */
export class JournalWaitCancelled extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'JournalWaitCancelled';
  }
}

/** True when the entry satisfies every field of the filter. */
function matchesFilter(entry: JournalEntry, filter: JournalFilter): boolean {
  return (
    (filter.accountId === undefined || entry.accountId === filter.accountId) &&
    (filter.messageId === undefined || entry.messageId === filter.messageId) &&
    (filter.eventId === undefined || entry.eventId === filter.eventId) &&
    (filter.type === undefined || entry.type === filter.type) &&
    (filter.recipient === undefined || entry.recipient === filter.recipient) &&
    (filter.target === undefined || entry.target === filter.target) &&
    (filter.outcome === undefined || entry.outcome === filter.outcome || (filter.outcome === 'failing' && FAILING_OUTCOMES.has(entry.outcome))) &&
    (filter.replayOf === undefined || entry.replayOf === filter.replayOf) &&
    (filter.afterSeq === undefined || entry.seq > filter.afterSeq)
  );
}

interface Waiter {
  filter: JournalFilter;
  resolve(entry: JournalEntry): void;
  reject(error: Error): void;
}

/** Every callback attempt, bounded with oldest-first eviction, and awaitable. */
export class Journal {
  private entries = new Map<number, JournalEntry>();
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<(entry: JournalEntry) => void>();
  private nextSeq = 1;
  // Every held entry has seq >= oldestSeq (clear() may have removed some above it).
  private oldestSeq = 1;
  private evictedCount = 0;

  constructor(private readonly maxEntries: number) {}

  /** Record an attempt; wakes any waiter it matches. */
  record(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    // The caller's fresh object becomes the entry: no copy of it, its headers or its body per attempt.
    const full = entry as JournalEntry;
    full.seq = this.nextSeq++;
    this.entries.set(full.seq, full);
    // Oldest first by sequence number, not by iterating the Map from its start: a Map that is deleted from at the
    // front keeps the holes until it rehashes, and each keys().next() would walk over thousands of them.
    while (this.entries.size > this.maxEntries) this.evictOldest();
    for (const waiter of this.waiters) {
      if (matchesFilter(full, waiter.filter)) {
        this.waiters.delete(waiter);
        waiter.resolve(full);
      }
    }
    for (const listener of this.listeners) listener(full);
    return full;
  }

  // Entries are held in sequence order (recorded with rising numbers, restored sorted), so the oldest held entry is
  // the first key. Sequence numbers may have gaps (an account cleared, an import of another run's journal): a wide
  // gap is jumped over via the first key instead of being walked number by number (a jump from 1 to 2^52 would never end).
  private evictOldest(): void {
    if (this.entries.delete(this.oldestSeq)) {
      this.evictedCount++;
      this.oldestSeq++;
    } else if (this.nextSeq - this.oldestSeq > 2 * this.entries.size + 1024) {
      this.oldestSeq = this.entries.keys().next().value as number;
    } else this.oldestSeq++;
  }

  /**
   * Put back the entries of an earlier run (restart, import) into this empty journal, with their sequence numbers;
   * new ones continue after them. Beyond the cap only the newest are kept (counted as evicted).
   */
  restore(entries: readonly JournalEntry[]): void {
    const sorted = [...entries].sort((a, b) => a.seq - b.seq);
    const kept = sorted.length > this.maxEntries ? sorted.slice(sorted.length - this.maxEntries) : sorted;
    this.evictedCount += sorted.length - kept.length;
    for (const entry of kept) this.entries.set(entry.seq, entry);
    const last = kept.at(-1);
    if (last) {
      this.nextSeq = Math.max(this.nextSeq, last.seq + 1);
      this.oldestSeq = kept[0]!.seq;
    }
  }

  /**
   * Take over the entries of a journal restored aside (an import built before anything was replaced); this journal
   * was just cleared. Sequence numbers keep moving forward: new entries come after both journals' last.
   */
  adopt(other: Journal): void {
    this.entries = other.entries;
    this.nextSeq = Math.max(this.nextSeq, other.nextSeq);
    this.oldestSeq = other.entries.size > 0 ? other.oldestSeq : this.nextSeq;
    this.evictedCount += other.evictedCount;
  }

  /** Take back an entry just recorded for a change that was refused (its write failed); its number is not reused. */
  withdraw(seq: number): void {
    this.entries.delete(seq);
  }

  /** Entries matching the filter, oldest first. */
  list(filter: JournalFilter = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    for (const entry of this.entries.values()) if (matchesFilter(entry, filter)) out.push(entry);
    return out;
  }

  /** The newest `limit` entries matching the filter (oldest first) and how many match in all; one pass, no full copy. */
  excerpt(filter: JournalFilter, limit: number): { entries: JournalEntry[]; total: number } {
    const entries: JournalEntry[] = [];
    let total = 0;
    for (const entry of this.entries.values()) {
      if (!matchesFilter(entry, filter)) continue;
      total++;
      entries.push(entry);
      if (entries.length > limit) entries.shift();
    }
    return { entries, total };
  }

  /** The entry with this sequence number, if still held. */
  get(seq: number): JournalEntry | undefined {
    return this.entries.get(seq);
  }

  /**
   * Up to `limit` entries matching the filter with seq below `beforeSeq` (all when absent), newest first, and how many
   * match in all. One pass keeping at most `limit` entries: no copy of the journal per page.
   */
  page(filter: JournalFilter, limit: number, beforeSeq?: number): JournalPage {
    const kept: JournalEntry[] = [];
    let total = 0;
    let below = 0;
    for (const entry of this.entries.values()) {
      if (!matchesFilter(entry, filter)) continue;
      total++;
      if (beforeSeq !== undefined && entry.seq >= beforeSeq) continue;
      below++;
      kept.push(entry);
      // Trimmed in batches: a shift() per entry would make a page of 1000 over a large journal quadratic.
      if (kept.length >= 2 * limit) kept.splice(0, kept.length - limit);
    }
    if (kept.length > limit) kept.splice(0, kept.length - limit);
    kept.reverse();
    return { entries: kept, total, nextBeforeSeq: below > kept.length ? kept.at(-1)!.seq : null };
  }

  /** The first entry matching the filter: one already recorded, or the next one within `timeoutMs` (real time). */
  waitFor(filter: JournalFilter, timeoutMs: number): Promise<JournalEntry> {
    const existing = this.list(filter)[0];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        filter,
        resolve: (entry) => {
          clearTimeout(timer);
          resolve(entry);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      // Real time on purpose: a long-poll waits in wall-clock time, whatever the emulated time scale is.
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        // An excerpt, not the journal: a full journal serialised per timed-out long-poll cost tens of MB each.
        const seen = this.excerpt(filter.accountId ? { accountId: filter.accountId } : {}, TIMEOUT_EXCERPT_ENTRIES);
        reject(new JournalWaitTimeout(filter, timeoutMs, seen.entries, seen.total));
      }, timeoutMs);
      timer.unref();
      this.waiters.add(waiter);
    });
  }

  /** Call `listener` for every new entry (event streams); returns the unsubscribe function. */
  subscribe(listener: (entry: JournalEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forget every entry, or one account's. */
  clear(accountId?: string): void {
    if (accountId === undefined) this.entries.clear();
    else for (const [seq, entry] of this.entries) if (entry.accountId === accountId) this.entries.delete(seq);
  }

  /** Sizes and evictions, for health and metrics. */
  stats(): { entries: number; evicted: number; cap: number } {
    return { entries: this.entries.size, evicted: this.evictedCount, cap: this.maxEntries };
  }

  /** Reject every pending wait with JournalWaitCancelled (a shutdown answers long-polls instead of waiting for them). */
  cancelWaits(reason: string): void {
    for (const waiter of this.waiters) waiter.reject(new JournalWaitCancelled(reason));
    this.waiters.clear();
  }

  /** Reject every pending wait: the emulator is closing and nothing more will be recorded. */
  close(): void {
    this.cancelWaits('the emulator was closed while waiting for a callback');
    this.listeners.clear();
  }
}
