import { describe, expect, it } from 'vitest';
import { Journal, type JournalEntry } from '../../src/store/journal.js';

function entry(seq: number): JournalEntry {
  return {
    seq,
    eventId: `ev-${seq}`,
    accountId: 'A',
    messageId: `m${seq}`,
    applicationId: 'app',
    type: 'message-delivered',
    recipient: '+19195550111',
    attempt: 0,
    at: 1_700_000_000_000,
    durationMs: 0,
    request: { headers: {}, body: [] },
    outcome: 'no-target',
  };
}
const record = (journal: Journal, n: number) => {
  for (let i = 0; i < n; i++) {
    const { seq: _seq, ...rest } = entry(0);
    journal.record(rest);
  }
};

describe('Journal restore and eviction', () => {
  it('restores more entries than the cap: keeps the newest, counts the rest evicted, continues after the last', () => {
    const journal = new Journal(3);
    journal.restore([entry(5), entry(1), entry(4), entry(2), entry(3)]);
    expect(journal.list().map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(journal.stats()).toEqual({ entries: 3, evicted: 2, cap: 3 });
    record(journal, 1);
    expect(journal.list().map((e) => e.seq)).toEqual([4, 5, 6]);
  });

  it('evicts at once past a huge gap in sequence numbers (an imported journal starting at 2^52 - 10)', () => {
    const journal = new Journal(2);
    const start = 2 ** 52 - 10;
    journal.restore([entry(start), entry(start + 1)]);
    // Was: the eviction walked from seq 1 up to 2^52, one number at a time (a hang).
    record(journal, 3);
    expect(journal.list().map((e) => e.seq)).toEqual([start + 3, start + 4]);
    expect(journal.stats().evicted).toBe(3);
  });

  it('adopt() takes over a journal restored aside; sequence numbers keep moving forward past both', () => {
    const live = new Journal(10);
    record(live, 7);
    live.clear();
    const aside = new Journal(10);
    aside.restore([entry(2), entry(3)]);
    live.adopt(aside);
    record(live, 1);
    expect(live.list().map((e) => e.seq)).toEqual([2, 3, 8]);
    // Past the cap, the oldest go first, also across the gap between 3 and 8.
    record(live, 9);
    expect(live.list().map((e) => e.seq)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect(live.stats().evicted).toBe(2);
  });
});
