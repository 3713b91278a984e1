import { MAX_EPOCH_MS } from '../model/bounds.js';

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Pattern for duration strings in config and scenario files (`250ms`, `2s`, `5m`, `1h`). */
export const DURATION_PATTERN = DURATION.source;

/**
 * Milliseconds from a duration string (`250ms`, `2s`, `1.5m`, `1h`) or a plain number of milliseconds; undefined if
 * malformed. A duration past 8.64e15 ms (about 274,000 years: never, in practice) counts as 8.64e15, so every delay
 * stays a number the clock, Date and a state document can hold (`999999999999h` would be 3.6e18 ms, and 400 digits
 * Infinity).
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isNaN(value) || value < 0 ? undefined : Math.min(value, MAX_EPOCH_MS);
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  return Math.min(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS], MAX_EPOCH_MS);
}
