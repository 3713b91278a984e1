import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/iso-time.js';

// isoTime must be Date's toISOString, character for character: callbacks and 202 bodies are compared by clients.
describe('isoTime', () => {
  it.each([
    0,
    1,
    999,
    86_399_999,
    86_400_000,
    951_782_400_000, // 2000-02-29 (a leap day in a century year)
    951_868_799_999,
    4_107_542_400_000, // 2100-03-01 (2100 is no leap year)
    1_795_752_401_146,
    253_402_300_799_999, // the last millisecond of 9999
    1.7, // a fractional millisecond is cut, as Date does
  ])('%d', (ms) => {
    expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it('falls back to Date outside 1970-9999: the same text, the same RangeError', () => {
    for (const ms of [-1, -86_400_001, 253_402_300_800_000, 8.64e15]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => isoTime(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('agrees with Date across its whole range', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: 0, max: 253_402_300_799_999 }), fc.double({ min: 0, max: 4e12, noNaN: true })),
        (ms) => {
          expect(isoTime(ms)).toBe(new Date(ms).toISOString());
        },
      ),
      { seed: 20261127, numRuns: 5000 },
    );
  });
});
