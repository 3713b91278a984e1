// The search, grouping and cursors the control API and the web inbox share (src/control/message-query.ts).
import { describe, expect, it } from 'vitest';
import {
  conversationKey,
  decodeCursor,
  encodeCursor,
  groupNewestFirst,
  matchesSearch,
  MAX_CURSOR_CHARS,
  type QueryableMessage,
} from '../../src/control/message-query.js';

const base: QueryableMessage = {
  id: 'm-1',
  accountId: 'a',
  direction: 'out',
  owner: '+19195550100',
  from: '+19195550100',
  to: ['+19195557001'],
  text: 'Your code is 123',
};

describe('message query', () => {
  it('a cursor round-trips; anything else (wrong alphabet, too long, no time or id) decodes to undefined', () => {
    for (const cursor of [
      { time: 0, id: 'x' },
      { time: 1_700_000_000_123, id: 'id with | bar, ünïcode and 😀' },
    ]) {
      const text = encodeCursor(cursor);
      expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(text)).toEqual(cursor);
    }
    for (const bad of ['', 'not base64!', 'A', btoa('nobar'), btoa('|id'), btoa('12|'), btoa('1e400|x'), 'a'.repeat(MAX_CURSOR_CHARS + 1)])
      expect(decodeCursor(bad), bad).toBeUndefined();
  });

  it('search: 3+ digits of a number, text, tag, id; case-insensitive', () => {
    const m = { ...base, tag: 'OTP' };
    for (const q of ['', '557001', 'CODE IS', 'otp', 'M-1']) expect(matchesSearch(m, q), q).toBe(true);
    for (const q of ['55', 'dinner', 'm-']) expect(matchesSearch(m, q), q).toBe(false);
  });

  it('grouping newest-first input keeps conversations and their messages newest first', () => {
    const reply: QueryableMessage = { ...base, id: 'm-2', direction: 'in', from: '+19195557001', to: ['+19195550100'], text: 'thanks' };
    const other: QueryableMessage = { ...base, id: 'm-3', to: ['+19195557002'] };
    const groups = groupNewestFirst([reply, other, base]);
    expect(groups.map((g) => g.messages.map((m) => m.id))).toEqual([['m-2', 'm-1'], ['m-3']]);
    expect(conversationKey(reply)).toBe(conversationKey(base));
    expect(groups[0]!.latest.id).toBe('m-2');
  });
});
