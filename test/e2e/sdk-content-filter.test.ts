import { Configuration, MessagesApi, MultiChannelApi, type MessageRequest, type MultiChannelMessageRequest } from 'bandwidth-sdk';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigFile } from '../../src/config/schema.js';
import { FAST_TRAFFIC } from '../../src/config/traffic.js';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import type { EventBody } from '../helpers/harness.js';
import type { CallbackSink } from '../helpers/sink.js';
import { assertCallbackMatchesSpec, assertMatchesSpec } from '../helpers/spec.js';

// Bandwidth's content filters (README "Content filtering") through Bandwidth's own Node SDK against a listening
// emulator: a link on a public URL shortener fails with 4771, the same content at volume with 4785, each as 202 and
// then message-failed; other traffic is unaffected; off unless switched on, in every profile.
const ACCT = '9906000';
const OTHER_ACCT = '9906001';
const USER = { username: 'filter-user', password: 'filter-password' };
const OTHER_USER = { username: 'filter-other', password: 'filter-other-password' };
const APP = 'd0000000-0000-4000-8000-0000000006d1';
const OTHER_APP = 'e0000000-0000-4000-8000-0000000006e1';
const FROM = '+19195550800';
const OTHER_FROM = '+19195550810';
// Ten handsets: a group message to all of them counts ten toward the volume filter.
// The default limit: more than 100 of the same content within a minute.
const CONTENT_VOLUME = FAST_TRAFFIC.contentVolume;
const HANDSETS = Array.from({ length: 10 }, (_, i) => `+1555123930${i}`);

function config(callbackUrl: string, traffic: ConfigFile['traffic'], timeScale = 1): ConfigFile {
  return {
    accounts: [
      { id: ACCT, users: [USER], applications: [{ id: APP, callbackUrl }], numbers: [FROM] },
      { id: OTHER_ACCT, users: [OTHER_USER], applications: [{ id: OTHER_APP, callbackUrl }], numbers: [OTHER_FROM] },
    ],
    callbacks: { sendingDelay: '5ms', deliveryDelay: '20ms', retryDelays: ['20ms'], timeout: '2s' },
    timeScale,
    ...(traffic ? { traffic } : {}),
  };
}

/** Send through the SDK (202 checked against the spec), wait until nothing is pending, and return its outcome per recipient. */
async function send(running: RunningEmulator, api: MessagesApi, text: string, to = [HANDSETS[0]!], acct = ACCT, app = APP, from = FROM): Promise<string[]> {
  const { status, data } = await api.createMessage(acct, { applicationId: app, from, to: new Set(to), text } as MessageRequest);
  expect(status).toBe(202);
  assertMatchesSpec('message', data);
  await running.idle();
  const events = (await running.callbacks.list({ messageId: data.id! })).filter((e) => e.outcome === 'delivered').map((e) => e.request.body);
  for (const body of events) assertCallbackMatchesSpec(body);
  return events
    .map((b) => (b as EventBody[])[0]!)
    .filter((e) => e.type !== 'message-sending')
    .map((e) => e.type + (e.errorCode !== undefined ? ` ${e.errorCode}` : ''));
}

