// POST /__emulator/time/flush with a large backlog: every pending step fires (it used to stop after 10,000, and
// each task cost a scan of every timer), and the emulator keeps answering health while the flush runs.
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/start.js';

const ACCOUNT = '9900000';
const APP = '93de2206-9669-4e07-948d-329f4b722ee2';
const FROM = '+19195550100';
const RECIPIENTS = Array.from({ length: 10 }, (_, i) => `+1919555${String(7000 + i)}`);
// 5,000 messages of 10 recipients: 50,000 pending chains of two steps (sending, delivered), five times the old stop.
const MESSAGES = 5_000;
const STEPS = MESSAGES * RECIPIENTS.length * 2;

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

describe('POST /__emulator/time/flush with a large backlog', () => {
  it(`fires all ${STEPS.toLocaleString('en')} pending steps, and /health answers while the flush runs`, async () => {
    // Time runs a million times slower: nothing fires on its own during the test. No callback URL: every event is
    // journaled as no-target (no HTTP), so the books count exactly what fired.
    const emulator = await startEmulator({
      timeScale: 1e6,
      logLevel: 'warn',
      limits: { maxMessages: MESSAGES, maxJournalEntries: 1_000 },
      accounts: [{ id: ACCOUNT, users: [{ username: 'u', password: 'p' }], applications: [{ id: APP }], numbers: [{ number: FROM, applicationId: APP }] }],
    });
    running.push(emulator);
    const core = emulator.emulator;
    for (let i = 0; i < MESSAGES; i++) core.acceptOutbound(ACCOUNT, { applicationId: APP, from: FROM, to: RECIPIENTS, text: `m${i}` });
    expect(core.parts.timeline.pendingSteps).toBe(STEPS);

    // As soon as the flush has fired its first step, ask for health; note which answer comes first.
    const order: string[] = [];
    let health: Promise<{ pendingSteps: number; callbacks: { planned: number } }> | undefined;
    const off = core.callbackJournal.subscribe(() => {
      if (health) return;
      health = request(`${emulator.url}/__emulator/health`).then(async (res) => {
        expect(res.statusCode).toBe(200);
        const body = (await res.body.json()) as { pendingSteps: number; callbacks: { planned: number } };
        order.push('health');
        return body;
      });
    });
    const flushed = await request(`${emulator.url}/__emulator/time/flush`, { method: 'POST', headers: { 'content-type': 'application/json' } }).then(
      async (res) => {
        order.push('flush');
        return { status: res.statusCode, body: (await res.body.json()) as { ran: number } };
      },
    );
    off();
    const mid = await health!;

    expect(order, 'health was answered before the flush finished').toEqual(['health', 'flush']);
    expect(mid.pendingSteps, 'health saw the flush in progress').toBeGreaterThan(0);
    expect(mid.pendingSteps).toBeLessThan(STEPS);
    expect(flushed).toEqual({ status: 200, body: { ran: STEPS } });
    // Every step fired once: one event each, all journaled (no target), none left.
    expect(core.stats().callbacks).toMatchObject({ planned: STEPS, noTarget: STEPS, pending: 0 });
    expect(core.parts.timeline.pendingSteps).toBe(0);
    expect(core.time.pending).toBe(0);
    const statuses = new Set<string>();
    for (const m of core.messages.list(ACCOUNT)) for (const r of m.recipients) statuses.add(r.status);
    expect([...statuses]).toEqual(['DELIVERED']);
  });

  it('a second flush requested during the first runs after it: no task runs twice', async () => {
    const emulator = await startEmulator({ timeScale: 1e6, logLevel: 'warn' });
    running.push(emulator);
    const core = emulator.emulator;
    // One recipient of an SMS: one step (message-delivered).
    core.acceptOutbound(ACCOUNT, { applicationId: APP, from: FROM, to: [RECIPIENTS[0]!], text: 'one' });
    const [first, second] = await Promise.all([core.time.flush(), core.time.flush()]);
    expect([first, second]).toEqual([1, 0]);
    expect(core.stats().callbacks.planned).toBe(1);
  });
});
