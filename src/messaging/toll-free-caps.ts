import type { VerificationStatus } from '../config/numbers.js';

// The caps of 2023-04-01 for toll-free numbers that are not verified, per number: "Restricted" (UNVERIFIED, denied
// included) 500 a day, 1,000 a week, 2,000 a month; "Pending" 2,000 / 6,000 / 10,000; over a cap → 4795. Source:
// https://support.bandwidth.com/hc/en-us/articles/12802229724439-New-traffic-limits-for-restricted-and-pending-toll-free-numbers
// Superseded on 2024-01-31 by a full block (article 18852381946647), which is the default policy ('block'); these
// apply only under the account policy tollFreeUnverified: 'caps2023'. Bandwidth's article counts "messages": one per
// recipient here.
const CAPS: Record<Exclude<VerificationStatus, 'VERIFIED'>, { day: number; week: number; month: number }> = {
  UNVERIFIED: { day: 500, week: 1000, month: 2000 },
  PENDING: { day: 2000, week: 6000, month: 10_000 },
};

type Period = 'day' | 'week' | 'month';
const PERIODS: Period[] = ['day', 'week', 'month'];
const DAY_MS = 86_400_000;

// The calendar periods (UTC) a moment of the emulator's clock falls in: the day, the week from Monday, the month.
function periodsOf(now: number): Record<Period, number> {
  const day = Math.floor(now / DAY_MS);
  const date = new Date(now);
  // 1970-01-01 was a Thursday: +3 makes weeks start on Monday.
  return { day, week: Math.floor((day + 3) / 7), month: date.getUTCFullYear() * 12 + date.getUTCMonth() };
}

interface Counter {
  period: Record<Period, number>;
  count: Record<Period, number>;
}

/** Messages sent per toll-free number in the current day, week and month (emulator clock, UTC), for the 2023 caps. */
export class TollFreeVolume {
  // One entry per number that sent under the caps policy: bounded by the accounts' numbers.
  private readonly counters = new Map<string, Counter>();

  /**
   * Count `messages` more from a number that is not verified, unless that would pass one of its caps: then nothing is
   * counted and the answer names the cap passed.
   */
  take(
    accountId: string,
    number: string,
    status: Exclude<VerificationStatus, 'VERIFIED'>,
    now: number,
    messages: number,
  ): { period: Period; cap: number } | undefined {
    const key = `${accountId.length}:${accountId}${number}`;
    const period = periodsOf(now);
    let counter = this.counters.get(key);
    if (!counter) this.counters.set(key, (counter = { period, count: { day: 0, week: 0, month: 0 } }));
    for (const p of PERIODS) {
      if (counter.period[p] !== period[p]) {
        counter.period[p] = period[p];
        counter.count[p] = 0;
      }
    }
    const caps = CAPS[status];
    for (const p of PERIODS) if (counter.count[p] + messages > caps[p]) return { period: p, cap: caps[p] };
    for (const p of PERIODS) counter.count[p] += messages;
    return undefined;
  }

  /** Forget the counts of one account, or of all (reset). */
  clear(accountId?: string): void {
    if (accountId === undefined) {
      this.counters.clear();
      return;
    }
    const prefix = `${accountId.length}:${accountId}`;
    for (const key of this.counters.keys()) if (key.startsWith(prefix)) this.counters.delete(key);
  }
}
