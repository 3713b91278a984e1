// Property tests over user regexes (src/scenarios/user-regex.ts): patterns built from nested quantifiers and
// overlapping alternations, the shapes that take a backtracking engine exponential time, matched against a few KB of
// adversarial text. No clock is read: a match costs at most (RE2 program size) x (text length) steps, and the
// property checks the first factor is within USER_REGEX_LIMITS.programSize for every pattern it runs, so with texts of
// at most ADVERSARIAL_CHARS the whole run is bounded by construction (a hang would fail by the test timeout; the old
// V8 matcher hung on the first such pattern). On short texts every answer must be JavaScript's own.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileUserRegex, USER_REGEX_LIMITS, UserRegexError, type UserRegex } from '../../src/scenarios/user-regex.js';
import { fcParams } from './fc-settings.js';

const ADVERSARIAL_CHARS = 4097;
// Long runs of what the generated patterns match, each ending where a backtracking engine must try every split.
const ADVERSARIAL = [
  'a'.repeat(ADVERSARIAL_CHARS - 1) + '!',
  'ab'.repeat((ADVERSARIAL_CHARS - 1) / 2) + '!',
  'x'.repeat(ADVERSARIAL_CHARS),
  '1'.repeat(ADVERSARIAL_CHARS - 1) + ' ',
];

// Up to four levels of group, quantifier and alternation over a small alphabet, so alternatives overlap often.
const { pattern } = fc.letrec<{ pattern: string; atom: string; concat: string; alternation: string; overlapping: string; quantified: string }>((tie) => ({
  pattern: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'regex' },
    tie('atom'),
    { weight: 3, arbitrary: tie('quantified') },
    { weight: 2, arbitrary: tie('overlapping') },
    tie('alternation'),
    tie('concat'),
  ),
  atom: fc.constantFrom('a', 'b', 'x', '1', '.', '[ab]', '[a-x]', '\\w', '\\d', '\\s', '(?:)'),
  concat: fc.array(tie('pattern'), { minLength: 2, maxLength: 3 }).map((parts) => parts.join('')),
  alternation: fc.array(tie('pattern'), { minLength: 2, maxLength: 3 }).map((parts) => `(${parts.join('|')})`),
  // (p|p), (p|pp), (p|p?): every way to split a run is a match, which is what makes backtracking exponential.
  overlapping: fc.tuple(tie('pattern'), fc.constantFrom('p|p', 'p|pp', 'p|p?', 'pp|p')).map(([p, shape]) => `(${shape.replace(/p/g, `(?:${p})`)})`),
  quantified: fc.tuple(tie('pattern'), fc.constantFrom('*', '+', '?', '*?', '+?', '{2}', '{1,3}', '{0,4}', '{2,}')).map(([p, q]) => `(${p})${q}`),
}));

// The shapes the attack run and the old heuristic check were about, among the generated ones.
const known = fc.constantFrom('^(a|a)*$', '(a*)*b', '(x+x+)+y', '(a|aa)+$', '^(\\w|\\d)+$', '([a-z]+)*$', '(.*a){20}', '^(a?){25}a{25}$');
const anchored = fc.oneof(known, {
  weight: 9,
  arbitrary: fc.tuple(fc.boolean(), pattern, fc.boolean()).map(([start, p, end]) => `${start ? '^' : ''}${p}${end ? '$' : ''}`),
});
const flags = fc.constantFrom('', 'i', 's', 'is');
// Short texts over the same alphabet: a backtracking engine answers them quickly, so V8 can be the oracle.
const shortText = fc.string({ unit: fc.constantFrom('a', 'b', 'x', '1', ' ', '!'), maxLength: 6 });

// The only refusals a generated pattern may get: RE2's repeat limit, or the program-size bound.
function compileOrBound(source: string, regexFlags: string): UserRegex | undefined {
  try {
    return compileUserRegex(source, regexFlags);
  } catch (error) {
    expect(error).toBeInstanceOf(UserRegexError);
    expect((error as UserRegexError).message).toMatch(/RE2 instructions, over the limit|repeats more than RE2 allows/);
    return undefined;
  }
}

describe('user regexes: nested quantifiers and overlapping alternations', () => {
  it('run on a few KB of adversarial text with a program within the bound (so the steps are bounded)', () => {
    let ran = 0;
    let tried = 0;
    fc.assert(
      fc.property(anchored, flags, (source, regexFlags) => {
        tried++;
        const regex = compileOrBound(source, regexFlags);
        if (!regex) return;
        expect(regex.programSize).toBeLessThanOrEqual(USER_REGEX_LIMITS.programSize);
        for (const text of ADVERSARIAL) expect(typeof regex.test(text)).toBe('boolean');
        ran++;
      }),
      fcParams(),
    );
    // Not vacuous: most generated patterns are within the bounds and were run.
    expect(ran).toBeGreaterThan(tried / 2);
  });

  it('answer as JavaScript does on short texts', () => {
    fc.assert(
      fc.property(anchored, flags, fc.array(shortText, { minLength: 1, maxLength: 8 }), (source, regexFlags, texts) => {
        const regex = compileOrBound(source, regexFlags);
        if (!regex) return;
        const oracle = new RegExp(source, regexFlags);
        for (const text of texts) expect(regex.test(text), `/${source}/${regexFlags} on ${JSON.stringify(text)}`).toBe(oracle.test(text));
      }),
      fcParams(),
    );
  });
});
