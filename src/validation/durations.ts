const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Pattern for duration strings in config and scenario files (`250ms`, `2s`, `5m`, `1h`). */
export const DURATION_PATTERN = DURATION.source;

/** Milliseconds from a duration string (`250ms`, `2s`, `1.5m`, `1h`) or a plain number of milliseconds; undefined if malformed. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
