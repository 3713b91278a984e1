// Bounds on the control API's heavy answers: a long-poll that times out against a full journal carries an excerpt
// (never the journal), event streams are capped and share one serialisation per event, and a handset's attachments
// meet the media caps before anything is stored.
import { request as undiciRequest } from 'undici';
import { describe, expect, it, vi } from 'vitest';
import { connectEmulator } from '../../src/control/client.js';
import { MAX_EVENT_STREAMS } from '../../src/control/event-streams.js';
import { ControlInputError } from '../../src/control/operations.js';
import { startEmulator, type RunningEmulator } from '../../src/start.js';
import { JournalWaitTimeout, TIMEOUT_EXCERPT_ENTRIES } from '../../src/store/journal.js';
import { rejection, settled, useCallbackHarness } from '../helpers/harness.js';

const ACCOUNT = '9906100';
const APP = '0a1b2c3d-0000-4000-8000-0000000061a1';
const OURS = '+19195550610';
const HANDSET = '+19195557610';
const JSON_HEADERS = { 'content-type': 'application/json' };

const harness = useCallbackHarness();

async function start(overrides: Parameters<typeof startEmulator>[0] = {}): Promise<RunningEmulator> {
  const running = await startEmulator({
    // No callback URL: every event is journaled as no-target at once, so a full journal costs no HTTP.
    accounts: [{ id: ACCOUNT, users: [{ username: 'u', password: 'p' }], applications: [{ id: APP }], numbers: [{ number: OURS, applicationId: APP }] }],
    callbacks: { deliveryDelay: '0ms', sendingDelay: '0ms' },
    ...overrides,
  });
  harness.emulators.push(running);
  return running;
}

const send = (running: RunningEmulator, n: number) => {
  for (let i = 0; i < n; i++) running.emulator.acceptOutbound(ACCOUNT, { applicationId: APP, to: ['+19195557001'], from: OURS, text: `message ${i}` });
};

describe('a long-poll that times out against a full journal', () => {
  it('answers 408 with the newest 10 entries and the total, over HTTP, in the library and through the remote client', async () => {
    const running = await start({ limits: { maxJournalEntries: 3000 } });
    send(running, 3000);
    await settled(running, 20_000);
    const held = running.emulator.callbackJournal.list({ accountId: ACCOUNT });
    expect(held).toHaveLength(3000);

    const res = await fetch(`${running.url}/__emulator/callbacks?wait=50&accountId=${ACCOUNT}&type=message-failed`);
    expect(res.status).toBe(408);
    const text = await res.text();
    const body = JSON.parse(text) as { seen: Array<{ seq: number }>; seenTotal: number; message: string };
    expect(body.seen.map((e) => e.seq)).toEqual(held.slice(-TIMEOUT_EXCERPT_ENTRIES).map((e) => e.seq));
    expect(body.seenTotal).toBe(3000);
    expect(body.message).toContain(`the journal has 3000 entries for account ${ACCOUNT} (last 10)`);
    // The whole journal would be megabytes; the excerpt is a few KB.
    expect(text.length).toBeLessThan(64 * 1024);

    for (const ops of [running, connectEmulator(running.url)]) {
      const timeout = (await rejection(ops.callbacks.waitFor({ accountId: ACCOUNT, type: 'message-failed' }, { timeoutMs: 20 }))) as JournalWaitTimeout;
      expect(timeout).toBeInstanceOf(JournalWaitTimeout);
      expect(timeout.seen).toHaveLength(TIMEOUT_EXCERPT_ENTRIES);
      expect(timeout.seenTotal).toBe(3000);
    }
  });
});

