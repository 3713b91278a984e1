// Scenario documents that look right but carry hostile values: bad durations, huge numbers, unsafe or broken
// regexes, wrong types in every slot. Used against the scenario compiler, the file loader and POST /__emulator/scenarios.
import fc from 'fast-check';
import { anyJson, nastyString } from './arbitraries.js';

/** Either a plausible value or anything at all, so every slot is tried with wrong types too. */
const or = <T>(plausible: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: plausible }, { weight: 1, arbitrary: anyJson });

/** Regex sources: ordinary, catastrophic (nested quantifiers), invalid, and random regex-syntax soup. */
const regexSource: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '^hello',
    'STOP|UNSUBSCRIBE',
    '\\d{6}',
    '(a+)+$',
    '(.*)*x',
    '(a|aa)+$',
    '([a-z]+)*$',
    '(x+x+)+y',
    '^(\\d+)*$',
    '(?:a?){20}a{20}',
    '(',
    '[',
    'a{2,1}',
    '\\',
    '(?<n>a)\\k<m>',
    'x'.repeat(1001),
  ),
  fc.string({ unit: fc.constantFrom('a', 'b', '(', ')', '+', '*', '?', '|', '.', '[', ']', '\\', '{', '}', '1', ',', '^', '$', 'd', 's'), maxLength: 24 }),
);

const textMatcher = fc.oneof(
  nastyString,
  fc.tuple(regexSource, fc.constantFrom('', 'i', 'ims', 'g', 'y', 'x', 'u', 'v')).map(([s, f]) => `/${s}/${f}`),
  fc.record({ equals: nastyString }),
  fc.record({ prefix: nastyString }),
  fc.record({ regex: regexSource, flags: fc.constantFrom('', 'i', 'u', 'g', 'zz') }, { requiredKeys: ['regex'] }),
  fc.array(nastyString, { maxLength: 5 }),
);

/** Durations: valid strings and numbers, and the edges (huge, negative, fractional, malformed, overflowing). */
const duration: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '250ms',
    '2s',
    '1.5m',
    '1h',
    '0ms',
    '600h',
    '99999999h',
    `${'9'.repeat(400)}ms`,
    '-1s',
    '1 s',
    'ms',
    '1d',
    '',
    0,
    -1,
    0.5,
    1e12,
    1e308,
    2 ** 31,
  ),
  fc.nat().map((n) => `${n}ms`),
  fc.double(),
);

const selection = { times: or(fc.integer()), every: or(fc.integer()), probability: or(fc.double()) };

const rule = fc.record(
  {
    name: or(nastyString),
    match: or(
      fc.record(
        {
          to: textMatcher,
          from: textMatcher,
          text: textMatcher,
          tag: textMatcher,
          applicationId: textMatcher,
          accountId: textMatcher,
          media: or(fc.boolean()),
          group: or(fc.boolean()),
          segments: or(fc.oneof(fc.integer(), fc.record({ min: fc.integer(), max: fc.integer() }, { requiredKeys: [] }))),
          numberType: or(
            fc.oneof(fc.constantFrom('local', 'tollFree', 'shortCode', 'landline'), fc.array(fc.constantFrom('local', 'tollFree', ''), { maxLength: 5 })),
          ),
          campaignClass: or(fc.oneof(fc.constantFrom('T', 'W', 'TT', 't'), nastyString, fc.array(fc.constantFrom('A', 'Z', 'ZZ'), { maxLength: 30 }))),
          verificationStatus: or(
            fc.oneof(fc.constantFrom('VERIFIED', 'PENDING', 'UNVERIFIED', 'DENIED'), fc.array(fc.constantFrom('PENDING', 'x'), { maxLength: 5 })),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
    times: or(fc.integer()),
    events: or(
      fc.array(
        fc.record(
          {
            type: or(fc.constantFrom('message-sending', 'message-delivered', 'message-failed', 'message-received')),
            after: duration,
            errorCode: or(fc.constantFrom(4720, 4470, 9902, 0, -1, 1e9)),
            description: nastyString,
          },
          { requiredKeys: ['type'] },
        ),
        { maxLength: 25 },
      ),
    ),
    receipt: or(fc.constantFrom('none', 'carrier-expired', 'lost')),
    reply: or(fc.record({ after: duration, text: or(nastyString), media: or(fc.array(nastyString, { maxLength: 12 })) }, { requiredKeys: ['text'] })),
    callbackFaults: or(
      fc.record(
        {
          duplicate: or(fc.integer()),
          delay: duration,
          drop: or(fc.boolean()),
          reorder: or(fc.boolean()),
          earlyReceipt: or(fc.boolean()),
          sendingAfterFinal: or(fc.boolean()),
          staleAfterFinal: or(fc.integer({ min: -1, max: 12 })),
          ...selection,
        },
        { requiredKeys: [] },
      ),
    ),
    apiFault: or(
      fc.record(
        {
          status: or(fc.constantFrom(429, 500, 503, 404)),
          retryAfter: or(fc.integer()),
          delay: duration,
          drop: or(fc.boolean()),
          operation: or(
            fc.oneof(fc.constantFrom('create', 'search', 'media', 'list'), fc.array(fc.constantFrom('create', 'search', 'media', 'x'), { maxLength: 4 })),
          ),
          ...selection,
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

const inbound = fc.record(
  {
    name: or(nastyString),
    trigger: or(fc.constantFrom('start', 'manual', 'later')),
    after: duration,
    from: or(fc.constantFrom('+15551230000', 'abc', '')),
    to: or(fc.array(fc.constantFrom('+19195550100', '+1', 'x'), { maxLength: 3 })),
    text: or(nastyString),
    media: or(fc.array(nastyString, { maxLength: 12 })),
  },
  { requiredKeys: [] },
);

/** A scenario document with hostile values everywhere; mostly `version: 1` so the deeper checks run. */
export const scenarioDocument: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    version: fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: anyJson }),
    name: or(nastyString),
    description: or(nastyString),
    seed: or(fc.integer()),
    rules: or(fc.array(rule, { maxLength: 4 })),
    inbound: or(fc.array(inbound, { maxLength: 3 })),
    extra: anyJson,
  },
  { requiredKeys: ['version'] },
);
