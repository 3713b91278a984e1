// The message lint on real strings: what forced UCS-2, what costs two septets, the segments, and the hint.
import { describe, expect, it } from 'vitest';
import { LINT_MAX_CHARS, lintSummary, lintText } from '../../src/segment-lint.js';
import { countSegments } from '../../src/segments.js';

const one = ['+19195550100'];

describe('lintText', () => {
  it('plain GSM-7: one segment, 160 septets per segment, nothing to name', () => {
    const lint = lintText({ text: 'Your code is 123456', to: one });
    expect(lint).toMatchObject({
      encoding: 'GSM-7',
      segments: 1,
      units: 19,
      unit: 'septets',
      perSegment: 160,
      capacity: 160,
      ucs2Chars: [],
      extensionChars: [],
    });
    expect(lint.hint).toBeUndefined();
    expect(lintSummary(lint)).toBe('GSM-7 · 1 segment (19/160 septets)');
  });

  it('161 GSM-7 characters make 2 segments of 153 (161/306)', () => {
    const text = 'a'.repeat(161);
    const lint = lintText({ text, to: one });
    expect(lint).toMatchObject({ encoding: 'GSM-7', segments: 2, units: 161, perSegment: 153, capacity: 306 });
    expect(lint.segments).toBe(countSegments({ text, to: one }));
    expect(lintSummary(lint)).toBe('GSM-7 · 2 segments (161/306 septets)');
  });

  it('€ is an extension character: two septets, named with its code point, count and first index', () => {
    const lint = lintText({ text: 'Pay 5€ or 6€ now', to: one });
    expect(lint.encoding).toBe('GSM-7');
    expect(lint.units).toBe(18);
    expect(lint.extensionChars).toEqual([{ char: '€', codePoint: 'U+20AC', name: 'EURO SIGN', count: 2, firstIndex: 5 }]);
  });

  it('curly quotes force UCS-2; the hint says replacing them fits fewer segments', () => {
    const text = `It’s ${'x'.repeat(80)} don’t`;
    const lint = lintText({ text, to: one });
    expect(lint).toMatchObject({ encoding: 'UCS-2', segments: 2, unit: 'UTF-16 units', perSegment: 67, capacity: 134 });
    expect(lint.ucs2Chars).toEqual([{ char: '’', codePoint: 'U+2019', name: 'RIGHT SINGLE QUOTATION MARK', count: 2, firstIndex: 2 }]);
    expect(lint.hint).toBe("’ → ' would make it GSM-7: 1 segment instead of 2");
    expect(lintSummary(lint)).toBe(`UCS-2 · 2 segments (${text.length}/134 units) — forced by ’ (U+2019) ×2`);
  });

  it('71 UCS-2 characters make 2 segments of 67; an emoji is one character of two units, no hint', () => {
    const text = `${'ж'.repeat(69)}😀`;
    const lint = lintText({ text, to: one });
    expect(lint).toMatchObject({ encoding: 'UCS-2', segments: 2, units: 71, perSegment: 67, capacity: 134 });
    expect(lint.ucs2Chars.map((c) => [c.char, c.codePoint, c.count, c.firstIndex])).toEqual([
      ['ж', 'U+0436', 69, 0],
      ['😀', 'U+1F600', 1, 69],
    ]);
    expect(lint.hint).toBeUndefined();
  });

  it('media or a group is one MMS segment, and says why', () => {
    const long = '😀'.repeat(100);
    expect(lintText({ text: long, to: one, media: ['https://example.com/a.png'] })).toMatchObject({ segments: 1, mms: 'media' });
    expect(lintText({ text: long, to: [...one, '+19195550101'] })).toMatchObject({ segments: 1, mms: 'group' });
    expect(lintSummary(lintText({ text: 'hi', to: one, media: ['x'] }))).toBe('GSM-7 · 1 segment MMS (has media)');
  });

  it('lists at most LINT_MAX_CHARS distinct characters and says there were more', () => {
    const text = Array.from({ length: 30 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('');
    const lint = lintText({ text, to: one });
    expect(lint.ucs2Chars).toHaveLength(LINT_MAX_CHARS);
    expect(lint.ucs2More).toBe(true);
    expect(lintSummary(lint)).toMatch(/, …$/);
  });

  it('an extension character with a stand-in gets a hint when it saves a segment', () => {
    const text = `${'a'.repeat(155)}{}{}`;
    const lint = lintText({ text, to: one });
    expect(lint).toMatchObject({ encoding: 'GSM-7', segments: 2, units: 163 });
    expect(lint.hint).toBe('{ → (, } → ) would make it GSM-7: 1 segment instead of 2');
  });
});
