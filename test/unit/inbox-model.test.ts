// The inbox's pure view logic: conversations by account and number pair, newest first; search; merged timelines.
import { describe, expect, it } from 'vitest';
import { groupConversations, isLinkable, matchesSearch, mediaName, timelineRows, type ControlMessage, type JournalEntry } from '../../ui/src/model.js';

let n = 0;
function message(fields: Partial<ControlMessage> & Pick<ControlMessage, 'direction' | 'from' | 'to' | 'owner' | 'time'>): ControlMessage {
  return {
    id: `m${++n}`,
    accountId: 'acct-1',
    applicationId: 'app',
    text: '',
    priority: 'default',
    segmentCount: 1,
    recipients: [],
    timeline: [],
    ...fields,
  };
}

const OURS = '+19195550100';
const THEM = '+19195557001';
const FRIEND = '+19195557002';

describe('inbox model', () => {
  it('groups by account and number pair whatever the direction; a group is its own conversation; newest first', () => {
    const out = message({ direction: 'out', owner: OURS, from: OURS, to: [THEM], time: '2026-01-01T00:00:01.000Z', text: 'code 1' });
    const reply = message({ direction: 'in', owner: OURS, from: THEM, to: [OURS], time: '2026-01-01T00:00:03.000Z', text: 'thanks' });
    const group = message({ direction: 'in', owner: OURS, from: FRIEND, to: [OURS, THEM], time: '2026-01-01T00:00:02.000Z', text: 'dinner?' });
    const otherAccount = message({ accountId: 'acct-2', direction: 'out', owner: OURS, from: OURS, to: [THEM], time: '2026-01-01T00:00:00.000Z' });
    const conversations = groupConversations([out, group, otherAccount, reply]);
    expect(conversations.map((c) => [c.accountId, c.theirs.join(','), c.messages.map((m) => m.text)])).toEqual([
      ['acct-1', THEM, ['thanks', 'code 1']],
      ['acct-1', `${THEM},${FRIEND}`, ['dinner?']],
      ['acct-2', THEM, ['']],
    ]);
    expect(conversations[0]!.latest).toBe(reply);
  });

  it('search matches a number (any formatting), words of the text, the tag, case-insensitively', () => {
    const m = message({
      direction: 'out',
      owner: OURS,
      from: OURS,
      to: [THEM],
      time: '2026-01-01T00:00:00.000Z',
      text: 'Your Code is 314159',
      tag: 'OTP-login',
    });
    for (const query of ['', '557001', '(919) 555-7001', 'code is', 'otp', 'LOGIN']) expect(matchesSearch(m, query), query).toBe(true);
    for (const query of ['557009', 'dinner', 'xyz']) expect(matchesSearch(m, query), query).toBe(false);
  });

  it('the timeline merges stored steps and callback attempts in time order, a step before the attempt it caused', () => {
    const m = message({
      direction: 'out',
      owner: OURS,
      from: OURS,
      to: [THEM],
      time: '2026-01-01T00:00:00.000Z',
      timeline: [
        { at: '2026-01-01T00:00:00.000Z', what: 'accepted' },
        { at: '2026-01-01T00:00:00.050Z', what: 'message-delivered', recipient: THEM },
      ],
    });
    const attempt = { seq: 1, at: Date.parse('2026-01-01T00:00:00.050Z'), type: 'message-delivered', outcome: 'delivered' } as JournalEntry;
    expect(timelineRows(m, [attempt]).map((r) => (r.kind === 'step' ? r.what : `attempt ${r.entry.seq}`))).toEqual([
      'accepted',
      'message-delivered',
      'attempt 1',
    ]);
  });
});

describe('mediaName and isLinkable: any stored media string is shown, never thrown on', () => {
  it('decodes a well-formed last segment and shows a malformed one as written', () => {
    expect(mediaName('https://cdn.example/media/caf%C3%A9.jpg')).toBe('café.jpg');
    // decodeURIComponent throws URIError on each of these.
    for (const [url, name] of [
      ['https://cdn.example/media/%E0%A4.jpg', '%E0%A4.jpg'],
      ['https://cdn.example/100%', '100%'],
      ['%%%', '%%%'],
      ['https://cdn.example/a/%ZZ?x=%', '%ZZ'],
    ]) {
      expect(() => decodeURIComponent(name!)).toThrow(URIError);
      expect(mediaName(url!), url).toBe(name);
    }
    expect(mediaName('')).toBe('');
    expect(mediaName('https://cdn.example/')).toBe('cdn.example');
  });

  it('links http(s) URLs only', () => {
    expect(isLinkable('https://cdn.example/a.jpg')).toBe(true);
    expect(isLinkable('HTTP://cdn.example/a.jpg')).toBe(true);
    for (const url of ['javascript:alert(1)', ' javascript:alert(1)', 'data:text/html,<script>x</script>', 'vbscript:x', '//cdn.example/a.jpg', '%%%'])
      expect(isLinkable(url), url).toBe(false);
  });
});
