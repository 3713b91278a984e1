import { describe, expect, it } from 'vitest';
import { countSegments, measureText } from '../../src/segments.js';

// Bandwidth's segment rules (https://www.bandwidth.com/support/en/articles/12823182-what-are-bandwidth-s-sms-character-limits-and-concatenation-practices):
// GSM-7 fits 160 septets in one segment and 153 per concatenated part; UCS-2 fits 70 UTF-16 units and
// 67 per part; extension characters cost two septets; media or a group (MMS) is always one segment.
const one = ['+19195550111'];
const sms = (text: string) => countSegments({ text, to: one });

describe('measureText', () => {
  it.each([
    ['plain ASCII', 'Hello, world!', 'GSM-7', 13],
    ['GSM-7 accented letters from the basic table', 'èéùìòÇØøÅåÄÖÑÜäöñüà', 'GSM-7', 19],
    ['Greek capitals of the basic table', 'ΔΦΓΛΩΠΨΣΘΞ', 'GSM-7', 10],
    ['LF and CR', 'a\nb\rc', 'GSM-7', 5],
    ['each extension character costs 2', '^{}\\[]~|€', 'GSM-7', 18],
    ['form feed is an extension character', 'a\fb', 'GSM-7', 4],
    ['one emoji forces UCS-2 and counts 2 units', 'hi 😀', 'UCS-2', 5],
    ['a curly quote forces UCS-2', 'it’s', 'UCS-2', 4],
    ['Cyrillic forces UCS-2', 'привет', 'UCS-2', 6],
    ['an extension char in UCS-2 text counts 1 unit', '€ж', 'UCS-2', 2],
    ['empty text', '', 'GSM-7', 0],
  ])('%s', (_name, text, encoding, units) => {
    expect(measureText(text)).toEqual({ encoding, units });
  });
});

describe('countSegments', () => {
  it.each([
    ['160 GSM-7 chars', 'a'.repeat(160), 1],
    ['161 GSM-7 chars', 'a'.repeat(161), 2],
    ['306 GSM-7 chars (2 x 153)', 'a'.repeat(306), 2],
    ['307 GSM-7 chars', 'a'.repeat(307), 3],
    ['459 GSM-7 chars (3 x 153)', 'a'.repeat(459), 3],
    ['460 GSM-7 chars', 'a'.repeat(460), 4],
    ['70 UCS-2 units', 'ж'.repeat(70), 1],
    ['71 UCS-2 units', 'ж'.repeat(71), 2],
    ['134 UCS-2 units (2 x 67)', 'ж'.repeat(134), 2],
    ['135 UCS-2 units', 'ж'.repeat(135), 3],
    ['80 euro signs = 160 septets', '€'.repeat(80), 1],
    ['81 euro signs = 162 septets', '€'.repeat(81), 2],
    ['159 chars + 1 extension char = 161 septets', `${'a'.repeat(159)}[`, 2],
    ['68 GSM chars + an emoji = 70 UCS-2 units', `${'a'.repeat(68)}😀`, 1],
    ['69 GSM chars + an emoji = 71 UCS-2 units', `${'a'.repeat(69)}😀`, 2],
    ['100 GSM chars + one emoji leaves GSM-7 (102 units > 70)', `${'a'.repeat(100)}😀`, 2],
    ['empty text', '', 1],
  ])('%s → %i', (_name, text, segments) => {
    expect(sms(text)).toBe(segments);
  });

  it('counts missing text as one segment', () => {
    expect(countSegments({ to: one })).toBe(1);
  });

  it('makes any message with media one segment', () => {
    expect(countSegments({ text: 'a'.repeat(1000), media: ['https://example.com/a.png'], to: one })).toBe(1);
    expect(countSegments({ text: 'ж'.repeat(500), media: ['https://example.com/a.png'], to: one })).toBe(1);
  });

  it('makes a group (2+ recipients) one segment', () => {
    expect(countSegments({ text: 'a'.repeat(1000), to: ['+19195550111', '+19195550112'] })).toBe(1);
    expect(countSegments({ text: 'ж'.repeat(500), to: ['+19195550111', '+19195550112', '+19195550113'] })).toBe(1);
  });

  it('treats an empty media list as no media', () => {
    expect(countSegments({ text: 'a'.repeat(161), media: [], to: one })).toBe(2);
  });
});
