// Every duration in the config has a bound, and one past it is refused naming where it came from, the field and the
// fix. Regression: a callback timeout, shutdown grace or media fetch timeout over 2^31-1 ms (~24.8 days) was taken,
// and Node fires such a setTimeout at once: every callback attempt "timed out" immediately, shutdown did not wait,
// and a 400-digit duration became Infinity (or the default, silently).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { EmulatorConfigError } from '../../src/errors.js';
import type { Problem } from '../../src/validation/schema-check.js';

const dir = mkdtempSync(join(tmpdir(), 'bw-emulator-durations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PAST_TIMER = '597h'; // 2,149,200,000 ms: just past 2^31-1
const HUGE = `${'9'.repeat(400)}ms`; // Infinity as a number

function problemsOf(run: () => unknown): readonly Problem[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EmulatorConfigError);
    return (error as EmulatorConfigError).problems;
  }
  throw new Error('expected an EmulatorConfigError');
}

describe('config durations that go to a Node timer: at most 2^31-1 ms', () => {
  const timers = [
    {
      field: 'callbacks.timeout',
      overrides: (v: string) => ({ callbacks: { timeout: v } }),
      yaml: (v: string) => `callbacks:\n  timeout: ${v}\n`,
      flag: 'callbackTimeout',
      env: 'BW_EMULATOR_CALLBACK_TIMEOUT',
      read: (c: ReturnType<typeof resolveConfig>) => c.callbacks.timeoutMs,
    },
    {
      field: 'shutdownGrace',
      overrides: (v: string) => ({ shutdownGrace: v }),
      yaml: (v: string) => `shutdownGrace: ${v}\n`,
      flag: 'shutdownGrace',
      env: 'BW_EMULATOR_SHUTDOWN_GRACE',
      read: (c: ReturnType<typeof resolveConfig>) => c.shutdownGraceMs,
    },
    {
      field: 'media.fetchTimeout',
      overrides: (v: string) => ({ media: { fetchTimeout: v } }),
      yaml: (v: string) => `media:\n  fetchTimeout: ${v}\n`,
      read: (c: ReturnType<typeof resolveConfig>) => c.media.fetchTimeoutMs,
    },
  ];
  for (const t of timers) {
    it(`${t.field}: 596h is taken; ${PAST_TIMER} is refused from options, a file (with its line)${t.flag ? ', a flag and the environment' : ''}`, () => {
      expect(t.read(resolveConfig({ overrides: t.overrides('596h') }))).toBe(596 * 3_600_000);
      const expected = {
        field: t.field,
        problem: `'${PAST_TIMER}' is longer than the longest a Node timer can wait (2147483647 ms, about 24.8 days)`,
        fix: 'use at most 596h',
      };
      expect(problemsOf(() => resolveConfig({ overrides: t.overrides(PAST_TIMER) }))).toEqual([
        { source: 'startEmulator options', ...expected, line: undefined },
      ]);
      const path = join(dir, `${t.field}.yaml`);
      writeFileSync(path, `port: 0\n${t.yaml(PAST_TIMER)}`);
      expect(problemsOf(() => resolveConfig({ flags: { config: path } }))).toEqual([{ source: path, ...expected, line: t.field.includes('.') ? 3 : 2 }]);
      if (t.flag) {
        expect(problemsOf(() => resolveConfig({ flags: { [t.flag!]: PAST_TIMER } }))).toEqual([
          expect.objectContaining({ source: expect.stringMatching(/^flag --/), field: t.flag, problem: expected.problem, fix: expected.fix }),
        ]);
        expect(problemsOf(() => resolveConfig({ env: { [t.env!]: PAST_TIMER } }))).toEqual([
          expect.objectContaining({ source: `env ${t.env}`, field: t.flag, problem: expected.problem }),
        ]);
      }
    });
  }

  it('a number of milliseconds past the bound too', () => {
    expect(problemsOf(() => resolveConfig({ overrides: { callbacks: { timeout: 2 ** 31 } } }))).toEqual([
      expect.objectContaining({
        field: 'callbacks.timeout',
        problem: '2147483648 is longer than the longest a Node timer can wait (2147483647 ms, about 24.8 days)',
      }),
    ]);
    expect(resolveConfig({ overrides: { callbacks: { timeout: 2 ** 31 - 1 } } }).callbacks.timeoutMs).toBe(2 ** 31 - 1);
  });
});

describe('config delays on the emulated clock: at most 8760h each', () => {
  it('600h (past a 32-bit timer) works for retryDelays, deliveryDelay and sendingDelay: the clock waits in chunks', () => {
    const config = resolveConfig({ overrides: { callbacks: { retryDelays: ['600h'], deliveryDelay: '600h', sendingDelay: '8760h' } } });
    expect(config.callbacks).toMatchObject({ retryDelaysMs: [2_160_000_000], deliveryDelayMs: 2_160_000_000, sendingDelayMs: 8760 * 3_600_000 });
  });

  it('8761h is refused, at its index in a list', () => {
    const problems = problemsOf(() => resolveConfig({ overrides: { callbacks: { retryDelays: ['1s', '8761h'], deliveryDelay: '8761h' } } }));
    expect(problems).toEqual([
      expect.objectContaining({
        field: 'callbacks.retryDelays[1]',
        problem: "'8761h' is longer than the longest delay the emulator schedules (8760h, 365 days)",
        fix: 'use at most 8760h',
      }),
      expect.objectContaining({ field: 'callbacks.deliveryDelay' }),
    ]);
  });

  it('a duration too large to be a number is refused everywhere, media.retention included (it had no other bound)', () => {
    expect(resolveConfig({ overrides: { media: { retention: '100000h' } } }).media.retentionMs).toBe(100_000 * 3_600_000);
    expect(problemsOf(() => resolveConfig({ overrides: { media: { retention: HUGE } } }))).toEqual([
      expect.objectContaining({ field: 'media.retention', problem: expect.stringMatching(/^'9{40}…' is longer than any number of milliseconds can hold$/) }),
    ]);
    expect(problemsOf(() => resolveConfig({ flags: { deliveryDelay: HUGE } }))).toEqual([
      expect.objectContaining({ field: 'deliveryDelay', problem: `'${HUGE}' is not valid` }),
    ]);
  });
});
