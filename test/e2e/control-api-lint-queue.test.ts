// The message lint (POST /__emulator/lint, `lint` on an outbound message) and the read-only account queue
// (GET /__emulator/accounts/{id}/queue) over HTTP and through the library, with their bounds (README "Message lint",
// "Accounts view").
import { describe, expect, it } from 'vitest';
import { ControlInputError } from '../../src/control/operations.js';
import { ACCOUNT_A, getJson, sendA, TO1, TO2, useControlApi } from '../helpers/control-api.js';

const { start, startHttp } = useControlApi();

const post = (url: string, body: unknown) => getJson(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('control API: message lint', () => {
  it('POST /lint answers the encoding, segments and the forcing characters; the library op is the same', async () => {
    const f = await startHttp();
    const base = `${f.running.url}/__emulator`;
    const answer = await post(`${base}/lint`, { text: 'Don’t forget 😀' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ encoding: 'UCS-2', segments: 1, perSegment: 70 });
    expect((answer.body.ucs2Chars as Array<{ codePoint: string }>).map((c) => c.codePoint)).toEqual(['U+2019', 'U+1F600']);
    expect(await f.ops.lint({ text: 'Don’t forget 😀' })).toEqual(answer.body);
    expect(await f.ops.lint({ text: '😀'.repeat(100), media: ['https://example.com/a.png'] })).toMatchObject({ segments: 1, mms: 'media' });
  });

  it('refuses what is past its bounds with a 400 naming the field, over HTTP and in the library', async () => {
    const f = await startHttp();
    const base = `${f.running.url}/__emulator`;
    expect((await post(`${base}/lint`, { text: 'a'.repeat(2048) })).status).toBe(200);
    for (const [body, field] of [
      [{ text: 'a'.repeat(2049) }, 'text'],
      [{ text: 'hi', media: Array.from({ length: 11 }, () => 'x') }, 'media'],
      [{ text: 'hi', to: Array.from({ length: 101 }, () => TO1) }, 'to'],
      [{}, 'text'],
      [{ text: 'hi', extra: 1 }, 'extra'],
    ] as const) {
      const answer = await post(`${base}/lint`, body);
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(JSON.stringify(answer.body)).toContain(field);
    }
    const inProcess = await start((running) => running);
    await expect(inProcess.ops.lint({ text: 'a'.repeat(2049) })).rejects.toBeInstanceOf(ControlInputError);
    await expect(inProcess.ops.lint({ text: 'hi', to: Array.from({ length: 101 }, () => TO1) })).rejects.toThrow(/to has more than 100/);
  });

  it('GET /messages/{id} carries the lint of an outbound message', async () => {
    const f = await startHttp();
    const id = await sendA(f, [TO1], { text: `It’s ${'x'.repeat(80)}` });
    const message = await getJson(`${f.running.url}/__emulator/messages/${id}`);
    expect(message.body.lint).toMatchObject({ encoding: 'UCS-2', segments: 2, hint: "’ → ' would make it GSM-7: 1 segment instead of 2" });
    expect(message.body.segmentCount).toBe(2);
  });
});

describe('control API: the account queue', () => {
  it('GET /accounts/{id}/queue counts what waits under the production profile and names the oldest; 404 for an unknown account', async () => {
    // Frozen emulated time: the first message goes at once, the rest wait for the account rate (1 segment a second).
    const f = await startHttp({ timeScale: 1e6, traffic: { profile: 'production' } });
    const base = `${f.running.url}/__emulator`;
    const empty = await getJson(`${base}/accounts/${ACCOUNT_A}/queue`);
    expect(empty.body).toEqual({ accountId: ACCOUNT_A, messages: 0, segments: 0, recipients: 0, capacitySegments: 900 });
    for (let i = 0; i < 3; i++) await sendA(f, [TO2], { text: `burst ${i}` });
    const queue = await f.ops.traffic.queue(ACCOUNT_A);
    expect(queue).toMatchObject({ accountId: ACCOUNT_A, messages: 2, segments: 2, recipients: 2 });
    expect(Date.parse(queue!.oldestQueuedAt!)).toBeGreaterThan(0);
    expect((await getJson(`${base}/accounts/no-such-account/queue`)).status).toBe(404);
    expect(await f.ops.traffic.queue('no-such-account')).toBeUndefined();
  });
});
