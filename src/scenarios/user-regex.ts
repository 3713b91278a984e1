import { createRequire } from 'node:module';
import type { RE2JS, RE2JSException } from 're2js';
import { clip } from './explain-bounds.js';
import { toRe2Syntax, UnsupportedRegexSyntax } from './regex-syntax.js';

// Every regex a user writes (scenario matchers today) is compiled here and matched by RE2 (re2js): time linear in
// the text, whatever the pattern. V8's own engine backtracks, and no heuristic check (safe-regex2 passed
// `^(a|a)*$`, which then hung the process on 30 a's) can tell every exponential pattern from a safe one.

// Loaded with the first user regex: a start whose scenarios have none never pays for RE2's Unicode tables (~20 ms).
const require = createRequire(import.meta.url);
const loadRe2 = () => require('re2js') as typeof import('re2js');

/** The bounds on a user regex; each is documented in the README (Scenario files). */
export const USER_REGEX_LIMITS = {
  /** Characters of pattern source. */
  sourceChars: 1000,
  /**
   * RE2 instructions of the compiled pattern. A match costs at most about this many steps per character of text,
   * so it also bounds the constant of "linear": `{n}` copies what it repeats n times.
   */
  programSize: 1000,
} as const;

/** The flags a user regex may carry: i (case-insensitive), m (^ and $ at line breaks), s (. matches \n), u (Unicode syntax). */
const USER_REGEX_FLAGS = 'imsu';

/** Why a user's regex was refused, and how to fix it (the caller adds the file, line and field). */
export class UserRegexError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'UserRegexError';
  }
}

/** A user's regex, compiled for RE2. */
export interface UserRegex {
  /** The pattern as JavaScript shows it in a literal (`/` escaped). */
  readonly source: string;
  readonly flags: string;
  /** The compiled program's size in RE2 instructions (at most USER_REGEX_LIMITS.programSize). */
  readonly programSize: number;
  /** Whether the pattern matches anywhere in `text` (JavaScript's RegExp.prototype.test), in time linear in its length. */
  test(text: string): boolean;
  /** `/source/flags`. */
  toString(): string;
}

const shown = (source: string, flags: string) => `/${clip(source)}/${flags}`;

/**
 * Compile a user's regex: JavaScript syntax and flags (USER_REGEX_FLAGS), run on RE2. Throws UserRegexError for a
 * pattern over the limits, invalid JavaScript, or a construct RE2 cannot run (lookaround, backreferences).
 */
export function compileUserRegex(source: string, flags = ''): UserRegex {
  if (source.length > USER_REGEX_LIMITS.sourceChars)
    throw new UserRegexError(`regex is longer than ${USER_REGEX_LIMITS.sourceChars} characters`, 'use a shorter pattern or a prefix');
  if (![...flags].every((f) => USER_REGEX_FLAGS.includes(f))) throw new UserRegexError(`regex flags '${clip(flags)}' are not allowed`, 'use only i, m, s or u');
  let literalSource: string;
  let canonicalFlags: string;
  try {
    // V8 only parses the pattern here, to hold it to JavaScript's grammar and give JavaScript's syntax errors: a
    // RegExp compiles its matcher on first use, and this one is never used. Matching is RE2's alone.
    const parsed = new RegExp(source, flags);
    literalSource = parsed.source;
    canonicalFlags = parsed.flags;
  } catch (error) {
    throw new UserRegexError(`is not a valid regular expression (${(error as Error).message})`, 'fix the pattern; write it as /pattern/flags');
  }
  let re2Source: string;
  try {
    re2Source = toRe2Syntax(source, { unicode: flags.includes('u'), dotAll: flags.includes('s') });
  } catch (error) {
    if (error instanceof UnsupportedRegexSyntax) throw new UserRegexError(`regex ${shown(literalSource, canonicalFlags)} ${error.message}`, error.fix);
    throw error;
  }
  const re2 = loadRe2();
  let compiled: RE2JS;
  try {
    compiled = re2.RE2JS.compile(re2Source, (flags.includes('i') ? re2.RE2JS.CASE_INSENSITIVE : 0) | (flags.includes('m') ? re2.RE2JS.MULTILINE : 0));
  } catch (error) {
    if (!(error instanceof re2.RE2JSException)) throw error;
    throw re2Refusal(error, shown(literalSource, canonicalFlags));
  }
  const programSize = compiled.programSize();
  if (programSize > USER_REGEX_LIMITS.programSize) {
    throw new UserRegexError(
      `regex ${shown(literalSource, canonicalFlags)} compiles to ${programSize} RE2 instructions, over the limit of ${USER_REGEX_LIMITS.programSize}`,
      'use smaller repeat counts ({n} copies what it repeats n times), or .* / + instead of large {n,m}',
    );
  }
  return {
    source: literalSource,
    flags: canonicalFlags,
    programSize,
    test: (text) => compiled.test(text),
    toString: () => `/${literalSource}/${canonicalFlags}`,
  };
}

// RE2's own refusals of a pattern JavaScript accepts: repeat counts over 1000 (or nested counts multiplying past
// RE2's size limit), and Unicode property names RE2 does not know.
function re2Refusal(error: RE2JSException, shownRegex: string): UserRegexError {
  const message = error.message.replace(/^error parsing regexp: /, '');
  if (message.startsWith('invalid repeat count')) {
    return new UserRegexError(
      `regex ${shownRegex} repeats more than RE2 allows (${message})`,
      'keep each {n,m} at 1000 or less, and nested counts small; use * or + for "any number"',
    );
  }
  if (/\\[pP]\{/.test(message)) {
    return new UserRegexError(
      `regex ${shownRegex} names a Unicode property RE2 does not know (${message})`,
      'use a general category such as \\p{L} or \\p{Nd}, or a script such as \\p{Script=Greek}',
    );
  }
  return new UserRegexError(`regex ${shownRegex} cannot run on RE2 (${message})`, 'rewrite it with the regex syntax the README lists under Scenario files');
}
