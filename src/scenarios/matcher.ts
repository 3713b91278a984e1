import isSafeRegex from 'safe-regex2';
import type { Channel } from '../store/messages.js';
import type { MatchSpec, TextMatcherSpec } from './schema.js';

/** What a rule is matched against: one recipient of one outbound message. */
export interface MatchSubject {
  to: string;
  from: string;
  text: string;
  tag?: string;
  applicationId: string;
  accountId: string;
  media: boolean;
  group: boolean;
  segments: number;
  /** The channel this outcome is for: a multichannel message's channel being tried; a plain message is SMS or MMS. */
  channel: Channel;
}

/** A compiled matcher for one field: a test and a human description. */
export interface FieldMatcher {
  field: keyof MatchSubject;
  describe: string;
  test(subject: MatchSubject): boolean;
}

/** A problem compiling a matcher (a bad or unsafe regex), with where it is. */
export class MatcherError extends Error {
  constructor(
    readonly path: Array<string | number>,
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

const REGEX_LITERAL = /^\/(.*)\/([a-z]*)$/s;
// Long inputs make even a safe-looking regex slow; text is at most 2048 characters anyway.
const MAX_REGEX_SOURCE = 1000;

function compileRegex(source: string, flags: string, path: Array<string | number>): RegExp {
  if (source.length > MAX_REGEX_SOURCE) throw new MatcherError(path, `regex is longer than ${MAX_REGEX_SOURCE} characters`, 'use a shorter pattern or a prefix');
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch (error) {
    throw new MatcherError(path, `is not a valid regular expression (${(error as Error).message})`, 'fix the pattern; write it as /pattern/flags');
  }
  // Scenario files are user input run against every message: refuse patterns that can backtrack catastrophically.
  if (!isSafeRegex(regex)) throw new MatcherError(path, `regex /${source}/ can backtrack catastrophically`, 'remove nested quantifiers such as (a+)+ or (.*)*');
  return regex;
}

/** Compile one text matcher: exact, `prefix*`, `/regex/flags`, object forms, or a list of exact values. */
export function compileText(spec: TextMatcherSpec, path: Array<string | number>): { describe: string; test(value: string | undefined): boolean } {
  if (Array.isArray(spec)) {
    const set = new Set(spec);
    return { describe: `one of ${spec.map((s) => `'${s}'`).join(', ')}`, test: (v) => v !== undefined && set.has(v) };
  }
  if (typeof spec === 'object') {
    if ('equals' in spec) return compileText([spec.equals], path);
    if ('prefix' in spec) return { describe: `starts with '${spec.prefix}'`, test: (v) => v?.startsWith(spec.prefix) === true };
    const regex = compileRegex(spec.regex, spec.flags ?? '', [...path, 'regex']);
    return { describe: `matches ${String(regex)}`, test: (v) => v !== undefined && regex.test(v) };
  }
  const literal = REGEX_LITERAL.exec(spec);
  if (literal) {
    const flags = literal[2] ?? '';
    if (!/^[imsu]*$/.test(flags)) throw new MatcherError(path, `regex flags '${flags}' are not allowed`, 'use only i, m, s or u');
    const regex = compileRegex(literal[1]!, flags, path);
    return { describe: `matches ${String(regex)}`, test: (v) => v !== undefined && regex.test(v) };
  }
  if (spec.endsWith('*') && !spec.endsWith('\\*')) {
    const prefix = spec.slice(0, -1);
    return { describe: `starts with '${prefix}'`, test: (v) => v?.startsWith(prefix) === true };
  }
  return { describe: `is '${spec}'`, test: (v) => v === spec };
}

const TEXT_FIELDS = ['to', 'from', 'text', 'tag', 'applicationId', 'accountId'] as const;

/** Compile a rule's `match` block into field matchers; an empty block matches everything. */
export function compileMatch(spec: MatchSpec | undefined, path: Array<string | number>): FieldMatcher[] {
  const out: FieldMatcher[] = [];
  if (!spec) return out;
  for (const field of TEXT_FIELDS) {
    const value = spec[field];
    if (value === undefined) continue;
    const text = compileText(value, [...path, field]);
    out.push({ field, describe: `${field} ${text.describe}`, test: (s) => text.test(s[field]) });
  }
  if (spec.media !== undefined) {
    const want = spec.media;
    out.push({ field: 'media', describe: want ? 'has media' : 'has no media', test: (s) => s.media === want });
  }
  if (spec.group !== undefined) {
    const want = spec.group;
    out.push({ field: 'group', describe: want ? 'is a group message' : 'is a 1:1 message', test: (s) => s.group === want });
  }
  if (spec.channel !== undefined) {
    const wanted = new Set(Array.isArray(spec.channel) ? spec.channel : [spec.channel]);
    out.push({ field: 'channel', describe: `channel ${[...wanted].join(' or ')}`, test: (s) => wanted.has(s.channel) });
  }
  if (spec.segments !== undefined) {
    const { min, max } = typeof spec.segments === 'number' ? { min: spec.segments, max: spec.segments } : spec.segments;
    out.push({
      field: 'segments',
      describe: `segments ${min ?? 1}..${max ?? '∞'}`,
      test: (s) => s.segments >= (min ?? 1) && s.segments <= (max ?? Infinity),
    });
  }
  return out;
}

/** The first matcher that fails for a subject, described for a person; undefined when all match. */
export function firstMiss(matchers: readonly FieldMatcher[], subject: MatchSubject): string | undefined {
  for (const m of matchers) {
    if (!m.test(subject)) {
      const actual = subject[m.field];
      return `${m.field} was ${typeof actual === 'string' ? `'${actual}'` : String(actual)}, rule wants ${m.describe}`;
    }
  }
  return undefined;
}
