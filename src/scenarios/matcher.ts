import type { NumberType, VerificationStatus } from '../config/numbers.js';
import type { Channel } from '../store/messages.js';
import { clip, EXPLAIN_LIMITS, listSome, quote } from './explain-bounds.js';
import type { MatchSpec, TextMatcherSpec } from './schema.js';
import { compileUserRegex, UserRegexError, type UserRegex } from './user-regex.js';

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
  /** The from number's provisioning (undefined for an RBM agent or a number the account does not own). */
  numberType?: NumberType;
  campaignClass?: string;
  verificationStatus?: VerificationStatus;
}

/** What a rule may match on about the from number's provisioning (src/messaging/provisioning-checks.ts builds it). */
export type SenderRegistration = Pick<MatchSubject, 'numberType' | 'campaignClass' | 'verificationStatus'>;

/**
 * What a matcher accepts, in a form rules can be compared by (src/scenarios/reachability.ts): a set of exact values, a
 * prefix, a regex (known only by its source and flags, and by testing given values against it), a boolean, a set of
 * channels, a range of segment counts.
 */
export type MatcherShape =
  | { kind: 'values'; values: ReadonlySet<string> }
  | { kind: 'prefix'; prefix: string }
  | { kind: 'regex'; key: string; test(value: string): boolean }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'channels'; values: ReadonlySet<Channel> }
  | { kind: 'range'; min: number; max: number };

/** A compiled matcher for one field: a test, a human description, and what it accepts. */
export interface FieldMatcher {
  field: keyof MatchSubject;
  describe: string;
  shape: MatcherShape;
  test(subject: MatchSubject): boolean;
}

/** A compiled text matcher: a test of one value, a human description, and what it accepts. */
interface TextMatcher {
  describe: string;
  shape: MatcherShape;
  test(value: string | undefined): boolean;
}

/** A problem compiling a matcher (a regex that is invalid, over its limits or not runnable on RE2), with where it is. */
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

function compileRegex(source: string, flags: string, path: Array<string | number>): UserRegex {
  try {
    return compileUserRegex(source, flags);
  } catch (error) {
    if (error instanceof UserRegexError) throw new MatcherError(path, error.message, error.fix);
    throw error;
  }
}

const regexMatcher = (regex: UserRegex): TextMatcher => ({
  describe: `matches /${clip(regex.source)}/${regex.flags}`,
  shape: { kind: 'regex', key: `/${regex.source}/${regex.flags}`, test: (v) => regex.test(v) },
  test: (v: string | undefined) => v !== undefined && regex.test(v),
});

/** Compile one text matcher: exact, `prefix*`, `/regex/flags`, object forms, or a list of exact values. */
export function compileText(spec: TextMatcherSpec, path: Array<string | number>): TextMatcher {
  if (Array.isArray(spec)) {
    const set = new Set(spec);
    return {
      describe: `one of ${listSome(spec, EXPLAIN_LIMITS.listedValues, ', ', quote)}`,
      shape: { kind: 'values', values: set },
      test: (v) => v !== undefined && set.has(v),
    };
  }
  if (typeof spec === 'object') {
    if ('equals' in spec) return compileText([spec.equals], path);
    if ('prefix' in spec) return prefixMatcher(spec.prefix);
    return regexMatcher(compileRegex(spec.regex, spec.flags ?? '', [...path, 'regex']));
  }
  const literal = REGEX_LITERAL.exec(spec);
  if (literal) {
    return regexMatcher(compileRegex(literal[1]!, literal[2] ?? '', path));
  }
  if (spec.endsWith('*') && !spec.endsWith('\\*')) return prefixMatcher(spec.slice(0, -1));
  return { describe: `is ${quote(spec)}`, shape: { kind: 'values', values: new Set([spec]) }, test: (v) => v === spec };
}

function prefixMatcher(prefix: string): TextMatcher {
  return { describe: `starts with ${quote(prefix)}`, shape: { kind: 'prefix', prefix }, test: (v) => v?.startsWith(prefix) === true };
}

const TEXT_FIELDS = ['to', 'from', 'text', 'tag', 'applicationId', 'accountId', 'campaignClass'] as const;
// Conditions on one of a few names: one value or a list (any of).
const ENUM_FIELDS = ['numberType', 'verificationStatus'] as const;

/** Compile a rule's `match` block into field matchers; an empty block matches everything. */
export function compileMatch(spec: MatchSpec | undefined, path: Array<string | number>): FieldMatcher[] {
  const out: FieldMatcher[] = [];
  if (!spec) return out;
  for (const field of TEXT_FIELDS) {
    const value = spec[field];
    if (value === undefined) continue;
    const text = compileText(value, [...path, field]);
    out.push({ field, describe: `${field} ${text.describe}`, shape: text.shape, test: (s) => text.test(s[field]) });
  }
  for (const field of ENUM_FIELDS) {
    const value = spec[field];
    if (value === undefined) continue;
    const wanted = new Set<string>(Array.isArray(value) ? value : [value]);
    out.push({
      field,
      describe: `${field} ${[...wanted].join(' or ')}`,
      shape: { kind: 'values', values: wanted },
      test: (s) => s[field] !== undefined && wanted.has(s[field]),
    });
  }
  if (spec.media !== undefined) {
    const want = spec.media;
    out.push({ field: 'media', describe: want ? 'has media' : 'has no media', shape: { kind: 'boolean', value: want }, test: (s) => s.media === want });
  }
  if (spec.group !== undefined) {
    const want = spec.group;
    out.push({
      field: 'group',
      describe: want ? 'is a group message' : 'is a 1:1 message',
      shape: { kind: 'boolean', value: want },
      test: (s) => s.group === want,
    });
  }
  if (spec.channel !== undefined) {
    const wanted = new Set(Array.isArray(spec.channel) ? spec.channel : [spec.channel]);
    out.push({
      field: 'channel',
      describe: `channel ${[...wanted].join(' or ')}`,
      shape: { kind: 'channels', values: wanted },
      test: (s) => wanted.has(s.channel),
    });
  }
  if (spec.segments !== undefined) {
    const { min, max } = typeof spec.segments === 'number' ? { min: spec.segments, max: spec.segments } : spec.segments;
    out.push({
      field: 'segments',
      describe: `segments ${min ?? 1}..${max ?? '∞'}`,
      shape: { kind: 'range', min: min ?? 1, max: max ?? Infinity },
      test: (s) => s.segments >= (min ?? 1) && s.segments <= (max ?? Infinity),
    });
  }
  return out;
}

/** The first matcher that fails for a subject; undefined when all match. */
export function firstFailing(matchers: readonly FieldMatcher[], subject: MatchSubject): FieldMatcher | undefined {
  for (const m of matchers) if (!m.test(subject)) return m;
  return undefined;
}

/** Why a matcher failed for a subject, for a person: what the field was (quoted, clipped) and what the rule wants. */
export function describeMiss(m: FieldMatcher, subject: MatchSubject): string {
  const actual = subject[m.field];
  return `${m.field} was ${typeof actual === 'string' ? quote(actual) : String(actual)}, rule wants ${m.describe}`;
}

/** The first matcher that fails for a subject, described for a person; undefined when all match. */
export function firstMiss(matchers: readonly FieldMatcher[], subject: MatchSubject): string | undefined {
  const failing = firstFailing(matchers, subject);
  return failing && describeMiss(failing, subject);
}