describe('content filtering through bandwidth-sdk (traffic contentFilter on)', () => {
  const emulators = useEmulators();
  let sink: CallbackSink;
  let running: RunningEmulator;
  let api: MessagesApi;
  let otherApi: MessagesApi;

  beforeAll(async () => {
    sink = await emulators.newSink();
    running = await emulators.start({ config: undefined, ...config(sink.url, { contentFilter: true }) });
    api = new MessagesApi(new Configuration({ basePath: running.url, ...USER }));
    otherApi = new MessagesApi(new Configuration({ basePath: running.url, ...OTHER_USER }));
  });
  beforeEach(async () => {
    await running.reset();
    await running.time.setTimeScale(1);
  });

  it.each([
    ['https://bit.ly/3xYz', 'bit.ly'],
    ['Your code: bit.ly/abc', 'bit.ly'],
    ['see HTTP://WWW.TinyURL.com/y2k then', 'tinyurl.com'],
    ['https://t.co.', 't.co'],
    ['go to rb.gy/q?x=1', 'rb.gy'],
  ])('a link on a public shortener → message-failed 4771 rejected-shortened-url: %s', async (text, domain) => {
    expect(await send(running, api, text)).toEqual(['message-failed 4771']);
    const stored = (await running.messages.list({ accountId: ACCT })).at(-1)!;
    expect(stored.timeline.find((t) => t.what === 'planned')?.detail).toMatchObject({ explanation: expect.stringContaining(domain) });
  });

  it.each([
    'Meet at https://example.com/bit.ly today',
    'I use t.co and bit.ly for links',
    'habit.ly/x is not a shortener',
    'write to me@bit.ly/help',
    'https://bit.lyrics.example.com/song',
    'plain text, no link at all',
  ])('normal traffic is unaffected: %s', async (text) => {
    expect(await send(running, api, text)).toEqual(['message-delivered']);
  });

  it(`more than ${CONTENT_VOLUME.messages} identical messages from one account within a minute → message-failed 4785 volumetric-violation`, async () => {
    const text = 'Flash sale today only';
    // Ten group messages of ten recipients: a hundred, counted per recipient, all within the limit.
    for (let i = 0; i < CONTENT_VOLUME.messages / HANDSETS.length; i++) {
      expect(await send(running, api, text, HANDSETS)).toEqual(Array(HANDSETS.length).fill('message-delivered'));
    }
    expect(await send(running, api, text)).toEqual(['message-failed 4785']);
    // Other content from the same account, and the same content from another account, still go.
    expect(await send(running, api, 'Flash sale today only!')).toEqual(['message-delivered']);
    expect(await send(running, otherApi, text, [HANDSETS[0]!], OTHER_ACCT, OTHER_APP, OTHER_FROM)).toEqual(['message-delivered']);
    // The window is a minute of emulated time: at a time scale of 0.001 a minute passes in 60 ms on the emulator's
    // clock, and then the same text goes again.
    await running.time.setTimeScale(0.001);
    await running.emulator.time.sleep(CONTENT_VOLUME.windowMs + 5);
    expect(await send(running, api, text)).toEqual(['message-delivered']);
  });

  it('multichannel: an SMS channel with a shortened link fails with 4771 and falls back to the next channel', async () => {
    const multi = new MultiChannelApi(new Configuration({ basePath: running.url, ...USER }));
    const request = {
      to: HANDSETS[0],
      channelList: [
        { from: FROM, applicationId: APP, channel: 'SMS', content: { text: 'https://bit.ly/abc' } },
        { from: FROM, applicationId: APP, channel: 'SMS', content: { text: 'https://example.com/abc' } },
      ],
    } as unknown as MultiChannelMessageRequest;
    const res = await multi.createMultiChannelMessage(ACCT, request);
    expect(res.status).toBe(202);
    await running.idle();
    const stored = await running.messages.get(res.data.data!.id!);
    expect(stored!.timeline.find((t) => t.what === 'fallback')?.detail).toMatchObject({ errorCode: 4771 });
    expect(stored!.text).toBe('https://example.com/abc');
    expect(stored!.recipients[0]).toMatchObject({ status: 'DELIVERED' });
  });

  it('the volume limit set at run time (traffic contentVolume) applies to the next message; past its bounds a 400', async () => {
    await running.traffic.set({ contentVolume: { messages: 2, window: '10m' } }, ACCT);
    expect(await send(running, api, 'twice is the limit', HANDSETS.slice(0, 2))).toEqual(['message-delivered', 'message-delivered']);
    expect(await send(running, api, 'twice is the limit')).toEqual(['message-failed 4785']);
    const put = (body: unknown) =>
      fetch(`${running.url}/__emulator/accounts/${ACCT}/traffic`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const body of [
      { contentVolume: { window: '25h' } },
      { contentVolume: { messages: 0 } },
      { contentVolume: { messages: 1_000_001 } },
      { contentVolume: { every: 1 } },
    ]) {
      const answer = await put(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
    }
    expect((await running.traffic.get(ACCT))?.settings.contentVolume).toEqual({ messages: 2, windowMs: 600_000 });
  });

  it('a reset forgets the counts', async () => {
    const text = 'counted, then reset';
    for (let i = 0; i < CONTENT_VOLUME.messages / HANDSETS.length; i++) await send(running, api, text, HANDSETS);
    expect(await send(running, api, text)).toEqual(['message-failed 4785']);
    await running.reset(ACCT);
    expect(await send(running, api, text)).toEqual(['message-delivered']);
  });
});

describe('content filtering is off unless switched on', () => {
  const emulators = useEmulators();

  it.each([
    ['the fast profile (the default)', undefined],
    ['the production profile', { profile: 'production' as const, throughput: false }],
  ])('%s: a bit.ly link and the same text at volume are delivered', async (_name, traffic) => {
    const sink = await emulators.newSink();
    const running = await emulators.start({ config: undefined, ...config(sink.url, traffic) });
    const api = new MessagesApi(new Configuration({ basePath: running.url, ...USER }));
    expect((await running.traffic.get(ACCT))?.settings.contentFilter).toBe(false);
    expect(await send(running, api, 'https://bit.ly/3xYz')).toEqual(['message-delivered']);
    for (let i = 0; i <= CONTENT_VOLUME.messages / HANDSETS.length; i++) {
      expect(await send(running, api, 'same again', HANDSETS)).toEqual(Array(HANDSETS.length).fill('message-delivered'));
    }
  });
});
