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

describe('Journal pages and the failing filter', () => {
  it('pages newest first below beforeSeq, over gaps, with the total of every page and the next beforeSeq', () => {
    const journal = new Journal(100);
    journal.restore([1, 2, 5, 9, 10, 50].map((seq) => ({ ...entry(seq), outcome: seq % 2 ? 'delivered' : 'exhausted' })));
    expect(journal.page({}, 4)).toMatchObject({ total: 6, nextBeforeSeq: 5 });
    expect(journal.page({}, 4).entries.map((e) => e.seq)).toEqual([50, 10, 9, 5]);
    expect(journal.page({}, 4, 5).entries.map((e) => e.seq)).toEqual([2, 1]);
    expect(journal.page({}, 4, 5).nextBeforeSeq).toBeNull();
    expect(journal.page({}, 2, 1)).toEqual({ entries: [], total: 6, nextBeforeSeq: null });
    expect(journal.page({ outcome: 'failing' }, 10).entries.map((e) => e.seq)).toEqual([50, 10, 2]);
    // A page of 1 over many entries keeps trimming its buffer and still answers the newest.
    const big = new Journal(10_000);
    record(big, 5000);
    expect(big.page({}, 1).entries.map((e) => e.seq)).toEqual([5000]);
    expect(big.page({}, 3, 4000).entries.map((e) => e.seq)).toEqual([3999, 3998, 3997]);
  });

  it('outcome=failing wakes a wait on the first attempt that did not deliver; replayOf narrows to resends', async () => {
    const journal = new Journal(10);
    const waiting = journal.waitFor({ outcome: 'failing' }, 1000);
    const { seq: _a, ...delivered } = { ...entry(0), outcome: 'delivered' as const };
    journal.record(delivered);
    const { seq: _b, ...retrying } = { ...entry(0), outcome: 'retrying' as const };
    const failing = journal.record(retrying);
    expect(await waiting).toBe(failing);
    const { seq: _c, ...resend } = { ...entry(0), outcome: 'delivered' as const, replayOf: failing.seq };
    const replay = journal.record(resend);
    expect(journal.list({ replayOf: failing.seq })).toEqual([replay]);
    expect(journal.get(replay.seq)).toBe(replay);
  });
});
