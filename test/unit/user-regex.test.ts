// The one module every user regex goes through (src/scenarios/user-regex.ts): its bounds and what it reports. The
// regression classes (exponential patterns, lookaround, JavaScript meaning) are in scenario-regex.test.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileUserRegex, USER_REGEX_LIMITS, UserRegexError } from '../../src/scenarios/user-regex.js';

describe('compileUserRegex', () => {
  it(`a pattern over ${USER_REGEX_LIMITS.programSize} RE2 instructions is refused; one at the limit compiles`, () => {
    // Each `a` costs one instruction, and every program two more: 998 a's is exactly 1000 instructions.
    expect(compileUserRegex('a'.repeat(USER_REGEX_LIMITS.programSize - 2)).programSize).toBe(USER_REGEX_LIMITS.programSize);
    expect(() => compileUserRegex('a'.repeat(USER_REGEX_LIMITS.programSize - 1))).toThrow('compiles to 1001 RE2 instructions, over the limit of 1000');
    // {n} copies what it repeats: a short pattern can be a large program.
    expect(() => compileUserRegex('(?:ab|cd){300}')).toThrow(/compiles to \d+ RE2 instructions, over the limit of 1000/);
  });

  it(`a pattern of ${USER_REGEX_LIMITS.sourceChars} characters compiles; one more is refused before any parsing`, () => {
    expect(compileUserRegex('[ab]'.repeat(250)).source).toHaveLength(USER_REGEX_LIMITS.sourceChars);
    expect(() => compileUserRegex('a'.repeat(USER_REGEX_LIMITS.sourceChars + 1))).toThrow(UserRegexError);
  });

  it('keeps the pattern as a JavaScript literal shows it, with its flags in canonical order', () => {
    const regex = compileUserRegex('a/b', 'si');
    expect(regex.source).toBe('a\\/b');
    expect(regex.flags).toBe('is');
    expect(String(regex)).toBe('/a\\/b/is');
  });

  it('a long pattern is clipped in its problem, not repeated whole', () => {
    const error = (() => {
      try {
        compileUserRegex(`${'x'.repeat(900)}(?=y)`);
      } catch (e) {
        return e as UserRegexError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error.message).toMatch(/^regex \/x{200}…\(\+705 chars\)\/ uses a lookahead/);
  });
});

describe('no other path to V8 for a user pattern', () => {
  // A user pattern given to `new RegExp` anywhere else would run on V8's backtracking engine. The one construction
  // allowed is in user-regex.ts, which only parses (a RegExp compiles its matcher when first used, and that one
  // never is); every other RegExp in src is a literal of our own.
  it('src/ builds a RegExp from a string only in user-regex.ts and for the E.164 constant', () => {
    const root = new URL('../../src/', import.meta.url).pathname;
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) files.push(path);
      }
    };
    walk(root);
    const sites = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\bRegExp\s*\(/.test(line) && !/^\s*(\/\/|\*)/.test(line) ? [`${file.slice(root.length)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(sites.map((s) => s.replace(/:\d+:/, ':'))).toEqual([
      'config/schema.ts: export const isE164 = (value: string): boolean => new RegExp(E164_PATTERN).test(value);',
      'scenarios/user-regex.ts: const parsed = new RegExp(source, flags);',
    ]);
  });
});
