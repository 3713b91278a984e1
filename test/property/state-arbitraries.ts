// Inputs for the carrier and state properties of the control API: carrier requests (valid and hostile) and state
// documents broken one section, one element or one field at a time, from a valid export.
import fc from 'fast-check';
import { MESSAGE_ERROR_CODES } from '../../src/error-codes.js';
import { anyJson, mutated, nastyString } from './arbitraries.js';

/** Every code of Bandwidth's message-failed table: what a valid `fail` may carry. */
const KNOWN_ERROR_CODES: readonly number[] = Object.keys(MESSAGE_ERROR_CODES).map(Number);

/** A valid carrier action: deliver, or fail with a known code. */
export const carrierAction: fc.Arbitrary<{ action: 'deliver' } | { action: 'fail'; errorCode: number }> = fc.oneof(
  fc.constant({ action: 'deliver' as const }),
  fc.constantFrom(...KNOWN_ERROR_CODES).map((errorCode) => ({ action: 'fail' as const, errorCode })),
);

/** An integer that is not in the error-code table: near misses, zero, negatives, huge values. */
const unknownErrorCode: fc.Arbitrary<number> = fc
  .oneof(
    fc.integer(),
    fc.constantFrom(0, -4720, 4721, 47200, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 1e21),
    fc.constantFrom(...KNOWN_ERROR_CODES).map((c) => c + 1),
  )
  .filter((c) => !(c in MESSAGE_ERROR_CODES));

/** Carrier bodies that must be refused (or, rarely, happen to be valid): wrong types, unknown fields and codes, huge values. */
export function hostileCarrierBody(recipients: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    anyJson,
    mutated({ action: 'fail', errorCode: 4720 }),
    mutated({ action: 'deliver', recipient: recipients[0]! }),
    unknownErrorCode.map((errorCode) => ({ action: 'fail', errorCode })),
    fc.constantFrom(...KNOWN_ERROR_CODES).map((errorCode) => ({ action: 'deliver', errorCode })),
    fc.constant({ action: 'fail' }),
    fc
      .oneof(
        nastyString,
        fc.constantFrom('+19195550100', '+15553003600', recipients[0]!.slice(0, -1), ` ${recipients[0]!}`),
        fc.nat({ max: 200_000 }).map((n) => '+1'.padEnd(n, '9')),
      )
      .filter((r) => !recipients.includes(r))
      .map((recipient) => ({ action: 'deliver', recipient })),
    fc
      .tuple(carrierAction, nastyString, anyJson)
      .map(([action, key, value]) => ({ ...action, [key === 'action' || key === 'errorCode' || key === 'recipient' ? `${key}_` : key]: value })),
  );
}

/** The sections of a state document, and the fields its arrays' elements have. */
const SECTIONS = ['kind', 'version', 'exportedAt', 'lastEventNumber', 'messages', 'media', 'journal', 'scenarios', 'pending', 'ruleHits'] as const;
const ARRAYS = ['messages', 'media', 'journal', 'scenarios'] as const;

/**
 * A valid state document broken one way: a wrong kind or version, a section replaced by anything or removed, one
 * array element replaced, or one field of one element replaced, removed or added. Some results stay valid.
 */
export function brokenStateDocument(valid: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const withSection = (key: string, value: unknown, drop: boolean) => {
    const copy: Record<string, unknown> = structuredClone(valid);
    if (drop) delete copy[key];
    else Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
    return copy;
  };
  const nonEmpty = ARRAYS.filter((k) => Array.isArray(valid[k]) && (valid[k] as unknown[]).length > 0);
  const element = (k: string) => fc.nat({ max: (valid[k] as unknown[]).length - 1 });
  return fc.oneof(
    fc
      .oneof(nastyString, fc.constantFrom('bandwidth-emulator-state ', 'Bandwidth-Emulator-State', 'bandwidth-emulator-config'))
      .map((kind) => withSection('kind', kind, false)),
    fc.oneof(anyJson, fc.constantFrom(0, 2, '1', 1.5, -1, 1e308)).map((version) => withSection('version', version, false)),
    fc.tuple(fc.constantFrom(...SECTIONS), anyJson, fc.boolean()).map(([key, value, drop]) => withSection(key, value, drop)),
    fc.tuple(nastyString, anyJson).map(([key, value]) => withSection(key, value, false)),
    ...(nonEmpty.length === 0
      ? []
      : [
          fc.constantFrom(...nonEmpty).chain((k) =>
            fc.tuple(fc.constant(k), element(k), anyJson).map(([key, i, value]) => {
              const list = structuredClone(valid[key]) as unknown[];
              list[i] = value;
              return withSection(key, list, false);
            }),
          ),
          fc.constantFrom(...nonEmpty).chain((k) =>
            fc.tuple(fc.constant(k), element(k)).chain(([key, i]) =>
              mutated((valid[key] as Array<Record<string, unknown>>)[i]!).map((changed) => {
                const list = structuredClone(valid[key]) as unknown[];
                list[i] = changed;
                return withSection(key, list, false);
              }),
            ),
          ),
          // The same element twice: duplicate ids, sequence numbers and names.
          fc.constantFrom(...nonEmpty).chain((k) =>
            element(k).map((i) => {
              const list = structuredClone(valid[k]) as unknown[];
              list.push(structuredClone(list[i]));
              return withSection(k, list, false);
            }),
          ),
        ]),
  );
}

/** Numbers at and past the edges of every domain a state document uses: Date's range, 2^52, the safe integers. */
const EXTREME_NUMBERS = [
  0,
  -0,
  -1,
  1.5,
  1e-300,
  1e300,
  -1e300,
  8.64e15,
  8.64e15 + 1,
  -8.64e15,
  -8.64e15 - 1,
  2 ** 52,
  2 ** 52 + 1,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  2 ** 31,
  4_294_967_296,
  1e21,
];

// Placeholders replaced in the body text: JSON.stringify cannot write Infinity, nor a value nested 100,000 deep.
const INFINITY = '__STATE_PROP_INFINITY__';
const DEEP = (depth: number) => `__STATE_PROP_DEEP_${depth}__`;

/** Every path to a scalar (string, number, boolean, null) in a JSON value. */
function scalarPaths(value: unknown, path: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Array.isArray(value) ? value.entries() : Object.entries(value)) scalarPaths(child, [...path, key], out);
  } else out.push(path);
  return out;
}

/**
 * The text of a valid state document with one to three scalars replaced by an extreme number, Infinity (`1e400`),
 * or a value nested 60 to 100,000 levels deep: each must be imported, or refused with a 400 that changes nothing.
 */
export function extremeStateDocument(valid: Record<string, unknown>): fc.Arbitrary<string> {
  const paths = scalarPaths(valid);
  const replacement = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom<unknown>(...EXTREME_NUMBERS) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(INFINITY, `-${INFINITY}`) },
    { weight: 2, arbitrary: fc.constantFrom(55, 60, 63, 64, 65, 100, 1000, 100_000).map((depth) => DEEP(depth) as unknown) },
  );
  return fc.array(fc.tuple(fc.constantFrom(...paths), replacement), { minLength: 1, maxLength: 3 }).map((edits) => {
    const copy = structuredClone(valid);
    for (const [path, value] of edits) {
      let node = copy as Record<string | number, unknown>;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
      node[path.at(-1)!] = value;
    }
    return JSON.stringify(copy)
      .replace(new RegExp(`"(-?)${INFINITY}"`, 'g'), '$11e400')
      .replace(/"__STATE_PROP_DEEP_(\d+)__"/g, (_m, depth: string) => '['.repeat(Number(depth)) + ']'.repeat(Number(depth)));
  });
}
