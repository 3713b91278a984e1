// Cross-site requests to the control API: what a page on another site can make a browser send (a "simple" request,
// no preflight: a form or text body, or none, with the browser's Origin and Sec-Fetch-Site) is refused and changes
// nothing, while curl-style calls, the remote client, the library and same-origin pages (the inbox) keep working.
import { request as undiciRequest } from 'undici';
import { describe, expect, it } from 'vitest';
import { connectEmulator } from '../../src/control/client.js';
import { CROSS_SITE_REFUSED, NOT_JSON_REFUSED } from '../../src/control/cross-site-guard.js';
import type { ConfigFile } from '../../src/config/schema.js';
import { startEmulator, type RunningEmulator } from '../../src/start.js';
import { useCallbackHarness } from '../helpers/harness.js';

const ACCOUNT = '9906300';
const APP = '0a1b2c3d-0000-4000-8000-0000000063a1';
const OURS = '+19195550630';
const HANDSET = '+19195557630';
// Magic number: delivered after an hour, so the message stays in flight for the whole test.
const SLOW = '+15553003600';
const SCENARIO = { version: 1, name: 'kept', rules: [{ name: 'r', match: { to: '+15550000001' }, events: [{ type: 'message-delivered' }] }] };
const JSON_TYPE = { 'content-type': 'application/json' };

const harness = useCallbackHarness();

async function start(overrides: ConfigFile = {}): Promise<{ running: RunningEmulator; messageId: string }> {
  const running = await startEmulator({
    accounts: [{ id: ACCOUNT, users: [{ username: 'u', password: 'p' }], applications: [{ id: APP }], numbers: [{ number: OURS, applicationId: APP }] }],
    scenarios: [],
    ...overrides,
  });
  harness.emulators.push(running);
  const message = running.emulator.acceptOutbound(ACCOUNT, { applicationId: APP, to: [SLOW], from: OURS, text: 'in flight' });
  await running.scenarios.use(SCENARIO);
  return { running, messageId: message.id };
}

/** What the refused requests must not change: messages and their statuses, run-time scenarios, the clock, pending steps. */
async function snapshot(running: RunningEmulator): Promise<unknown> {
  const messages = (await running.messages.list()).map((m) => [m.id, m.recipients.map((r) => r.status)]);
  const scenarios = (await running.scenarios.list()).scenarios.map((s) => s.name);
  const time = await running.time.get();
  return { messages, scenarios, timeScale: time.timeScale, pending: time.pending, journal: (await running.callbacks.list()).length };
}

const send = async (url: string, method: string, headers: Record<string, string>, body?: string) => {
  const res = await undiciRequest(url, { method: method as 'POST', headers, body });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? (JSON.parse(text) as { error: string; message: string }) : undefined };
};

