import { describe, expect, it } from 'vitest';
import { MessageStore, type StoredMessage } from '../../src/store/messages.js';

let seq = 0;
function message(accountId: string, id = `m${++seq}`): StoredMessage {
  return {
    id,
    accountId,
    direction: 'out',
    applicationId: 'app',
    owner: '+19195550100',
    from: '+19195550100',
    to: ['+19195550111'],
    text: 'hi',
    priority: 'default',
    time: 1_700_000_000_000 + seq,
    segmentCount: 1,
    recipients: [{ to: '+19195550111', status: 'QUEUED', errorCode: 0, updatedAt: 0 }],
    timeline: [],
  };
}

const ids = (store: MessageStore, accountId: string) => [...store.list(accountId)].map((m) => m.id);

describe('MessageStore', () => {
  it('keeps at most the cap, evicting the oldest first across accounts, and counts evictions', () => {
    const store = new MessageStore(3);
    const m1 = message('A', 'a1');
    const m2 = message('B', 'b1');
    const m3 = message('A', 'a2');
    const m4 = message('B', 'b2');
    const m5 = message('A', 'a3');
    for (const m of [m1, m2, m3]) store.add(m);
    expect(store.stats()).toEqual({ messages: 3, evicted: 0, cap: 3, held: 0 });

    store.add(m4);
    expect(store.stats()).toEqual({ messages: 3, evicted: 1, cap: 3, held: 0 });
    expect(store.get('A', 'a1')).toBeUndefined();
    expect(store.find('a1')).toBeUndefined();
    expect(ids(store, 'A')).toEqual(['a2']);
    expect(ids(store, 'B')).toEqual(['b1', 'b2']);

    store.add(m5);
    expect(store.stats()).toEqual({ messages: 3, evicted: 2, cap: 3, held: 0 });
    expect(store.find('b1')).toBeUndefined();
    expect(ids(store, 'A')).toEqual(['a2', 'a3']);
    expect(ids(store, 'B')).toEqual(['b2']);
    expect(store.find('a3')).toBe(m5);
    expect(store.get('B', 'b2')).toBe(m4);
  });

  it('lists an account oldest first and gets by account and id', () => {
    const store = new MessageStore(100);
    const added = ['x1', 'x2', 'x3'].map((id) => message('X', id));
    for (const m of added) store.add(m);
    expect(ids(store, 'X')).toEqual(['x1', 'x2', 'x3']);
    expect(store.get('X', 'x2')).toBe(added[1]);
    // An id of account X is not visible through another account.
    expect(store.get('Y', 'x2')).toBeUndefined();
    expect([...store.list('nobody')]).toEqual([]);
  });

  it('clear(accountId) clears only that account', () => {
    const store = new MessageStore(100);
    for (const id of ['a1', 'a2']) store.add(message('A', id));
    for (const id of ['b1', 'b2', 'b3']) store.add(message('B', id));
    store.clear('A');
    expect(ids(store, 'A')).toEqual([]);
    expect(store.find('a1')).toBeUndefined();
    expect(ids(store, 'B')).toEqual(['b1', 'b2', 'b3']);
    expect(store.find('b2')?.accountId).toBe('B');
    expect(store.stats().messages).toBe(3);
    expect(store.accounts()).toEqual(['B']);
  });

  it('clear(accountId) keeps eviction order right for the remaining accounts', () => {
    const store = new MessageStore(3);
    store.add(message('A', 'a1'));
    store.add(message('B', 'b1'));
    store.add(message('A', 'a2'));
    store.clear('A');
    store.add(message('B', 'b2'));
    store.add(message('B', 'b3'));
    expect(store.stats()).toEqual({ messages: 3, evicted: 0, cap: 3, held: 0 });
    store.add(message('B', 'b4'));
    expect(ids(store, 'B')).toEqual(['b2', 'b3', 'b4']);
    expect(store.stats().evicted).toBe(1);
  });

  it('clear() clears every account', () => {
    const store = new MessageStore(10);
    store.add(message('A'));
    store.add(message('B'));
    store.clear();
    expect(store.stats().messages).toBe(0);
    expect(store.accounts()).toEqual([]);
  });

  it('tells subscribers about added messages and status changes', () => {
    const store = new MessageStore(10);
    const seen: string[] = [];
    const off = store.subscribe((c) => seen.push(`${c.kind}:${c.message.id}${c.recipient ? `:${c.recipient}` : ''}`));
    const m = message('A', 's1');
    store.add(m);
    store.setStatus(m, '+19195550111', 'DELIVERED', 0, 5);
    expect(m.recipients[0]).toEqual({ to: '+19195550111', status: 'DELIVERED', errorCode: 0, updatedAt: 5 });
    store.setStatus(m, '+10000000000', 'FAILED', 4001); // not a recipient: ignored
    off();
    store.add(message('A', 's2'));
    expect(seen).toEqual(['added:s1', 'status:s1:+19195550111']);
  });

  it('a pinned message (pending work) is held over the cap, and evicted when its last pin is released', () => {
    const store = new MessageStore(2);
    const evicted: string[] = [];
    store.subscribeEvictions((m) => evicted.push(m.id));
    store.add(message('A', 'p1'));
    store.pin('p1');
    store.pin('p1');
    store.add(message('A', 'p2'));
    store.add(message('A', 'p3'));
    // p1 would have been evicted: it is held, over the cap (counted), and the cap applies to the others.
    expect(ids(store, 'A')).toEqual(['p1', 'p2', 'p3']);
    expect(store.stats()).toEqual({ messages: 3, evicted: 0, cap: 2, held: 1 });
    store.add(message('A', 'p4'));
    expect(ids(store, 'A')).toEqual(['p1', 'p3', 'p4']);
    expect(evicted).toEqual(['p2']);
    store.unpin('p1');
    expect(store.find('p1'), 'still pinned once').toBeDefined();
    store.unpin('p1');
    expect(store.find('p1')).toBeUndefined();
    expect(store.stats()).toEqual({ messages: 2, evicted: 2, cap: 2, held: 0 });
    expect(evicted).toEqual(['p2', 'p1']);
    // Unpinning again, or an id never stored, changes nothing.
    store.unpin('p1');
    store.pin('nope');
    store.unpin('nope');
    expect(store.stats().messages).toBe(2);
  });

  it('a held message released once the store is under its cap again stays, and is the next one evicted', () => {
    const store = new MessageStore(2);
    store.add(message('A', 'h1'));
    store.pin('h1');
    store.add(message('B', 'h2'));
    store.add(message('B', 'h3'));
    expect(store.stats().held).toBe(1);
    store.clear('B');
    store.unpin('h1');
    expect(ids(store, 'A')).toEqual(['h1']);
    expect(store.stats().held).toBe(0);
    store.add(message('A', 'h4'));
    store.add(message('A', 'h5'));
    expect(ids(store, 'A')).toEqual(['h4', 'h5']);
  });

  it('withdraw() takes a message back without a trace: no eviction is counted or announced', () => {
    const store = new MessageStore(5);
    const seen: string[] = [];
    store.subscribeEvictions((m) => seen.push(m.id));
    const m = message('A', 'w1');
    store.add(m);
    store.pin('w1');
    store.withdraw(m);
    expect(store.find('w1')).toBeUndefined();
    expect(store.wasWithdrawn(m)).toBe(true);
    expect(store.stats()).toEqual({ messages: 0, evicted: 0, cap: 5, held: 0 });
    expect(seen).toEqual([]);
  });
});
