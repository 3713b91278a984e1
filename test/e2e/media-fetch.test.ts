// Opt-in external media fetch (media.fetchExternal / --fetch-external-media): a local HTTP server on 127.0.0.1:0
// plays the "external" media host; the official bandwidth-sdk sends; the journal and the sink say what happened.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Configuration, MessagesApi, MultiChannelApi, type MessageRequest, type MultiChannelMessageRequest } from 'bandwidth-sdk';
import { parseFlags } from '../../src/cli.js';
import { resolveConfig } from '../../src/config/resolve.js';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import type { CallbackSink } from '../helpers/sink.js';

const emulators = useEmulators();
const { newSink } = emulators;

const ACCOUNT = '9905000';
const USER = 'fetch-user';
const PASS = 'fetch-password';
const APP = '0a1b2c3d-0000-4000-8000-00000000d001';
const NUMBER = '+19195550600';
const TO = '+19195558101';
const LIMIT = 1000;
const WAIT = { timeoutMs: 5000 };

/** The "external" media host: fixed answers per path, and every request it got. */
interface MediaHost {
  url: string;
  requests: string[];
  /** Resolves when the host has received a request for this path. */
  received(path: string): Promise<void>;
  close(): Promise<void>;
}

const ROUTES: Record<string, { status: number; type?: string; bytes: number }> = {
  '/cat.png': { status: 200, type: 'image/png', bytes: 300 },
  '/half.jpg': { status: 200, type: 'image/jpeg; charset=binary', bytes: 600 },
  '/huge.png': { status: 200, type: 'image/png', bytes: LIMIT + 1 },
  '/page.html': { status: 200, type: 'text/html; charset=utf-8', bytes: 20 },
  '/gone.png': { status: 404, type: 'text/plain', bytes: 9 },
};

