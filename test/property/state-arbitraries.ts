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
  .oneof(fc.integer(), fc.constantFrom(0, -4720, 4721, 47200, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 1e21), fc.constantFrom(...KNOWN_ERROR_CODES).map((c) => c + 1))
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
    fc.oneof(nastyString, fc.constantFrom('+19195550100', '+15553003600', recipients[0]!.slice(0, -1), ` ${recipients[0]!}`), fc.nat({ max: 200_000 }).map((n) => '+1'.padEnd(n, '9')))
      .filter((r) => !recipients.includes(r))
      .map((recipient) => ({ action: 'deliver', recipient })),
    fc.tuple(carrierAction, nastyString, anyJson).map(([action, key, value]) => ({ ...action, [key === 'action' || key === 'errorCode' || key === 'recipient' ? `${key}_` : key]: value })),
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
    fc.oneof(nastyString, fc.constantFrom('bandwidth-emulator-state ', 'Bandwidth-Emulator-State', 'bandwidth-emulator-config')).map((kind) => withSection('kind', kind, false)),
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
