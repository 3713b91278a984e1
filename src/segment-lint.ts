// What a message's text costs and why (issue 20 item 4): the encoding, the segments, the characters that forced
// UCS-2 or cost two septets, and a hint when replacing a few of them would fit fewer segments.
import { countSegments, measureText, type SmsEncoding } from './segments.js';

/** The most distinct characters a lint lists per kind: a long text of emoji must not make a long answer. */
export const LINT_MAX_CHARS = 20;

// Names for the characters that most often force UCS-2 or cost two septets, with the GSM-7 character that replaces
// them; the rest are named by code point only (a full Unicode name table is not worth its size here).
const COMMON: Record<string, { name: string; replace?: string }> = {
  '\u2018': { name: 'LEFT SINGLE QUOTATION MARK', replace: "'" },
  '\u2019': { name: 'RIGHT SINGLE QUOTATION MARK', replace: "'" },
  '\u201C': { name: 'LEFT DOUBLE QUOTATION MARK', replace: '"' },
  '\u201D': { name: 'RIGHT DOUBLE QUOTATION MARK', replace: '"' },
  '\u2013': { name: 'EN DASH', replace: '-' },
  '\u2014': { name: 'EM DASH', replace: '-' },
  '\u2026': { name: 'HORIZONTAL ELLIPSIS', replace: '...' },
  '\u00A0': { name: 'NO-BREAK SPACE', replace: ' ' },
  '\u2022': { name: 'BULLET', replace: '-' },
  '\u00B4': { name: 'ACUTE ACCENT', replace: "'" },
  '\u20AC': { name: 'EURO SIGN' },
  '^': { name: 'CIRCUMFLEX ACCENT' },
  '{': { name: 'LEFT CURLY BRACKET', replace: '(' },
  '}': { name: 'RIGHT CURLY BRACKET', replace: ')' },
  '\\': { name: 'REVERSE SOLIDUS', replace: '/' },
  '[': { name: 'LEFT SQUARE BRACKET', replace: '(' },
  ']': { name: 'RIGHT SQUARE BRACKET', replace: ')' },
  '~': { name: 'TILDE', replace: '-' },
  '|': { name: 'VERTICAL LINE', replace: '/' },
  '\f': { name: 'FORM FEED', replace: '\n' },
};

/** One distinct character the lint names: its code point, how often it occurs and where first (in UTF-16 units). */
export interface LintChar {
  char: string;
  /** U+2019 form. */
  codePoint: string;
  /** The Unicode name, for the common ones only. */
  name?: string;
  count: number;
  /** Index of its first occurrence in the text, in UTF-16 code units (JavaScript string index). */
  firstIndex: number;
}

/** The lint of one message: what it costs, and what could make it cost less. */
export interface MessageLint {
  encoding: SmsEncoding;
  /** Bandwidth's segmentCount (the same as the message's). */
  segments: number;
  /** Why segments is what it is when that is not the text's length: 'mms' (media or a group is one MMS). */
  mms?: 'media' | 'group';
  /** Length in encoding units: septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
  unit: 'septets' | 'UTF-16 units';
  /** Units one segment holds: 160/70 alone, 153/67 per part when concatenated. */
  perSegment: number;
  /** Units the segments can hold in all (segments × perSegment): the "161/306" of the summary. */
  capacity: number;
  /** The characters GSM-7 cannot carry (UCS-2 because of them), first LINT_MAX_CHARS distinct. */
  ucs2Chars: LintChar[];
  /** More distinct such characters than listed. */
  ucs2More: boolean;
  /** The GSM-7 extension characters, two septets each, first LINT_MAX_CHARS distinct. */
  extensionChars: LintChar[];
  extensionMore: boolean;
  /** When replacing some characters would fit fewer segments: what to replace and what it would give. */
  hint?: string;
}

