// Regression: setTimeout fires at once for a wait beyond 2^31-1 ms (~24.8 days), so a scenario `after: 600h` or a
// huge time scale made "later" mean "now". The clock must chain timers and keep a long delay long.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClock } from '../../src/clock.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { createEmulator } from '../../src/compose.js';

const DAY = 24 * 3600 * 1000;

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('clock: delays longer than a 32-bit timer', () => {
  it('never hands setTimeout a wait it cannot honour', () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const clock = createClock();
    const task = clock.schedule(() => undefined, 30 * DAY);
    const waits = spy.mock.calls.map((call) => Number(call[1]));
    expect(waits.length).toBeGreaterThan(0);
    for (const wait of waits) expect(wait).toBeLessThanOrEqual(2 ** 31 - 1);
    task.cancel();
    expect(clock.pending).toBe(0);
  });

  it('a 30-day delay fires after 30 days, not at once', () => {
    vi.useFakeTimers();
    const clock = createClock();
    let fired = 0;
    clock.schedule(() => fired++, 30 * DAY);
    vi.advanceTimersByTime(DAY);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(28 * DAY);
    expect(fired).toBe(0);
    expect(clock.pending).toBe(1);
    vi.advanceTimersByTime(DAY + 1);
    expect(fired).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it('cancel() stops a chained timer between its chunks', () => {
    vi.useFakeTimers();
    const clock = createClock();
    let fired = 0;
    const task = clock.schedule(() => fired++, 60 * DAY);
    vi.advanceTimersByTime(30 * DAY);
    task.cancel();
    vi.advanceTimersByTime(60 * DAY);
    expect(fired).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('a scenario delay past a 32-bit timer, through the emulator', () => {
  it("`after: 600h` delivers after 600 hours of the emulator's clock, not at once", async () => {
    vi.useFakeTimers();
    const config = resolveConfig({ overrides: { logLevel: 'silent', permissive: true } });
    const emulator = createEmulator(config, { clock: createClock() });
    try {
      emulator.useScenario({ version: 1, rules: [{ match: { to: '+15557770001' }, events: [{ type: 'message-delivered', after: '600h' }] }] });
      const account = config.accounts[0]!;
      const message = emulator.acceptOutbound(account.id, {
        applicationId: account.applications[0]!.id,
        from: account.numbers[0]!.number,
        to: ['+15557770001'],
        text: 'later',
      });
      const status = () => emulator.parts.store.find(message.id)!.recipients[0]!.status;
      expect(status()).not.toBe('DELIVERED');
      vi.advanceTimersByTime(599 * 3600 * 1000);
      expect(status()).not.toBe('DELIVERED');
      vi.advanceTimersByTime(2 * 3600 * 1000);
      expect(status()).toBe('DELIVERED');
    } finally {
      await emulator.close();
    }
  });
});
