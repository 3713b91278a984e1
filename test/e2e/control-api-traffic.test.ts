// Traffic settings at run time over HTTP and through the library: read, change globally and per account, refuse
// what is out of bounds, and forget on reset.
import { describe, expect, it } from 'vitest';
import { connectEmulator } from '../../src/control/client.js';
import { ControlInputError } from '../../src/control/operations.js';
import { ACCOUNT_A, ACCOUNT_B, getJson, useControlApi } from '../helpers/control-api.js';

const { startHttp } = useControlApi();

const put = (url: string, body: unknown) => getJson(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('control API: traffic settings', () => {
  it('GET /traffic is the fast profile by default; PUT changes it for every account until a reset', async () => {
    const f = await startHttp();
    const base = `${f.running.url}/__emulator`;
    const before = await getJson(`${base}/traffic`);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ settings: { profile: 'fast', throughput: false, optOut: false } });
    const changed = await put(`${base}/traffic`, { profile: 'production', onNet: false });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      settings: { profile: 'production', throughput: true, onNet: false },
      runtime: { profile: 'production', onNet: false },
    });
    expect((await getJson(`${base}/accounts/${ACCOUNT_B}/traffic`)).body).toMatchObject({ accountId: ACCOUNT_B, settings: { throughput: true } });
    expect((await getJson(`${base}/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBeLessThan(300);
    expect((await getJson(`${base}/traffic`)).body).toMatchObject({ settings: { profile: 'fast', throughput: false } });
  });

  it('per account: one account changes, the other keeps the global settings; a reset of that account forgets it', async () => {
    const f = await startHttp();
    const control = connectEmulator(f.running.url);
    const a = await control.traffic.set({ optOut: true, rates: { account: 5 } }, ACCOUNT_A);
    expect(a?.settings).toMatchObject({ profile: 'fast', optOut: true, rates: { account: 5 } });
    expect((await control.traffic.get(ACCOUNT_B))?.settings.optOut).toBe(false);
    await control.reset(ACCOUNT_A);
    expect((await control.traffic.get(ACCOUNT_A))?.settings).toMatchObject({ optOut: false, rates: { account: 1 } });
  });

  it('refuses what is past its bounds with a 400 naming the field, and an unknown account with a 404', async () => {
    const f = await startHttp();
    const base = `${f.running.url}/__emulator`;
    const deep = await put(`${base}/traffic`, { queueDepth: '5h' });
    expect(deep.status).toBe(400);
    expect(JSON.stringify(deep.body)).toMatch(/queueDepth.*4h/);
    for (const body of [
      { profile: 'slow' },
      { rates: { account: 0 } },
      { rates: { account: 1e9 } },
      { queue: true },
      { rates: { campaignClasses: { 'not a class': 1 } } },
    ]) {
      const answer = await put(`${base}/traffic`, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
    }
    expect((await put(`${base}/accounts/no-such-account/traffic`, { profile: 'production' })).status).toBe(404);
    expect((await getJson(`${base}/accounts/no-such-account/traffic`)).status).toBe(404);
    // The library is checked as the route is.
    const control = connectEmulator(f.running.url);
    await expect(control.traffic.set({ queueDepth: '1000h' })).rejects.toBeInstanceOf(ControlInputError);
    expect((await control.traffic.get())?.settings.queueDepthMs).toBe(15 * 60_000);
  });
});
