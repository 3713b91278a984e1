import { describe, expect, it } from 'vitest';
import { autoReplyText, networkKeyword } from '../../src/messaging/opt-out.js';
import { OptOutStore, type OptOutChange } from '../../src/store/opt-outs.js';

const entry = (accountId: string, handset: string) => ({ accountId, number: '+18005550100', handset, at: 0, source: 'handset' as const });

describe('the toll-free network keywords', () => {
  it('are STOP, UNSTOP and START only: the whole text, trimmed, in any case', () => {
    expect(['STOP', ' stop ', 'Stop', '\tUNSTOP\n', 'start'].map(networkKeyword)).toEqual(['STOP', 'STOP', 'STOP', 'UNSTOP', 'START']);
    for (const text of [
      'HELP',
      'INFO',
      'STOPALL',
      'UNSUBSCRIBE',
      'CANCEL',
      'END',
      'QUIT',
      'YES',
      'stop it',
      'STOP!',
      '',
      undefined,
      'constructor',
      '__proto__',
    ])
      expect(networkKeyword(text), String(text)).toBeUndefined();
  });

  it('answer in the network wording (third-party sources), the opt-in one echoing the word', () => {
    expect(autoReplyText('STOP')).toBe(
      'NETWORK MSG: You replied with the word "stop" which blocks all texts sent from this number. Text back "unstop" to receive messages again.',
    );
    expect(autoReplyText('UNSTOP')).toBe('NETWORK MSG: You have replied "unstop" and will begin receiving messages again from this number.');
    expect(autoReplyText('START')).toContain('You have replied "start"');
  });
});

describe('OptOutStore', () => {
  it('refuses an add past the cap per account and past the total cap, never evicting', () => {
    const store = new OptOutStore(2, 3);
    expect(store.add(entry('a', '+15550000001'))).toMatchObject({ added: true });
    expect(store.add(entry('a', '+15550000002'))).toMatchObject({ added: true });
    expect(store.add(entry('a', '+15550000001'))).toMatchObject({ added: false });
    expect(store.add(entry('a', '+15550000003'))).toEqual({ full: 'account', cap: 2 });
    expect(store.add(entry('b', '+15550000001'))).toMatchObject({ added: true });
    expect(store.add(entry('c', '+15550000001'))).toEqual({ full: 'total', cap: 3 });
    expect(store.stats()).toEqual({ optOuts: 3, capPerAccount: 2, cap: 3 });
    expect(store.remove('a', '+18005550100', '+15550000001')).toBe(true);
    expect(store.add(entry('c', '+15550000001'))).toMatchObject({ added: true });
  });

  it('tells its listeners of each change; restore does not, and drops what is past the caps', () => {
    const store = new OptOutStore(2, 10);
    const changes: OptOutChange[] = [];
    store.subscribe((c) => changes.push(c));
    expect(store.restore([entry('a', '+15550000001'), entry('a', '+15550000001'), entry('a', '+15550000002'), entry('a', '+15550000003')])).toBe(1);
    expect(changes).toEqual([]);
    expect(store.has('a', '+18005550100', '+15550000002')).toBe(true);
    store.remove('a', '+18005550100', '+15550000002');
    store.add(entry('b', '+15550000009'));
    expect(store.clear('a')).toBe(1);
    expect(store.clear('a')).toBe(0);
    expect(store.clear()).toBe(1);
    expect(changes.map((c) => c.kind)).toEqual(['remove', 'add', 'clear', 'clear']);
    expect(store.entries()).toEqual([]);
  });
});