/** U+XXXX for a code point. */
function codePointOf(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

// Distinct characters matching `keep`, in first-seen order, with counts; iterates by code point so an emoji is one.
function collect(text: string, keep: (char: string) => boolean): { chars: LintChar[]; more: boolean } {
  const found = new Map<string, LintChar>();
  let more = false;
  let index = 0;
  for (const char of text) {
    if (keep(char)) {
      const seen = found.get(char);
      if (seen) seen.count++;
      else if (found.size < LINT_MAX_CHARS) {
        const name = COMMON[char]?.name;
        found.set(char, { char, codePoint: codePointOf(char), ...(name ? { name } : {}), count: 1, firstIndex: index });
      } else more = true;
    }
    index += char.length;
  }
  return { chars: [...found.values()], more };
}

const isGsm = (char: string) => char.length === 1 && measureText(char).encoding === 'GSM-7';
const isExtension = (char: string) => isGsm(char) && measureText(char).units === 2;

// Segments a text alone would take (no media, one recipient).
const segmentsOf = (text: string) => countSegments({ text, to: ['+1'] });

/** Lint a message's text: encoding, segments, units and capacity, the characters that cost extra, and a hint. */
export function lintText(message: { text?: string; media?: readonly string[]; to?: readonly string[] }): MessageLint {
  const text = message.text ?? '';
  const to = message.to ?? [];
  const { encoding, units } = measureText(text);
  const segments = countSegments({ text, media: message.media, to: to.length > 0 ? to : ['+1'] });
  const mms = message.media && message.media.length > 0 ? 'media' : to.length > 1 ? 'group' : undefined;
  const gsm = encoding === 'GSM-7';
  const textSegments = segmentsOf(text);
  const perSegment = textSegments <= 1 ? (gsm ? 160 : 70) : gsm ? 153 : 67;
  const ucs2 = gsm ? { chars: [], more: false } : collect(text, (c) => !isGsm(c));
  // In UCS-2 every character costs one unit: the extension table's cost of two is a GSM-7 matter only.
  const extension = gsm ? collect(text, isExtension) : { chars: [], more: false };
  const lint: MessageLint = {
    encoding,
    segments,
    ...(mms ? { mms } : {}),
    units,
    unit: gsm ? 'septets' : 'UTF-16 units',
    perSegment,
    capacity: textSegments * perSegment,
    ucs2Chars: ucs2.chars,
    ucs2More: ucs2.more,
    extensionChars: extension.chars,
    extensionMore: extension.more,
  };
  const hint = mms ? undefined : replacementHint(text, textSegments, [...ucs2.chars, ...extension.chars]);
  return hint ? { ...lint, hint } : lint;
}

// Replace the characters that have a common GSM-7 stand-in; a hint only when that fits fewer segments.
function replacementHint(text: string, segments: number, chars: LintChar[]): string | undefined {
  const replaceable = chars.filter((c) => COMMON[c.char]?.replace !== undefined);
  if (replaceable.length === 0) return undefined;
  let replaced = text;
  for (const c of replaceable) replaced = replaced.split(c.char).join(COMMON[c.char]!.replace!);
  const after = segmentsOf(replaced);
  if (after >= segments) return undefined;
  const swaps = replaceable.map((c) => `${c.char} → ${COMMON[c.char]!.replace!.replace('\n', '\\n')}`).join(', ');
  const encoding = measureText(replaced).encoding;
  const plural = (n: number) => `${n} segment${n === 1 ? '' : 's'}`;
  return `${swaps} would make it ${encoding}: ${plural(after)} instead of ${segments}`;
}

/** One line for people: "GSM-7 · 2 segments (161/306 septets)" or "UCS-2 · 3 segments — forced by ’ (U+2019) ×2, 😀". */
export function lintSummary(lint: MessageLint): string {
  const segments = `${lint.segments} segment${lint.segments === 1 ? '' : 's'}`;
  const size = lint.mms
    ? `MMS (${lint.mms === 'media' ? 'has media' : 'group'})`
    : `(${lint.units}/${lint.capacity} ${lint.unit === 'septets' ? 'septets' : 'units'})`;
  const forced =
    lint.ucs2Chars.length > 0
      ? ` — forced by ${lint.ucs2Chars
          .slice(0, 3)
          .map((c) => `${c.char} (${c.codePoint})${c.count > 1 ? ` ×${c.count}` : ''}`)
          .join(', ')}${lint.ucs2Chars.length > 3 || lint.ucs2More ? ', …' : ''}`
      : '';
  return `${lint.encoding} · ${segments} ${size}${forced}`;
}
