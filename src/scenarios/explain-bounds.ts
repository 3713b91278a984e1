// Explanations ("matched …; missed: …") are built for every recipient of every message and kept in its timeline, the
// journal and the data dir. They quote message text (up to 3,270 characters), rule names and patterns, and list every
// rule that missed (up to 1,000 a file): unbounded, one message's explanation could reach megabytes.

/** How much an explanation quotes and lists; the README documents these. */
export const EXPLAIN_LIMITS = {
  /** Characters of one quoted value (a text, a pattern, a rule name) before it is cut. */
  quotedChars: 200,
  /** Values shown of a list matcher ('one of …'). */
  listedValues: 10,
  /** Rules listed under "missed" per recipient; the rest are counted. */
  missesPerMessage: 20,
} as const;

/** `value` cut to `max` characters, saying how much was left out: `abc…(+1234 chars)`. */
export function clip(value: string, max: number = EXPLAIN_LIMITS.quotedChars): string {
  if (value.length <= max) return value;
  // Never cut a surrogate pair in two.
  const high = value.charCodeAt(max - 1);
  const end = high >= 0xd800 && high <= 0xdbff ? max - 1 : max;
  return `${value.slice(0, end)}…(+${value.length - end} chars)`;
}

/** `value` in single quotes, clipped. */
export function quote(value: string): string {
  return `'${clip(value)}'`;
}

/** The first `max` items, formatted and joined by `separator`, then how many more there were: `a, b … (+7 more)`. */
export function listSome<T>(items: readonly T[], max: number, separator: string, format: (item: T) => string): string {
  const shown = items.slice(0, max).map(format).join(separator);
  return items.length > max ? `${shown}${separator}… (+${items.length - max} more)` : shown;
}
