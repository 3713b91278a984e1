// JavaScript regex syntax, translated into RE2's with the JavaScript meaning. Scenario files write regexes as
// `/pattern/flags`, so users expect JavaScript's rules; RE2 (linear time) reads a different dialect. Where the two
// disagree on what the same text means (`\s`, `.`, `[]`, `\u0041`, Annex B literals such as a lone `{`), this
// module writes the RE2 form of the JavaScript meaning; what RE2 cannot run at all (lookaround, backreferences)
// is refused with the construct named and a rewrite suggested.

/** A construct of a valid JavaScript regex that RE2 cannot run, with how to rewrite it. */
export class UnsupportedRegexSyntax extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'UnsupportedRegexSyntax';
  }
}

type Range = readonly [number, number];

const MAX_CODE_POINT = 0x10ffff;
// JavaScript's \s: WhiteSpace and LineTerminator (ECMA-262 §22.2.2.9); RE2's \s is only [\t\n\f\r ].
const WHITESPACE: readonly Range[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
// What JavaScript's `.` does not match without the s flag; RE2's `.` only skips \n.
const LINE_TERMINATORS: readonly Range[] = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
];
const EVERYTHING: readonly Range[] = [[0, MAX_CODE_POINT]];
const ASCII: readonly Range[] = [[0, 0x7f]];

// JavaScript's long General_Category names; RE2 knows the short ones.
const GENERAL_CATEGORY: Readonly<Record<string, string>> = {
  Letter: 'L',
  Uppercase_Letter: 'Lu',
  Lowercase_Letter: 'Ll',
  Titlecase_Letter: 'Lt',
  Modifier_Letter: 'Lm',
  Other_Letter: 'Lo',
  Mark: 'M',
  Combining_Mark: 'M',
  Nonspacing_Mark: 'Mn',
  Spacing_Mark: 'Mc',
  Enclosing_Mark: 'Me',
  Number: 'N',
  Decimal_Number: 'Nd',
  digit: 'Nd',
  Letter_Number: 'Nl',
  Other_Number: 'No',
  Punctuation: 'P',
  punct: 'P',
  Connector_Punctuation: 'Pc',
  Dash_Punctuation: 'Pd',
  Open_Punctuation: 'Ps',
  Close_Punctuation: 'Pe',
  Initial_Punctuation: 'Pi',
  Final_Punctuation: 'Pf',
  Other_Punctuation: 'Po',
  Symbol: 'S',
  Math_Symbol: 'Sm',
  Currency_Symbol: 'Sc',
  Modifier_Symbol: 'Sk',
  Other_Symbol: 'So',
  Separator: 'Z',
  Space_Separator: 'Zs',
  Line_Separator: 'Zl',
  Paragraph_Separator: 'Zp',
  Other: 'C',
  Control: 'Cc',
  cntrl: 'Cc',
  Format: 'Cf',
  Surrogate: 'Cs',
  Private_Use: 'Co',
  Unassigned: 'Cn',
};

const hex = (cp: number) => `\\x{${cp.toString(16).toUpperCase()}}`;
const rangesText = (ranges: readonly Range[]) => ranges.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join('');
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
const isAsciiLetter = (c: string | undefined) => c !== undefined && /^[A-Za-z]$/.test(c);
const isAlnum = (c: string) => /^[A-Za-z0-9]$/.test(c);

// `{n}`, `{n,}` or `{n,m}` starting at `at`, or undefined where the brace is a literal.
function countedRepeatAt(source: string, at: number): string | undefined {
  let j = at + 1;
  const digits = () => {
    const start = j;
    while (isDigit(source[j])) j++;
    return j > start;
  };
  if (!digits()) return undefined;
  if (source[j] === ',') {
    j++;
    digits();
  }
  return source[j] === '}' ? source.slice(at, j + 1) : undefined;
}

