const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Pattern for duration strings in config and scenario files (`250ms`, `2s`, `5m`, `1h`). */
export const DURATION_PATTERN = DURATION.source;

/** The longest a duration may be, why, and the largest value to suggest instead. */
export interface DurationBound {
  maxMs: number;
  why: string;
  largest: string;
}

/**
 * For durations handed to a Node timer (callback timeout, shutdown grace, media fetch timeout): Node fires a
 * setTimeout longer than 2^31-1 ms (~24.8 days) at once, so a longer timeout would mean "no time at all".
 */
export const TIMER_BOUND: DurationBound = { maxMs: 2 ** 31 - 1, why: 'the longest a Node timer can wait (2147483647 ms, about 24.8 days)', largest: '596h' };

/**
 * For delays on the emulated clock (scenario delays, default delays, retry delays): the clock waits in chunks, so
 * any length works, but the emulator adds up to 21 of them into due times that are persisted and shown as dates;
 * a year each keeps every sum finite and far inside what a Date holds.
 */
export const DELAY_BOUND: DurationBound = { maxMs: 8760 * UNIT_MS.h, why: 'the longest delay the emulator schedules (8760h, 365 days)', largest: '8760h' };

/** For durations that are only compared with the clock (media retention): any length that is a number at all. */
export const FINITE_BOUND: DurationBound = { maxMs: Number.MAX_VALUE, why: 'any number of milliseconds can hold', largest: 'a duration such as 8760h' };

// Milliseconds as written, Infinity included (a string of 400 digits), or undefined if malformed.
function writtenMs(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isNaN(value) || value < 0 ? undefined : value;
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Milliseconds from a duration string (`250ms`, `2s`, `1.5m`, `1h`) or a plain number of milliseconds; undefined if malformed or not finite. */
export function parseDuration(value: string | number): number | undefined {
  const ms = writtenMs(value);
  return ms !== undefined && Number.isFinite(ms) ? ms : undefined;
}

/** What is wrong with a well-formed duration longer than its bound, and the fix; undefined when it fits (or is malformed, which the schema reports). */
export function durationBoundProblem(value: string | number, bound: DurationBound): { problem: string; fix: string } | undefined {
  const ms = writtenMs(value);
  if (ms === undefined || ms <= bound.maxMs) return undefined;
  const written = typeof value === 'number' ? String(value) : `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  return { problem: `${written} is longer than ${bound.why}`, fix: `use at most ${bound.largest}` };
}
