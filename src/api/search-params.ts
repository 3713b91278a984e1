/**
 * The listMessages rules Bandwidth states only in words (bandwidth.yml's parameter descriptions) and a JSON Schema
 * with type coercion cannot hold: integers written as plain digits in range, `from`/`to` pairs in order, dates with
 * seconds and a zone inside the 14-day window, and a sort on a real field. Read from the raw query text, as sent.
 */

/** The widest search window, "The date range to search in is currently 14 days" (the spec's fromDateTime/toDateTime). */
const MAX_RANGE_MS = 14 * 24 * 60 * 60 * 1000;
// A Java int, what the numbers are on Bandwidth's side; limit has its own documented range.
const INT_MAX = 2_147_483_647;
const INTEGERS: Record<string, readonly [number, number]> = {
  errorCode: [0, INT_MAX],
  fromBwLatency: [0, INT_MAX],
  fromCarrierLatency: [0, INT_MAX],
  fromSegmentCount: [0, INT_MAX],
  toSegmentCount: [0, INT_MAX],
  fromMessageSize: [0, INT_MAX],
  toMessageSize: [0, INT_MAX],
  limit: [1, 10_000],
};
const PAIRS = [
  ['fromSegmentCount', 'toSegmentCount'],
  ['fromMessageSize', 'toMessageSize'],
] as const;
// Date and time to the second, milliseconds optional, and a zone: the spec's example is 2022-09-14T18:20:16.000Z.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,3})?(?:Z|[+-](\d{2}):(\d{2}))$/;
const DATE_RULE = 'an ISO 8601 date and time with seconds and a zone, milliseconds optional, e.g. 2022-09-14T18:20:16.000Z';
const SORT = /^([A-Za-z0-9]{1,64}):(asc|desc)$/;

/** When a date parameter is an ISO 8601 date-time to the second with a zone, its instant; otherwise undefined. */
function instantOf(value: string): number | undefined {
  const m = DATE_TIME.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second, zoneHour, zoneMinute] = m.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  // A real calendar day and clock time: Date.UTC would roll 2022-02-30 over into March.
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  if (date.getUTCMonth() !== month! - 1 || date.getUTCDate() !== day! || hour! > 23 || minute! > 59 || second! > 59) return undefined;
  if (zoneHour! > 23 || zoneMinute! > 59) return undefined;
  return Date.parse(value);
}

/**
 * Every problem with the search's raw query, one line per parameter (keyed by it): an empty map when it breaks none of
 * the rules above. `sortFields` are the fields a row has.
 */
export function searchParamProblems(query: URLSearchParams, sortFields: readonly string[]): Map<string, string> {
  const problems = new Map<string, string>();
  const one = (name: string): string | undefined => {
    const values = query.getAll(name);
    if (values.length > 1) problems.set(name, `${name} was given ${values.length} times; give it once`);
    return values.length === 1 ? values[0] : undefined;
  };
  const numbers: Record<string, number> = {};
  for (const [name, [min, max]] of Object.entries(INTEGERS)) {
    const raw = one(name);
    if (raw === undefined) continue;
    const value = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
    if (Number.isInteger(value) && value >= min && value <= max) numbers[name] = value;
    else problems.set(name, `${name} must be a whole number from ${min} to ${max}, written in digits; got '${raw.slice(0, 40)}'`);
  }
  for (const [from, to] of PAIRS) {
    if (numbers[from] !== undefined && numbers[to] !== undefined && numbers[from] > numbers[to]) {
      problems.set(from, `${from} (${numbers[from]}) must not be more than ${to} (${numbers[to]})`);
    }
  }
  const instants: Record<string, number> = {};
  for (const name of ['fromDateTime', 'toDateTime']) {
    const raw = one(name);
    if (raw === undefined) continue;
    const instant = instantOf(raw);
    if (instant === undefined) problems.set(name, `${name} must be ${DATE_RULE}; got '${raw.slice(0, 40)}'`);
    else instants[name] = instant;
  }
  const { fromDateTime: from, toDateTime: to } = instants;
  if (from !== undefined && to !== undefined) {
    if (from > to) problems.set('fromDateTime', 'fromDateTime must not be after toDateTime');
    else if (to - from > MAX_RANGE_MS)
      problems.set('toDateTime', 'The date range to search in is at most 14 days: toDateTime must be within 14 days of fromDateTime');
  }
  const sort = one('sort');
  if (sort !== undefined) {
    const m = SORT.exec(sort);
    if (!m)
      problems.set('sort', `sort must be a field and a direction joined by a colon, the direction asc or desc, e.g. sourceTn:desc; got '${sort.slice(0, 40)}'`);
    else if (!sortFields.includes(m[1]!)) problems.set('sort', `sort field '${m[1]}' is not a message field; use one of ${sortFields.join(', ')}`);
  }
  return problems;
}