function complement(ranges: readonly Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [a, b] of ranges) {
    if (a > next) out.push([next, a - 1]);
    next = b + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

// One item of a character class: a single character (which can end a range) or a set (\d, \s, \p{…}).
type ClassAtom = { char: number } | { set: string };

const BACKREFERENCE_FIX = 'rewrite without backreferences: RE2 cannot match a repeat of captured text (list the alternatives, or use two rules)';
const OCTAL_FIX = 'write the character as \\xHH (e.g. \\x01), or \\0 for NUL';

/**
 * Translate the source of a regex that is valid JavaScript with the given flags into RE2 syntax meaning the same,
 * for a yes/no match: groups become non-capturing, `.` and `\s` keep JavaScript's sets, and literals are written as
 * `\x{…}` so no JavaScript literal turns into RE2 syntax. Throws UnsupportedRegexSyntax for lookaround,
 * backreferences and legacy octal escapes.
 */
export function toRe2Syntax(source: string, options: { unicode: boolean; dotAll: boolean }): string {
  const { unicode, dotAll } = options;
  // Without u and without named groups, `\k` is a plain 'k' in JavaScript (Annex B); with either it is a backreference.
  const namedGroups = source.includes('(?<') && /\(\?<(?![=!])/.test(source);
  let i = 0;

  const peek = (offset = 0): string | undefined => source[i + offset];
  const codePointAt = (at: number): { cp: number; length: number } => {
    const cp = source.codePointAt(at)!;
    return { cp, length: cp > 0xffff ? 2 : 1 };
  };

  // \uXXXX (a surrogate pair of two such escapes is one character) or, with u, \u{X…}; i is at the backslash.
  const unicodeEscape = (): number | undefined => {
    if (unicode && peek(2) === '{') {
      const end = source.indexOf('}', i + 3);
      const cp = Number.parseInt(source.slice(i + 3, end), 16);
      i = end + 1;
      return cp;
    }
    const digits = source.slice(i + 2, i + 6);
    if (!/^[0-9A-Fa-f]{4}$/.test(digits)) return undefined;
    let cp = Number.parseInt(digits, 16);
    i += 6;
    const low = source.slice(i, i + 6);
    if (cp >= 0xd800 && cp <= 0xdbff && /^\\u[Dd][C-Fc-f][0-9A-Fa-f]{2}$/.test(low)) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (Number.parseInt(low.slice(2), 16) - 0xdc00);
      i += 6;
    }
    return cp;
  };

  // \p{…} / \P{…} (u only) as the body of an RE2 class; i is at the backslash.
  const property = (negated: boolean): string => {
    const end = source.indexOf('}', i + 3);
    const body = source.slice(i + 3, end);
    i = end + 1;
    const eq = body.indexOf('=');
    const key = eq === -1 ? undefined : body.slice(0, eq);
    const value = eq === -1 ? body : body.slice(eq + 1);
    if (key === 'Script_Extensions' || key === 'scx') {
      throw new UnsupportedRegexSyntax(`uses \\p{${body}}: RE2 has no Script_Extensions`, 'use \\p{Script=…} instead, or list the characters');
    }
    if (key === undefined && (value === 'Any' || value === 'ASCII')) {
      const ranges = value === 'Any' ? EVERYTHING : ASCII;
      return rangesText(negated ? complement(ranges) : ranges);
    }
    const name = key === 'Script' || key === 'sc' ? value : (GENERAL_CATEGORY[value] ?? value);
    return `\\${negated ? 'P' : 'p'}{${name}}`;
  };

  // An escape inside a character class; i is at the backslash.
  const classEscape = (): ClassAtom => {
    const e = peek(1);
    if (e === undefined) return { char: 0x5c };
    switch (e) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        i += 2;
        return { set: `\\${e}` };
      case 's':
        i += 2;
        return { set: rangesText(WHITESPACE) };
      case 'S':
        i += 2;
        return { set: rangesText(complement(WHITESPACE)) };
      case 'b':
        i += 2;
        return { char: 0x08 };
      case 't':
        i += 2;
        return { char: 0x09 };
      case 'n':
        i += 2;
        return { char: 0x0a };
      case 'v':
        i += 2;
        return { char: 0x0b };
      case 'f':
        i += 2;
        return { char: 0x0c };
      case 'r':
        i += 2;
        return { char: 0x0d };
      case '-':
        i += 2;
        return { char: 0x2d };
      case 'x':
        if (isHex(peek(2)) && isHex(peek(3))) {
          const cp = Number.parseInt(source.slice(i + 2, i + 4), 16);
          i += 4;
          return { char: cp };
        }
        i += 2;
        return { char: 0x78 };
      case 'u': {
        const cp = unicodeEscape();
        if (cp !== undefined) return { char: cp };
        i += 2;
        return { char: 0x75 };
      }
      case 'c': {
        // Annex B also allows a digit or _ after \c inside a class.
        const c = peek(2);
        if (isAsciiLetter(c) || (!unicode && (isDigit(c) || c === '_'))) {
          i += 3;
          return { char: c!.charCodeAt(0) % 32 };
        }
        i += 1;
        return { char: 0x5c };
      }
      case 'p':
      case 'P':
        if (unicode) return { set: property(e === 'P') };
        break;
      case '0':
        if (!isDigit(peek(2))) {
          i += 2;
          return { char: 0 };
        }
        throw new UnsupportedRegexSyntax(`uses the legacy octal escape \\0${peek(2)}`, OCTAL_FIX);
    }
    if (e >= '1' && e <= '7') throw new UnsupportedRegexSyntax(`uses the legacy octal escape \\${e} in a character class`, OCTAL_FIX);
    // Any other escaped character stands for itself.
    const { cp, length } = codePointAt(i + 1);
    i += 1 + length;
    return { char: cp };
  };

  const classAtom = (): ClassAtom => {
    if (peek() === '\\') return classEscape();
    const { cp, length } = codePointAt(i);
    i += length;
    return { char: cp };
  };

  // [...] in JavaScript: `]` always closes (even first), `[]` matches nothing and `[^]` everything.
  const charClass = (): string => {
    i++;
    const negated = peek() === '^';
    if (negated) i++;
    const parts: string[] = [];
    while (i < source.length && peek() !== ']') {
      const atom = classAtom();
      const rangeFollows = peek() === '-' && peek(1) !== ']' && i + 1 < source.length;
      if (!rangeFollows) {
        parts.push('char' in atom ? hex(atom.char) : atom.set);
        continue;
      }
      i++;
      const end = classAtom();
      // Annex B: a range with a set at either end (`[\d-z]`) is the set, a '-' and the other end.
      if ('char' in atom && 'char' in end) parts.push(`${hex(atom.char)}-${hex(end.char)}`);
      else parts.push('char' in atom ? hex(atom.char) : atom.set, '\\-', 'char' in end ? hex(end.char) : end.set);
    }
    i++;
    // \P{Any} is an empty set: it adds nothing.
    const body = parts.filter((part) => part !== '');
    if (body.length === 0) return negated ? `[${rangesText(EVERYTHING)}]` : `[^${rangesText(EVERYTHING)}]`;
    return `[${negated ? '^' : ''}${body.join('')}]`;
  };

  // An escape outside a class; i is at the backslash.
  const escapeAt = (): string => {
    const e = peek(1);
    if (e === undefined) {
      i++;
      return '\\\\';
    }
    switch (e) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 'b':
      case 'B':
      case 't':
      case 'n':
      case 'r':
      case 'f':
      case 'v':
        i += 2;
        return `\\${e}`;
      case 's':
        i += 2;
        return `[${rangesText(WHITESPACE)}]`;
      case 'S':
        i += 2;
        return `[^${rangesText(WHITESPACE)}]`;
      case '0':
        if (!isDigit(peek(2))) {
          i += 2;
          return hex(0);
        }
        throw new UnsupportedRegexSyntax(`uses the legacy octal escape \\0${peek(2)}`, OCTAL_FIX);
      case 'k':
        if (unicode || namedGroups) throw new UnsupportedRegexSyntax('uses a backreference (\\k<name>), which RE2 cannot run', BACKREFERENCE_FIX);
        break;
      case 'x':
        if (isHex(peek(2)) && isHex(peek(3))) {
          const cp = Number.parseInt(source.slice(i + 2, i + 4), 16);
          i += 4;
          return hex(cp);
        }
        break;
      case 'u': {
        const cp = unicodeEscape();
        if (cp !== undefined) return hex(cp);
        break;
      }
      case 'c':
        if (isAsciiLetter(peek(2))) {
          const cp = peek(2)!.charCodeAt(0) % 32;
          i += 3;
          return hex(cp);
        }
        // Annex B: a backslash and a 'c' that starts no control escape are both literal.
        i += 1;
        return '\\\\';
      case 'p':
      case 'P':
        if (unicode) {
          const set = property(e === 'P');
          if (set === '') return `[^${rangesText(EVERYTHING)}]`;
          return set.startsWith('\\p') || set.startsWith('\\P') ? set : `[${set}]`;
        }
        break;
    }
    if (e >= '1' && e <= '9') {
      throw new UnsupportedRegexSyntax(
        `uses \\${e}, a backreference (or a legacy octal escape), which RE2 cannot run`,
        `${BACKREFERENCE_FIX}; for a character, write \\xHH`,
      );
    }
    // Any other escaped character stands for itself (`\.`, `\/`, and in Annex B `\e` or `\q`).
    const { cp, length } = codePointAt(i + 1);
    i += 1 + length;
    return literal(cp);
  };

  const literal = (cp: number): string => {
    const ch = String.fromCodePoint(cp);
    return isAlnum(ch) ? ch : hex(cp);
  };

  const group = (): string => {
    const head = source.slice(i, i + 4);
    if (head.startsWith('(?=') || head.startsWith('(?!')) {
      throw new UnsupportedRegexSyntax(
        `uses a ${head.startsWith('(?=') ? 'lookahead (?=…)' : 'negative lookahead (?!…)'}, which RE2 cannot run`,
        'rewrite without lookahead: match the text itself (e.g. /^STOP/ instead of /^(?=STOP)/), or split it into two rules',
      );
    }
    if (head === '(?<=' || head === '(?<!') {
      throw new UnsupportedRegexSyntax(
        `uses a ${head === '(?<=' ? 'lookbehind (?<=…)' : 'negative lookbehind (?<!…)'}, which RE2 cannot run`,
        'rewrite without lookbehind: include the preceding text in the match, or split it into two rules',
      );
    }
    if (head.startsWith('(?<')) {
      i = source.indexOf('>', i) + 1;
      return '(?:';
    }
    if (head.startsWith('(?:')) {
      i += 3;
      return '(?:';
    }
    // A yes/no match needs no captures: every group is non-capturing (no name rules, no capture bookkeeping).
    i += 1;
    return '(?:';
  };

  let out = '';
  while (i < source.length) {
    const c = source[i]!;
    switch (c) {
      case '\\':
        out += escapeAt();
        break;
      case '[':
        out += charClass();
        break;
      case '(':
        out += group();
        break;
      case '.':
        i++;
        out += dotAll ? `[${rangesText(EVERYTHING)}]` : `[^${rangesText(LINE_TERMINATORS)}]`;
        break;
      case '{': {
        // A counted repeat, or (Annex B) a literal brace.
        const repeat = countedRepeatAt(source, i);
        if (repeat !== undefined) {
          out += repeat;
          i += repeat.length;
        } else {
          out += '\\{';
          i++;
        }
        break;
      }
      case '}':
      case ']':
        out += `\\${c}`;
        i++;
        break;
      case '^':
      case '$':
      case '|':
      case ')':
      case '*':
      case '+':
      case '?':
        out += c;
        i++;
        break;
      default: {
        const { cp, length } = codePointAt(i);
        out += literal(cp);
        i += length;
      }
    }
  }
  return out;
}