describe('event streams', () => {
  it(`serve at most ${MAX_EVENT_STREAMS} clients: one more is answered 503, and a closed one frees its place`, async () => {
    const running = await start();
    const aborts: AbortController[] = [];
    try {
      for (let i = 0; i < MAX_EVENT_STREAMS; i++) {
        const abort = new AbortController();
        aborts.push(abort);
        const stream = await undiciRequest(`${running.url}/__emulator/events`, { signal: abort.signal });
        expect(stream.statusCode).toBe(200);
        stream.body.on('error', () => undefined);
      }
      const refused = await fetch(`${running.url}/__emulator/events`);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(await refused.json()).toMatchObject({ error: 'too-many-streams' });

      aborts.pop()!.abort();
      // The server learns of the closed stream on its next turn; bounded retries, each answered at once.
      let status = 503;
      for (let i = 0; i < 200 && status === 503; i++) {
        const abort = new AbortController();
        const again = await undiciRequest(`${running.url}/__emulator/events`, { signal: abort.signal });
        status = again.statusCode;
        if (status === 200) aborts.push(abort);
        else await again.body.dump();
      }
      expect(status).toBe(200);
    } finally {
      for (const abort of aborts) abort.abort();
    }
  });

  it('serialise each event once for every client, and every client sees the same event id', async () => {
    const running = await start();
    const aborts: AbortController[] = [];
    const firstChunks: Array<Promise<string>> = [];
    try {
      for (let i = 0; i < 20; i++) {
        const abort = new AbortController();
        aborts.push(abort);
        const stream = await undiciRequest(`${running.url}/__emulator/events`, { signal: abort.signal });
        stream.body.setEncoding('utf8');
        stream.body.on('error', () => undefined);
        // Each client reads until its first 'message' frame.
        firstChunks.push(
          new Promise((resolve) => {
            let text = '';
            stream.body.on('data', (chunk: string) => {
              text += chunk;
              const frame = /id: (\d+)\nevent: message\n/.exec(text);
              if (frame) resolve(frame[1]!);
            });
          }),
        );
      }
      const stringify = vi.spyOn(JSON, 'stringify');
      let calls: unknown[][];
      try {
        send(running, 1);
      } finally {
        calls = [...stringify.mock.calls];
        stringify.mockRestore();
      }
      // The 'added' event is serialised for the stream once, whatever the number of clients (it was once per client).
      const streamPayloads = calls.filter(([value]) => typeof value === 'object' && value !== null && 'kind' in value && 'message' in value);
      expect(streamPayloads).toHaveLength(1);
      const ids = await Promise.all(firstChunks);
      expect(new Set(ids).size).toBe(1);
    } finally {
      for (const abort of aborts) abort.abort();
    }
  });
});

describe('a handset attachment through the control API', () => {
  const attachment = (bytes: number) => ({ filename: 'photo.jpg', contentType: 'image/jpeg', contentBase64: Buffer.alloc(bytes, 7).toString('base64') });

  it('meets media.maxObjectBytes: one byte over is a 400 naming the field, and nothing is stored', async () => {
    const running = await start({ media: { maxObjectBytes: 1000 } });
    const post = (media: unknown[]) =>
      fetch(`${running.url}/__emulator/inbound`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ from: HANDSET, to: [OURS], text: 'pic', media }),
      });

    const over = await post([attachment(1000), attachment(1001)]);
    expect(over.status).toBe(400);
    const body = (await over.json()) as { error: string; message: string; problems: Array<{ field: string; problem: string }> };
    expect(body.error).toBe('bad-request');
    expect(body.problems).toEqual([
      expect.objectContaining({ field: 'media[1].contentBase64', problem: 'decodes to 1001 bytes, more than media.maxObjectBytes (1000)' }),
    ]);
    expect(await running.messages.list()).toEqual([]);
    expect((await running.health()).media.objects).toBe(0);

    const notBase64 = await post([{ ...attachment(10), contentBase64: 'not base64!' }]);
    expect(notBase64.status).toBe(400);
    expect(((await notBase64.json()) as { problems: Array<{ field: string; problem: string }> }).problems[0]).toMatchObject({
      field: 'media[0].contentBase64',
      problem: 'is not base64',
    });
    const longType = await post([{ ...attachment(10), contentType: `image/${'x'.repeat(300)}` }]);
    expect(longType.status).toBe(400);
    expect(await running.messages.list()).toEqual([]);

    const atLimit = await post([attachment(1000)]);
    expect(atLimit.status).toBe(201);
    expect((await running.health()).media).toMatchObject({ objects: 1, bytes: 1000 });
  });

  it('the library refuses the same attachment with a ControlInputError', async () => {
    const running = await start({ media: { maxObjectBytes: 1000 } });
    const error = await rejection(running.inbound({ from: HANDSET, to: [OURS], media: [attachment(1001)] }));
    expect(error).toBeInstanceOf(ControlInputError);
    expect((error as ControlInputError).problems[0]).toMatchObject({ field: 'media[0].contentBase64' });
    expect((await running.health()).media.objects).toBe(0);
  });
});
