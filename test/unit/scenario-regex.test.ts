// User regexes run on RE2 (src/scenarios/user-regex.ts), never on V8's backtracking engine. Regression: safe-regex2's
// heuristic passed `^(a|a)*$`, which then hung the process on a line of a's; other exponential shapes (nested
// quantifiers, overlapping alternations) were refused though RE2 runs them in linear time. Every test here goes
// through the scenario matcher (compileText), as a scenario file does; each class was run by V8 or refused before.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileText, MatcherError } from '../../src/scenarios/matcher.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const PATH = ['rules', 0, 'match', 'text'];
const matcher = (source: string, flags = '') => compileText(`/${source}/${flags}`, PATH);

// RegExp.prototype.test, match, replace and search all reach RegExp.prototype.exec: a spy on it sees every V8 match.
function v8MatchesOf(source: string, run: () => void): number {
  const exec = vi.spyOn(RegExp.prototype, 'exec');
  try {
    run();
    return exec.mock.contexts.filter((re) => (re as RegExp).source === new RegExp(source).source).length;
  } finally {
    exec.mockRestore();
  }
}

// Exponential for a backtracking engine, each with texts and what JavaScript says about them.
const EXPONENTIAL: Array<{ cls: string; source: string; cases: Array<[string, boolean]>; adversarial: string }> = [
  {
    cls: 'overlapping alternation under a star',
    source: '^(a|a)*$',
    cases: [
      ['aaaa', true],
      ['aaab', false],
      ['', true],
    ],
    adversarial: 'a'.repeat(5000) + '!',
  },
  {
    cls: 'alternation of a word and its prefix',
    source: '^(a|aa)+$',
    cases: [
      ['aaa', true],
      ['aab', false],
    ],
    adversarial: 'a'.repeat(5000) + 'b',
  },
  {
    cls: 'overlapping classes',
    source: '^(\\w|\\d)+$',
    cases: [
      ['ab12', true],
      ['ab 12', false],
    ],
    adversarial: '1'.repeat(5000) + ' ',
  },
  {
    cls: 'nested star',
    source: '(a*)*b',
    cases: [
      ['aaab', true],
      ['aaaa', false],
    ],
    adversarial: 'a'.repeat(5000),
  },
  {
    cls: 'nested plus with two parts',
    source: '(x+x+)+y',
    cases: [
      ['xxy', true],
      ['xxxx', false],
      ['xy', false],
    ],
    adversarial: 'x'.repeat(5000),
  },
  {
    cls: 'nested plus, anchored',
    source: '^(a+)+$',
    cases: [
      ['aaa', true],
      ['aa!', false],
    ],
    adversarial: 'a'.repeat(5000) + '!',
  },
  {
    cls: 'star of a star-prefix',
    source: '(.*a){12}',
    cases: [
      ['a'.repeat(12), true],
      ['a'.repeat(11), false],
    ],
    adversarial: 'a'.repeat(11) + 'b'.repeat(5000),
  },
];

describe('user regexes run on RE2, never on V8', () => {
  for (const { cls, source, cases, adversarial } of EXPONENTIAL) {
    it(`${cls}: /${source}/ compiles, answers as JavaScript does, and never reaches V8's matcher`, () => {
      const regex = matcher(source);
      // Short texts first: on the old code this fails at once (V8 ran the match) instead of hanging below.
      expect(
        v8MatchesOf(source, () => {
          for (const [text, expected] of cases) expect(regex.test(text), JSON.stringify(text)).toBe(expected);
        }),
      ).toBe(0);
      // The text that made the backtracking engine take exponential time: RE2 walks it once.
      expect(regex.test(adversarial)).toBe(false);
    });
  }

  it('the {regex, flags} form too', () => {
    const m = compileText({ regex: '^(a|a)*$', flags: 'i' }, PATH);
    expect(v8MatchesOf('^(a|a)*$', () => expect(m.test('AAaa')).toBe(true))).toBe(0);
    expect(m.test('a'.repeat(5000) + '!')).toBe(false);
    expect(m.describe).toBe('matches /^(a|a)*$/i');
  });
});

