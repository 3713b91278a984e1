import { Configuration, MessagesApi } from 'bandwidth-sdk';
import { Client } from 'undici';
import { describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import { basic, checkList, defaultAccount, httpError, list } from '../helpers/messages-sdk.js';
import { assertMatchesSpec } from '../helpers/spec.js';

// The search API's rate limit (traffic part `searchRateLimit`, on in the production profile): "3500 requests per 5
// minutes per Source IP address. Exceeding the limit returns HTTP 429 with a `Retry-After` header" (the spec's
// listMessages). Driven through bandwidth-sdk, with the 3,500 searches before it on one raw keep-alive connection.

const LIMITED = {
  type: 'rate_limit_exceeded',
  description: 'Rate limit exceeded. Wait for Retry-After time before sending another request.',
};

/** `count` searches on one keep-alive connection (from `localAddress` when given); the statuses they got. */
async function searches(running: RunningEmulator, count: number, options: { localAddress?: string; headers?: Record<string, string> } = {}): Promise<number[]> {
  const client = new Client(running.url, { pipelining: 16, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
  const path = `/api/v2/users/${running.account.id}/messages?messageId=none`;
  const headers = { authorization: basic(running.account.username, running.account.password), ...options.headers };
  const statuses: number[] = [];
  try {
    for (let done = 0; done < count; ) {
      const batch = Math.min(64, count - done);
      const answers = await Promise.all(
        Array.from({ length: batch }, async () => {
          const res = await client.request({ method: 'GET', path, headers });
          await res.body.dump();
          return res.statusCode;
        }),
      );
      statuses.push(...answers);
      done += batch;
    }
  } finally {
    await client.close();
  }
  return statuses;
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe('search rate limit through bandwidth-sdk', () => {
  const emulators = useEmulators();

  it('production: 3,500 searches pass, the 3,501st gets 429 rate_limit_exceeded with Retry-After; after the window they pass again', async () => {
    const running = await emulators.start({ traffic: { profile: 'production' } });
    const { api, acct } = defaultAccount(running);
    const statuses = await searches(running, 3500);
    expect(count(statuses, 200)).toBe(3500);

    const refused = await httpError(list(api, acct, { messageId: 'none' }));
    expect(refused.status).toBe(429);
    assertMatchesSpec('messagingRequestError', refused.data);
    expect(refused.data).toEqual(LIMITED);
    expect(refused.headers['content-type']).toBe('application/json; charset=utf-8');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    // Seconds until the 5-minute window (opened by the first search) closes.
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(300);
    // A refused search is not counted, and the limit holds for every later one in the window.
    expect((await searches(running, 10)).every((s) => s === 429)).toBe(true);
    expect((await running.health()) as unknown).toMatchObject({ searchRateLimit: { trackedIps: 1, evicted: 0 } });

    // The window ends on the emulator's clock: flushing it is the five minutes passing.
    await running.time.flush();
    const again = await list(api, acct, { messageId: 'none' });
    expect(again.status).toBe(200);
    checkList(again.data);
  });

  it('the fast profile (the default) has no limit, even with the numbers set', async () => {
    const running = await emulators.start({ traffic: { searchRate: { requests: 2, window: '1h' } } });
    expect(count(await searches(running, 20), 200)).toBe(20);
  });

  it('the numbers are configurable; the window passes in emulated time (timeScale), Retry-After in emulated seconds', async () => {
    // 10 emulated minutes are 1.2 real seconds at this scale.
    const running = await emulators.start({ timeScale: 0.002, traffic: { profile: 'production', searchRate: { requests: 3, window: '10m' } } });
    const { api, acct } = defaultAccount(running);
    expect(await searches(running, 4)).toEqual([200, 200, 200, 429]);
    const refused = await httpError(list(api, acct, { messageId: 'none' }));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    // Wait out the window on the emulator's own clock (emulated time), then the account may search again.
    await running.emulator.time.sleep(10 * 60_000);
    expect(await searches(running, 4)).toEqual([200, 200, 200, 429]);
  });

  it('applies per account setting: an account with the part off is not limited, nor counted', async () => {
    const running = await emulators.start({ traffic: { searchRate: { requests: 2 } } });
    await running.traffic.set({ searchRateLimit: true }, running.account.id);
    const other = await running.createAccount();
    const otherApi = new MessagesApi(new Configuration(other.sdkConfig));
    for (let i = 0; i < 5; i++) expect((await list(otherApi, other.accountId, { messageId: 'none' })).status).toBe(200);
    expect(await searches(running, 3)).toEqual([200, 200, 429]);
    // A reset forgets the windows (and the run-time setting).
    await running.reset();
    expect(count(await searches(running, 3), 200)).toBe(3);
  });

  it('counts per source IP: X-Forwarded-For is not trusted, another loopback address is counted apart', async () => {
    const running = await emulators.start({ traffic: { profile: 'production', searchRate: { requests: 2 } } });
    expect(await searches(running, 3, { headers: { 'x-forwarded-for': '203.0.113.7' } })).toEqual([200, 200, 429]);
    expect(await searches(running, 1, { headers: { 'x-forwarded-for': '203.0.113.8' } })).toEqual([429]);
    // Linux routes all of 127.0.0.0/8 to loopback: a client bound to 127.0.0.2 is another source IP.
    expect(await searches(running, 3, { localAddress: '127.0.0.2' })).toEqual([200, 200, 429]);
    expect((await running.health()) as unknown).toMatchObject({ searchRateLimit: { trackedIps: 2 } });
  });
});
