import type { Clock } from '../clock.js';

/** What a counter says after counting: how many in its window so far, and whether that passed the limit. */
export interface WindowCount {
  count: number;
  over: boolean;
}

interface Counter {
  accounts: readonly string[];
  start: number;
  count: number;
}

/**
 * Counts per key within a fixed window of emulated time: the window opens at a key's first count and a count after
 * it closes opens the next one. Emulated, as every delay is: the clock reads real time, so the time passed is divided
 * by the time scale (at 0.001 a window of a minute lasts 60 ms; at scale 0 it is read as real time). Bounded: at most
 * `maxKeys` keys; when full, closed windows go first, then the oldest (a counter dropped that way starts again from
 * nothing, which only makes a filter more lenient).
 */
export class WindowCounters {
  private readonly counters = new Map<string, Counter>();

  constructor(
    private readonly clock: Pick<Clock, 'now' | 'scale'>,
    private readonly maxKeys = 10_000,
  ) {}

  /** Count `weight` more for `key` (owned by `accounts`, for a reset); over when its window's count passes `limit`. */
  take(key: string, accounts: readonly string[], windowMs: number, limit: number, weight = 1): WindowCount {
    const now = this.clock.now();
    let counter = this.counters.get(key);
    if (counter && this.closed(counter, now, windowMs)) {
      this.counters.delete(key);
      counter = undefined;
    }
    if (!counter) {
      if (this.counters.size >= this.maxKeys) this.makeRoom(now, windowMs);
      counter = { accounts, start: now, count: 0 };
      this.counters.set(key, counter);
    }
    counter.count += weight;
    return { count: counter.count, over: counter.count > limit };
  }

  /** Forget the counts of one account (every key it shares), or of all (reset). */
  clear(accountId?: string): void {
    if (accountId === undefined) {
      this.counters.clear();
      return;
    }
    for (const [key, counter] of this.counters) if (counter.accounts.includes(accountId)) this.counters.delete(key);
  }

  /** How many keys are counted now (the bound's test reads it). */
  get size(): number {
    return this.counters.size;
  }

  private closed(counter: Counter, now: number, windowMs: number): boolean {
    const scale = this.clock.scale;
    return (now - counter.start) / (scale > 0 ? scale : 1) >= windowMs;
  }

  // Map order is insertion order and a window that restarts is inserted again, so keys are in the order their windows
  // opened: the closed ones are at the front, and the first open one ends the sweep (O(keys dropped)).
  private makeRoom(now: number, windowMs: number): void {
    for (const [key, counter] of this.counters) {
      if (!this.closed(counter, now, windowMs)) break;
      this.counters.delete(key);
    }
    if (this.counters.size >= this.maxKeys) {
      const oldest = this.counters.keys().next();
      if (!oldest.done) this.counters.delete(oldest.value);
    }
  }
}