async function startMediaHost(options: { chunked?: boolean } = {}): Promise<MediaHost> {
  const requests: string[] = [];
  const waiting = new Map<string, () => void>();
  const server: Server = createServer((req: IncomingMessage, res) => {
    requests.push(req.url ?? '/');
    waiting.get(req.url ?? '/')?.();
    if (req.url === '/never') return; // holds the request open: a host that never answers
    const route = ROUTES[req.url ?? ''] ?? { status: 404, bytes: 0 };
    const body = Buffer.alloc(route.bytes, 7);
    // Chunked answers carry no Content-Length: the size limit must then hold while reading.
    res.writeHead(route.status, {
      ...(route.type ? { 'content-type': route.type } : {}),
      ...(options.chunked ? {} : { 'content-length': String(body.length) }),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host: MediaHost = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    received: (path) => (requests.includes(path) ? Promise.resolve() : new Promise((resolve) => waiting.set(path, resolve))),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  emulators.defer(() => host.close());
  return host;
}

async function start(sink: CallbackSink, fetchExternal: boolean): Promise<RunningEmulator> {
  const running = await emulators.start({
    accounts: [
      {
        id: ACCOUNT,
        users: [{ username: USER, password: PASS }],
        applications: [{ id: APP, callbackUrl: sink.url }],
        numbers: [{ number: NUMBER, applicationId: APP }],
      },
    ],
    callbacks: { sendingDelay: '5ms', deliveryDelay: '10ms', retryDelays: ['20ms'], timeout: '1s' },
    media: { maxObjectBytes: LIMIT, fetchExternal, fetchTimeout: '2s' },
  });
  return running;
}

/** Send an MMS with these media URLs and return the status events the app got for it, in fire order. */
async function sendMms(running: RunningEmulator, media: string[]): Promise<string[]> {
  const messages = new MessagesApi(new Configuration({ basePath: running.url, username: USER, password: PASS }));
  const { data } = await messages.createMessage(ACCOUNT, { applicationId: APP, to: [TO], from: NUMBER, text: 'pic', media } as unknown as MessageRequest);
  const id = data.id!;
  // Follow the message's acknowledged events one after another until its final one.
  for (let afterSeq = 0; ; ) {
    const entry = await running.callbacks.waitFor({ messageId: id, outcome: 'delivered', afterSeq }, WAIT);
    afterSeq = entry.seq;
    if (entry.type === 'message-delivered' || entry.type === 'message-failed') break;
  }
  return running.emulator.parts.journal.list({ messageId: id }).map((j) => {
    const event = (j.request.body as Array<{ type: string; errorCode?: number }>)[0]!;
    return event.type + (event.errorCode ? ` ${event.errorCode}` : '');
  });
}

describe('external media fetch: on', () => {
  it('a reachable image within the limit is fetched once and delivered', async () => {
    const host = await startMediaHost();
    const running = await start(await newSink(), true);
    expect(await sendMms(running, [`${host.url}/cat.png`])).toEqual(['message-sending', 'message-delivered']);
    expect(host.requests).toEqual(['/cat.png']);
  });

  it('a 404 fails the message with 4410 after message-sending; the timeline names the URL', async () => {
    const host = await startMediaHost();
    const running = await start(await newSink(), true);
    expect(await sendMms(running, [`${host.url}/gone.png`])).toEqual(['message-sending', 'message-failed 4410']);
    const [stored] = await running.messages.list({ accountId: ACCOUNT });
    expect(JSON.stringify(stored!.timeline)).toContain(`${host.url}/gone.png answered 404`);
  });

  it('an unreachable host fails with 4410', async () => {
    const host = await startMediaHost();
    await host.close();
    const running = await start(await newSink(), true);
    expect(await sendMms(running, [`${host.url}/cat.png`])).toEqual(['message-sending', 'message-failed 4410']);
  });

  it('one file over the media size limit, or two that are together, fail with 4411 (declared or chunked)', async () => {
    for (const chunked of [false, true]) {
      const host = await startMediaHost({ chunked });
      const running = await start(await newSink(), true);
      expect(await sendMms(running, [`${host.url}/huge.png`])).toEqual(['message-sending', 'message-failed 4411']);
      expect(await sendMms(running, [`${host.url}/half.jpg`, `${host.url}/half.jpg`])).toEqual(['message-sending', 'message-failed 4411']);
      expect(await sendMms(running, [`${host.url}/half.jpg`, `${host.url}/cat.png`])).toEqual(['message-sending', 'message-delivered']);
    }
  });

  it('a content type an MMS cannot carry fails with 4412', async () => {
    const host = await startMediaHost();
    const running = await start(await newSink(), true);
    expect(await sendMms(running, [`${host.url}/page.html`])).toEqual(['message-sending', 'message-failed 4412']);
  });

  it('a multichannel MMS whose media fails falls back to the next channel', async () => {
    const host = await startMediaHost();
    const sink = await newSink();
    const running = await start(sink, true);
    const api = new MultiChannelApi(new Configuration({ basePath: running.url, username: USER, password: PASS }));
    const request = {
      to: TO,
      channelList: [
        { from: NUMBER, applicationId: APP, channel: 'MMS', content: { text: 'pic', media: [{ fileUrl: `${host.url}/gone.png` }] } },
        { from: NUMBER, applicationId: APP, channel: 'SMS', content: { text: 'pic: see the site' } },
      ],
    } as unknown as MultiChannelMessageRequest;
    const { data } = await api.createMultiChannelMessage(ACCOUNT, request);
    const id = (data as unknown as { data: { id: string } }).data.id;
    const entry = await running.callbacks.waitFor({ messageId: id, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    expect((entry.request.body as Array<{ message: { channel: string } }>)[0]!.message.channel).toBe('SMS');
    expect(host.requests).toEqual(['/gone.png']);
  });

  it('close() during a fetch aborts it: no callback is sent afterwards and nothing is left pending', async () => {
    const host = await startMediaHost();
    const sink = await newSink();
    const running = await start(sink, true);
    const messages = new MessagesApi(new Configuration({ basePath: running.url, username: USER, password: PASS }));
    await messages.createMessage(ACCOUNT, {
      applicationId: APP,
      to: [TO],
      from: NUMBER,
      text: 'pic',
      media: [`${host.url}/never`],
    } as unknown as MessageRequest);
    await host.received('/never');
    const report = await running.close();
    expect(report.stepsNotFired).toBe(0);
    expect(report.mediaFetchesAborted).toBe(1);
    expect(running.emulator.parts.journal.list({})).toEqual([]);
    expect(sink.requests).toEqual([]);
  });
});

describe('external media fetch: off (the default)', () => {
  it('is off unless asked for; --fetch-external-media and BW_EMULATOR_FETCH_EXTERNAL_MEDIA switch it on', () => {
    expect(resolveConfig().media.fetchExternal).toBe(false);
    expect(resolveConfig({ flags: parseFlags(['--fetch-external-media']).flags }).media.fetchExternal).toBe(true);
    expect(resolveConfig({ env: { BW_EMULATOR_FETCH_EXTERNAL_MEDIA: 'true' } }).media.fetchExternal).toBe(true);
  });

  it('never fetches anything external: every URL, good or bad, is delivered and the host sees no request', async () => {
    const host = await startMediaHost();
    const running = await start(await newSink(), false);
    expect(await sendMms(running, [`${host.url}/cat.png`, `${host.url}/gone.png`, `${host.url}/huge.png`, `${host.url}/page.html`])).toEqual([
      'message-sending',
      'message-delivered',
    ]);
    expect(host.requests).toEqual([]);
  });
});
