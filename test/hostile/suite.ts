// The hostile-load suite (issue 16), shared by its full run (test/hostile/hostile-load.test.ts, `npm run
// test:hostile`) and its reduced run in `npm test` (test/e2e/hostile-load-reduced.test.ts). Each test starts the
// built CLI in its own process (bench/lib/emulator-process.mjs), puts one hostile load on it from this process,
// makes a fixed number of timed creates meanwhile, and asserts RELIABILITY.md's bounds (./bounds.ts) on the
// emulator's peak RSS, the creates' p50/p99 and what was lost. Every load is bounded in count and by deadlines, so
// an emulator that cannot cope fails its test (or is killed by the RSS watchdog) instead of hanging it.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { eventStreamsLoad, longPollsLoad, maximalScenarioLoad, pendingFlushLoad, type LoadResult } from '../../bench/lib/hostile-loads.mjs';
import { HOSTILE_BOUNDS as B, type HostileSizes } from './bounds.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

// One line per load in the test output: the figures RELIABILITY.md's table reports.
function summary(r: LoadResult): string {
  const c = r.create;
  const figures = c ? `create p50 ${c.p50Ms} ms / p99 ${c.p99Ms} ms (${c.answered}/${c.count} answered)` : 'no create figures';
  return `[hostile] ${r.load} ${JSON.stringify(r.size)}: peak RSS ${r.rssPeakMb} MB, ${figures}, lost ${r.lost ?? '?'}${r.died ? `; emulator ${r.died}` : ''} (${r.seconds} s)`;
}

// The emulator survived the load and every figure is there; its last output says why when it did not.
function expectSurvived(r: LoadResult): void {
  expect(r.died, `the emulator did not survive: ${r.died}\n${r.output ?? ''}`).toBeUndefined();
  expect(r.error, r.error).toBeUndefined();
}

// The bounds every load shares: peak RSS, the timed creates all answered 202 within p50/p99, nothing lost.
function expectCommonBounds(r: LoadResult, rssMb: number): void {
  const create = r.create!;
  expect(create.answered, `timed creates answered before the deadline: ${summary(r)}`).toBe(create.count);
  expect(create.accepted, `timed creates answered 202: ${JSON.stringify(create.statuses)}`).toBe(create.count);
  expect(r.rssPeakMb, `peak RSS (MB): ${summary(r)}`).toBeLessThanOrEqual(rssMb);
  expect(create.p50Ms, `create p50 (ms): ${summary(r)}`).toBeLessThanOrEqual(B.create.p50Ms);
  expect(create.p99Ms, `create p99 (ms): ${summary(r)}`).toBeLessThanOrEqual(B.create.p99Ms);
  expect(r.settled, 'nothing pending once the load is over').toBe(true);
  expect(r.lost, 'events owed for accepted messages, neither delivered/journaled nor pending').toBe(0);
  expect(r.books!.balanced, `books: ${JSON.stringify(r.books)}`).toBe(true);
}

/** Register the four hostile-load tests at `sizes`; `label` names the run in the output and the results file. */
export function hostileLoadSuite(label: string, sizes: HostileSizes): void {
  const results: LoadResult[] = [];
  const record = (r: LoadResult) => {
    results.push(r);
    process.stdout.write(`${summary(r)}\n`);
  };
  afterAll(() => {
    // The figures of the last run, for RELIABILITY.md (bench/results is not committed).
    mkdirSync(`${root}bench/results`, { recursive: true });
    writeFileSync(`${root}bench/results/hostile-${label}.json`, JSON.stringify({ at: new Date().toISOString(), label, results }, null, 2) + '\n');
  });

  describe(`hostile load (${label})`, () => {
    it('needs the build', () => {
      expect(existsSync(`${root}dist/bundle/cli.js`), 'dist/bundle/cli.js is missing: run `npm run build` first').toBe(true);
    });

    const s = sizes.eventStreams;
    it(`${s.clients} event-stream clients that never read while ${s.messages} messages happen`, async () => {
      const r = await eventStreamsLoad({ ...s, deadlineMs: 60_000 });
      record(r);
      expectSurvived(r);
      expectCommonBounds(r, B.eventStreams.rssMb);
      // Served or refused with the documented status; none left without an answer.
      const statuses = r.streams!.statuses;
      expect(
        Object.keys(statuses).every((status) => status === '200' || status === '503'),
        `stream statuses: ${JSON.stringify(statuses)}`,
      ).toBe(true);
      expect(statuses['200'] ?? 0, 'at least one stream is served').toBeGreaterThan(0);
      expect(r.streams!.freshStatus, 'a reading client gets a stream once the hostile ones are gone').toBe(200);
      expect(r.accepted).toBe(s.messages + s.timed);
    }, 150_000);

    const p = sizes.longPolls;
    it(`${p.polls} long-polls at a time timing out against a journal of ${p.journalCap} entries`, async () => {
      const r = await longPollsLoad({ ...p, waitMs: 1_000, deadlineMs: 60_000 });
      record(r);
      expectSurvived(r);
      expect(r.fill!.journal.entries, 'the journal was full before the long-polls').toBe(p.journalCap);
      expectCommonBounds(r, B.longPolls.rssMb);
      const polls = r.polls!;
      expect(polls.answered, 'long-polls answered').toBeGreaterThanOrEqual(p.polls);
      expect(polls.statuses, 'every long-poll timed out with 408').toEqual({ 408: polls.answered });
      expect(polls.maxBodyBytes, 'a timeout body must not carry the whole journal').toBeLessThanOrEqual(B.longPolls.timeoutBodyBytes);
      expect(polls.maxOverrunMs, 'a long-poll answered long after its wait').toBeLessThanOrEqual(B.longPolls.overrunMs);
    }, 150_000);

    const m = sizes.maximalScenario;
    it(`a maximal scenario of ${m.rules} rules, then ${m.timed} creates that miss every rule`, async () => {
      const r = await maximalScenarioLoad({ ...m, deadlineMs: 60_000 });
      record(r);
      expectSurvived(r);
      expect(r.scenario!.listStatus, 'the scenario list answers').toBe(200);
      expectCommonBounds(r, B.maximalScenario.rssMb);
      expect(r.messageViewBytes, "one stored message's control view (its explanations)").toBeLessThanOrEqual(B.maximalScenario.messageViewBytes);
    }, 150_000);

    const f = sizes.pendingFlush;
    it(`${f.pending} pending steps, then one flush with health requests during it`, async () => {
      const r = await pendingFlushLoad({ ...f, deadlineMs: B.pendingFlush.flushMs });
      record(r);
      expectSurvived(r);
      const flush = r.flush!;
      expect(flush.stepsBefore, 'steps pending before the flush').toBeGreaterThanOrEqual(f.pending);
      expect(flush.status, `flush answered: ${flush.answer}`).toBe(200);
      expect(flush.ms, 'flush duration (ms)').toBeLessThanOrEqual(B.pendingFlush.flushMs);
      expect(flush.stepsAfter, 'steps the flush left pending').toBe(0);
      expect(flush.fired, 'events planned by the end: every step pending before the flush fired').toBe(flush.stepsBefore);
      const health = r.healthDuringFlush!;
      expect(health.answered, 'health requests during the flush answered 200').toBe(health.requests);
      expect(health.maxMs, 'the longest a health request waited during the flush (ms)').toBeLessThanOrEqual(B.pendingFlush.healthMs);
      expectCommonBounds(r, B.pendingFlush.rssMb);
    }, 200_000);
  });
}