describe('state-changing control requests a cross-site page can send', () => {
  it('are refused with 403 (cross-site Origin or Sec-Fetch-Site) or 415 (not JSON), and nothing changes', async () => {
    const { running, messageId } = await start();
    const before = await snapshot(running);
    const base = `${running.url}/__emulator`;
    const evil = 'https://evil.example';
    // Each as a browser would send it: a form, text/plain (the classic JSON-as-text CSRF), a bodyless no-cors fetch or sendBeacon, multipart.
    const browserLike: Array<[string, string, Record<string, string>, string | undefined]> = [
      ['POST', '/reset', { origin: evil, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'content-type': 'text/plain;charset=UTF-8' }, ''],
      ['POST', '/reset', { origin: evil, 'content-type': 'application/x-www-form-urlencoded' }, 'a=1'],
      ['POST', '/time/flush', { origin: evil, 'sec-fetch-site': 'cross-site' }, undefined],
      ['POST', '/time/flush', { 'sec-fetch-site': 'cross-site' }, undefined],
      ['POST', '/scenarios', { origin: evil, 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' }, JSON.stringify({ version: 1, name: 'evil' })],
      ['POST', '/inbound', { origin: evil, 'sec-fetch-site': 'cross-site', 'content-type': 'multipart/form-data; boundary=x' }, '--x--'],
      ['POST', `/messages/${messageId}/carrier`, { origin: 'null', 'content-type': 'text/plain' }, JSON.stringify({ action: 'fail', errorCode: 4720 })],
      [
        'POST',
        '/state',
        { origin: evil, 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' },
        JSON.stringify({ kind: 'bandwidth-emulator-state', version: 1, messages: [], media: [], journal: [], scenarios: [] }),
      ],
      // Non-simple ones a browser would preflight (and the emulator never answers a preflight with CORS): refused all the same.
      ['POST', '/reset', { origin: evil, ...JSON_TYPE }, ''],
      ['PUT', '/time', { origin: evil, ...JSON_TYPE }, JSON.stringify({ timeScale: 0 })],
      ['DELETE', '/scenarios', { origin: evil }, undefined],
      ['DELETE', `/accounts/${ACCOUNT}`, { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site' }, undefined],
      ['POST', '/scenarios/kept/trigger', { 'sec-fetch-site': 'same-site', ...JSON_TYPE }, '{}'],
    ];
    for (const [method, path, headers, body] of browserLike) {
      const res = await send(`${base}${path}`, method, headers, body);
      expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
      expect(res.body).toMatchObject({ error: CROSS_SITE_REFUSED, message: expect.stringContaining('refused a') });
    }
    // Without any browser header, a POST that is not JSON is refused as well: an older browser may send no Origin.
    for (const [path, headers, body] of [
      ['/reset', {}, undefined],
      ['/reset', { 'content-type': 'text/plain' }, 'x'],
      ['/time/flush', { 'content-type': 'application/x-www-form-urlencoded' }, ''],
      ['/inbound', { 'content-type': 'text/plain' }, JSON.stringify({ from: HANDSET, to: [OURS], text: 'x' })],
    ] as Array<[string, Record<string, string>, string | undefined]>) {
      const res = await send(`${base}${path}`, 'POST', headers, body);
      expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(415);
      expect(res.body).toMatchObject({ error: NOT_JSON_REFUSED, message: expect.stringContaining("-H 'content-type: application/json'") });
    }
    expect(await snapshot(running)).toEqual(before);
    // Reads stay open to any caller: a cross-site page cannot read the answer (no CORS), and rebinding is the Host guard's.
    expect((await send(`${base}/health`, 'GET', { origin: evil, 'sec-fetch-site': 'cross-site' })).status).toBe(200);
  });
});

describe('legitimate callers', () => {
  it('curl-style requests (no Origin): JSON POSTs with or without a body, DELETE and PUT as before', async () => {
    const { running } = await start();
    const base = `${running.url}/__emulator`;
    // README: curl -s -X POST -H 'content-type: application/json' --data-binary @state.json .../__emulator/state
    const exported = await (await fetch(`${base}/state`)).text();
    expect((await send(`${base}/state`, 'POST', { 'user-agent': 'curl/8.5.0', accept: '*/*', ...JSON_TYPE }, exported)).status).toBe(200);
    expect((await send(`${base}/time/flush`, 'POST', { 'user-agent': 'curl/8.5.0', ...JSON_TYPE })).status).toBe(200);
    expect((await send(`${base}/time/flush`, 'POST', { 'content-type': 'application/json; charset=utf-8' }, '')).status).toBe(200);
    expect((await send(`${base}/time`, 'PUT', JSON_TYPE, JSON.stringify({ timeScale: 1 }))).status).toBe(200);
    expect((await send(`${base}/scenarios/kept`, 'DELETE', {})).status).toBe(204);
    expect((await send(`${base}/reset?accountId=${ACCOUNT}`, 'POST', JSON_TYPE)).status).toBe(204);
    expect(await running.messages.list()).toEqual([]);
    // Broken JSON is still the documented 400, not a parser crash.
    expect((await send(`${base}/inbound`, 'POST', JSON_TYPE, '{"from":')).status).toBe(400);
  });

  it('same-origin pages (the inbox: Origin of the Host it was opened at, Sec-Fetch-Site: same-origin) and the public URL', async () => {
    const { running, messageId } = await start({ publicUrl: 'https://bw.example.test' });
    const port = new URL(running.url).port;
    const page = { origin: running.url, 'sec-fetch-site': 'same-origin', ...JSON_TYPE };
    const carrier = await send(`${running.url}/__emulator/messages/${messageId}/carrier`, 'POST', page, JSON.stringify({ action: 'deliver' }));
    expect(carrier.status).toBe(200);
    expect((await running.messages.get(messageId))!.recipients[0]!.status).toBe('DELIVERED');
    // Opened as http://localhost:PORT: the Origin names the Host the page was reached by.
    const asLocalhost = await send(`${running.url}/__emulator/time/flush`, 'POST', {
      host: `localhost:${port}`,
      origin: `http://localhost:${port}`,
      'sec-fetch-site': 'same-origin',
      ...JSON_TYPE,
    });
    expect(asLocalhost.status).toBe(200);
    // Behind a proxy at the public URL, the page's Origin is the public URL's.
    const proxied = await send(`${running.url}/__emulator/reset`, 'POST', { origin: 'https://bw.example.test', ...JSON_TYPE });
    expect(proxied.status).toBe(204);
    expect(await running.messages.list()).toEqual([]);
  });

  it('the remote client and the library: every state-changing operation works', async () => {
    for (const connect of [(r: RunningEmulator) => connectEmulator(r.url), (r: RunningEmulator) => r]) {
      const { running, messageId } = await start();
      const ops = connect(running);
      await ops.scenarios.use({ version: 1, name: 'client', inbound: [{ name: 'hello', trigger: 'manual', from: HANDSET, to: [OURS], text: 'hi' }] });
      expect(await ops.scenarios.trigger('client')).toEqual({ scheduled: 1 });
      expect(await ops.inbound({ from: HANDSET, to: [OURS], text: 'direct' })).toHaveLength(1);
      expect((await ops.carrier(messageId, { action: 'fail', errorCode: 4720 })).acted).toHaveLength(1);
      expect(await ops.time.setTimeScale(1)).toEqual({ timeScale: 1 });
      expect((await ops.time.flush()).ran).toBeGreaterThanOrEqual(0);
      await ops.scenarios.clear({ name: 'client' });
      const doc = await ops.state.export();
      await ops.state.import(doc);
      await ops.reset(ACCOUNT);
      expect(await ops.messages.list({ accountId: ACCOUNT })).toEqual([]);
    }
  });
});