describe('JavaScript meaning, kept where RE2 reads the same text differently', () => {
  const cases: Array<[source: string, flags: string, text: string, expected: boolean]> = [
    ['^\\s$', '', '\u00a0', true], // JavaScript's \s includes no-break space; RE2's does not
    ['^\\s$', '', '\v', true],
    ['^\\S$', '', '\u2028', false],
    ['^.$', '', '\r', false], // . stops at every line terminator, not only \n
    ['^.$', '', '\u2029', false],
    ['^.$', 's', '\n', true],
    ['^[]$', '', '', false], // [] matches nothing (RE2 would read '[]...' as a class holding ']')
    ['^[^]$', '', '\n', true],
    ['a{', '', 'a{', true], // a lone brace is a literal (Annex B)
    ['^x{2,}$', '', 'xxx', true],
    ['\\u0041\\x42', '', 'AB', true],
    ['^\\uD83D\\uDE00$', '', '😀', true],
    ['^\\u{1F600}$', 'u', '😀', true],
    ['^\\cJ$', '', '\n', true],
    ['^[\\b]$', '', '\b', true],
    ['^\\0$', '', '\0', true],
    ['(?<year>\\d{4})-(?<month>\\d\\d)', '', 'on 2024-05', true],
    ['^\\p{Lu}+$', 'u', 'ÀB', true],
    ['^\\p{Script=Greek}+$', 'u', 'αβ', true],
    ['^\\p{Letter}$', 'u', '1', false],
    ['^STOP$', 'i', 'stop', true],
    ['^b$', 'm', 'a\nb\nc', true],
    ['a$', '', 'a\n', false], // $ without m is the end of the text
    ['^a\\/b$', '', 'a/b', true],
    ['^[\\d-z]+$', '', '1-z', true], // Annex B: a range with a class at one end is the class, '-', and the other end
  ];
  for (const [source, flags, text, expected] of cases) {
    it(`/${source}/${flags} on ${JSON.stringify(text)} is ${expected}, as in JavaScript`, () => {
      expect(new RegExp(source, flags).test(text)).toBe(expected); // the expectation is JavaScript's own answer
      expect(matcher(source, flags).test(text)).toBe(expected);
    });
  }
});

describe('refused with the construct named and a rewrite', () => {
  const refused: Array<[source: string, flags: string, problem: RegExp, fix: RegExp]> = [
    ['^(?=.*STOP)', '', /uses a lookahead \(\?=…\), which RE2 cannot run/, /^rewrite without lookahead/],
    ['x(?!y)', '', /uses a negative lookahead/, /^rewrite without lookahead/],
    ['(?<=a)b', '', /uses a lookbehind/, /^rewrite without lookbehind/],
    ['(?<!a)b', '', /uses a negative lookbehind/, /^rewrite without lookbehind/],
    ['(a)\\1', '', /uses \\1, a backreference/, /^rewrite without backreferences/],
    ['(?<w>a)\\k<w>', '', /backreference \(\\k<name>\)/, /^rewrite without backreferences/],
    ['\\01', '', /legacy octal escape \\01/, /\\xHH/],
    ['a{1001}', '', /repeats more than RE2 allows/, /1000 or less/],
    ['(a{40}){40}', '', /repeats more than RE2 allows/, /nested counts small/],
    ['\\p{scx=Greek}', 'u', /Script_Extensions/, /Script=/],
    ['(a', '', /is not a valid regular expression/, /write it as \/pattern\/flags/],
    ['x', 'g', /flags 'g' are not allowed/, /only i, m, s or u/],
    ['x'.repeat(1001), '', /longer than 1000 characters/, /shorter pattern/],
  ];
  for (const [source, flags, problem, fix] of refused) {
    it(`/${source.slice(0, 30)}/${flags}`, () => {
      const error = (() => {
        try {
          matcher(source, flags);
        } catch (e) {
          return e;
        }
        throw new Error('expected a refusal');
      })();
      expect(error).toBeInstanceOf(MatcherError);
      expect((error as MatcherError).path).toEqual(PATH);
      expect((error as MatcherError).message).toMatch(problem);
      expect((error as MatcherError).fix).toMatch(fix);
    });
  }
});
