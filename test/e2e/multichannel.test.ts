// Multichannel (beta) end to end: the official bandwidth-sdk's MultiChannelApi (only basePath changed) against a real
// emulator on 127.0.0.1:0, a real callback receiver, and Bandwidth's spec for every 202, error and callback body.
import { describe, expect, it } from 'vitest';
import { Configuration, MultiChannelApi, type MultiChannelMessageRequest } from 'bandwidth-sdk';
import type { ConfigFile } from '../../src/config/schema.js';
import { connectEmulator } from '../../src/control/client.js';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import { journaled } from '../helpers/harness.js';
import type { CallbackSink } from '../helpers/sink.js';
import { assertCallbackMatchesSpec, assertMatchesSpec } from '../helpers/spec.js';

const emulators = useEmulators();
const { newSink } = emulators;

const ACCOUNT = '9904000';
const USER = 'mc-user';
const PASS = 'mc-password';
const VIEWER = 'mc-viewer';
const VIEWER_PASS = 'mc-viewer-password';
const APP = '0a1b2c3d-0000-4000-8000-00000000c001';
const NUMBER = '+19195550500';
const HANDSET = '+19195558001';
const RBM_SENDER = 'BandwidthRBM';
const WAIT = { timeoutMs: 5000 };

interface Event {
  type: string;
  to: string;
  eventTime?: string;
  errorCode?: number;
  message: {
    id: string;
    channel?: string;
    from: string;
    owner: string;
    direction: string;
    suggestionResponse?: unknown;
    locationResponse?: unknown;
    text: string;
  };
}

async function start(sink?: CallbackSink, extra: ConfigFile = {}): Promise<RunningEmulator> {
  const running = await emulators.start({
    accounts: [
      {
        id: ACCOUNT,
        users: [
          { username: USER, password: PASS },
          { username: VIEWER, password: VIEWER_PASS, messaging: false },
        ],
        oauthClients: [{ clientId: 'mc-client', clientSecret: 'mc-client-secret' }],
        applications: [{ id: APP, ...(sink ? { callbackUrl: sink.url } : {}) }],
        numbers: [{ number: NUMBER, applicationId: APP }],
      },
    ],
    callbacks: { sendingDelay: '5ms', deliveryDelay: '10ms', retryDelays: ['20ms'], timeout: '1s' },
    ...extra,
  });
  return running;
}

const api = (url: string, username = USER, password = PASS) => new MultiChannelApi(new Configuration({ basePath: url, username, password }));

/** The HTTP response of an SDK call that must fail (axios rejects on non-2xx). */
async function failure(call: Promise<unknown>): Promise<{ status: number; data: unknown }> {
  try {
    await call;
  } catch (error) {
    const response = (error as { response?: { status: number; data: unknown } }).response;
    if (!response) throw error;
    return response;
  }
  throw new Error('expected the call to fail');
}

const rbmThenSms = (to = HANDSET): MultiChannelMessageRequest =>
  ({
    to,
    channelList: [
      {
        from: RBM_SENDER,
        applicationId: APP,
        channel: 'RBM',
        content: { text: 'Your order shipped', suggestions: [{ type: 'REPLY', text: 'Track it', postbackData: 'dHJhY2s=' }] },
      },
      { from: NUMBER, applicationId: APP, channel: 'SMS', content: { text: 'Your order shipped' } },
    ],
    tag: 'order-42',
  }) as unknown as MultiChannelMessageRequest;

const eventsAt = (sink: CallbackSink) => sink.requests.flatMap((r) => r.body as Event[]);

describe('POST /users/{accountId}/messages/multiChannel through MultiChannelApi', () => {
  it('answers 202 with the spec shape: links, data (id, time, direction, to[], each channel + owner, tag, priority), errors', async () => {
    const running = await start();
    const res = await api(running.url).createMultiChannelMessage(ACCOUNT, rbmThenSms());
    expect(res.status).toBe(202);
    assertMatchesSpec('createMultiChannelMessageResponse', res.data);
    const body = res.data as unknown as { links: unknown[]; errors: unknown[]; data: Record<string, unknown> };
    expect(body.links).toEqual([]);
    expect(body.errors).toEqual([]);
    expect(body.data).toMatchObject({ direction: 'out', to: [HANDSET], tag: 'order-42', priority: 'default' });
    expect(body.data.id).toMatch(/^[0-9a-z]{29}$/);
    expect(body.data.channelList).toEqual(rbmThenSms().channelList.map((c) => ({ ...c, owner: c.from })));

    // Stored once, visible through the control API and the search API with its channel.
    const stored = await running.messages.get(String(body.data.id));
    expect(stored).toMatchObject({ channel: 'RBM', from: RBM_SENDER, to: [HANDSET], tag: 'order-42' });
    expect(stored?.channelList).toHaveLength(2);
  });

  it('is served under /api/v2 too, and with a Bearer token', async () => {
    const running = await start();
    const token = await fetch(`${running.url}/api/v1/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('mc-client:mc-client-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(200);
    const { access_token: accessToken } = (await token.json()) as { access_token: string };
    const bearer = new MultiChannelApi(new Configuration({ basePath: `${running.url}/api/v2`, accessToken }));
    const res = await bearer.createMultiChannelMessage(ACCOUNT, rbmThenSms());
    expect(res.status).toBe(202);
    assertMatchesSpec('createMultiChannelMessageResponse', res.data);
    const wrong = await failure(
      new MultiChannelApi(new Configuration({ basePath: running.url, accessToken: 'not-a-token' })).createMultiChannelMessage(ACCOUNT, rbmThenSms()),
    );
    expect(wrong.status).toBe(401);
    assertMatchesSpec('multiChannelError', wrong.data);
  });

  it('answers validation problems in the multichannel envelope, one error per field, with source.field', async () => {
    const running = await start();
    const bad = {
      to: '+1invalid',
      channelList: [
        { from: 'not a number!', applicationId: APP, channel: 'SMS', content: { text: 'x'.repeat(2049) } },
        {
          from: RBM_SENDER,
          applicationId: APP,
          channel: 'RBM',
          content: { text: 'hi', suggestions: [{ type: 'DIAL_PHONE', text: 'Call us', postbackData: 'Y2FsbA==' }] },
        },
        { from: RBM_SENDER, applicationId: APP, channel: 'FAX', content: {} },
      ],
      expiration: '2001-01-01T00:00:00Z',
    } as unknown as MultiChannelMessageRequest;
    const res = await failure(api(running.url).createMultiChannelMessage(ACCOUNT, bad));
    expect(res.status).toBe(400);
    assertMatchesSpec('multiChannelError', res.data);
    const body = res.data as { links: unknown[]; data: null; errors: Array<{ type: string; description: string; source: { field?: string } }> };
    expect(body.links).toEqual([]);
    expect(body.data).toBeNull();
    expect(body.errors.every((e) => e.type === 'request-validation')).toBe(true);
    expect(body.errors.map((e) => e.source.field).sort()).toEqual(
      [
        'channelList[0].content.text',
        'channelList[0].from',
        'channelList[1].content.suggestions[0].phoneNumber',
        'channelList[2].channel',
        'expiration',
        'to',
      ].sort(),
    );
    expect(body.errors.find((e) => e.source.field === 'channelList[2].channel')?.description).toContain('RBM, SMS, MMS');
    expect(await running.messages.list({ accountId: ACCOUNT })).toEqual([]);
  });

  it('answers a missing channelList, a bad RBM content shape and a carousel of one card field by field', async () => {
    const running = await start();
    const res = await failure(api(running.url).createMultiChannelMessage(ACCOUNT, { to: HANDSET } as unknown as MultiChannelMessageRequest));
    expect(res.status).toBe(400);
    expect((res.data as { errors: Array<{ source: unknown }> }).errors.map((e) => e.source)).toEqual([{ field: 'channelList' }]);
    const shapes = {
      to: HANDSET,
      channelList: [
        { from: RBM_SENDER, applicationId: APP, channel: 'RBM', content: { foo: 1 } },
        { from: RBM_SENDER, applicationId: APP, channel: 'RBM', content: { cardWidth: 'SMALL', cardContents: [{ title: 'one' }] } },
      ],
    } as unknown as MultiChannelMessageRequest;
    const res2 = await failure(api(running.url).createMultiChannelMessage(ACCOUNT, shapes));
    assertMatchesSpec('multiChannelError', res2.data);
    expect((res2.data as { errors: Array<{ source: { field: string } }> }).errors.map((e) => e.source.field)).toEqual([
      'channelList[0].content',
      'channelList[1].content.cardContents',
    ]);
  });

  it('answers 401, 403, 415, 405 and 404 in the envelope too (the plain messages API keeps its own shape)', async () => {
    const running = await start();
    const url = `${running.url}/users/${ACCOUNT}/messages/multiChannel`;
    const auth = `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`;
    const unauthorized = await failure(api(running.url, USER, 'wrong').createMultiChannelMessage(ACCOUNT, rbmThenSms()));
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.data).toEqual({ links: [], data: null, errors: [{ type: 'unauthorized', description: 'Authentication Failed', source: {} }] });
    const forbidden = await failure(api(running.url, VIEWER, VIEWER_PASS).createMultiChannelMessage(ACCOUNT, rbmThenSms()));
    expect(forbidden.status).toBe(403);
    expect(forbidden.data).toEqual({ links: [], data: null, errors: [{ type: 'forbidden', description: 'Access Denied', source: {} }] });

    const xml = await fetch(url, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/xml;charset=UTF-8' }, body: '<x/>' });
    expect(xml.status).toBe(415);
    const xmlBody = await xml.json();
    assertMatchesSpec('multiChannelError', xmlBody);
    expect(xmlBody).toEqual({
      links: [],
      data: null,
      errors: [
        {
          type: 'unsupported-content-type',
          description: "Content-Type 'application/xml;charset=UTF-8' is not supported. Please use 'application/json'",
          source: { header: 'Content-Type' },
        },
      ],
    });

    const notObject = await fetch(url, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: '[]' });
    expect(notObject.status).toBe(400);
    expect(await notObject.json()).toEqual({
      links: [],
      data: null,
      errors: [{ type: 'request-validation', description: 'The request body must be a JSON object', source: {} }],
    });

    const put = await fetch(url, { method: 'PUT', headers: { authorization: auth } });
    expect(put.status).toBe(405);
    expect(await put.json()).toEqual({
      links: [],
      data: null,
      errors: [{ type: 'method-not-allowed', description: "Method 'PUT' not supported for this resource.", source: {} }],
    });
    const below = await fetch(`${url}/extra`, { method: 'GET', headers: { authorization: auth } });
    expect(below.status).toBe(404);
    expect(await below.json()).toEqual({ links: [], data: null, errors: [{ type: 'forbidden', description: 'Resource not found.', source: {} }] });

    const plain = await fetch(`${running.url}/users/${ACCOUNT}/messages`, { method: 'POST', headers: { authorization: 'Basic eDp5' }, body: '{}' });
    expect(await plain.json()).toEqual({ type: 'unauthorized', description: 'Authentication Failed' });
  });
});

describe('multichannel scenarios', () => {
  it('an apiFault rule matching the first channel answers 429 in the envelope, with Retry-After', async () => {
    const running = await start();
    await running.scenarios.use({ version: 1, name: 'busy', rules: [{ match: { channel: 'RBM' }, apiFault: { status: 429, retryAfter: 3, times: 1 } }] });
    const res = await fetch(`${running.url}/users/${ACCOUNT}/messages/multiChannel`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify(rbmThenSms()),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    const body = await res.json();
    assertMatchesSpec('multiChannelError', body);
    expect(body).toEqual({
      links: [],
      data: null,
      errors: [{ type: 'rate-limit-exceeded', description: 'You have exceeded your rate limit for this endpoint. Please retry later.', source: {} }],
    });
    expect((await api(running.url).createMultiChannelMessage(ACCOUNT, rbmThenSms())).status).toBe(202);
  });

  it('each channel is planned once: a times-limited rule for the first channel counts one hit per message', async () => {
    const running = await start();
    await running.scenarios.use({
      version: 1,
      name: 'quiet-rbm',
      rules: [{ match: { channel: 'RBM' }, times: 2, events: [{ type: 'message-sending' }, { type: 'message-delivered' }] }],
    });
    const res = await api(running.url).createMultiChannelMessage(ACCOUNT, rbmThenSms());
    await running.callbacks.waitFor({ messageId: (res.data as unknown as { data: { id: string } }).data.id, type: 'message-delivered' }, WAIT);
    const { scenarios } = await running.scenarios.list();
    expect(scenarios.find((sc) => sc.name === 'quiet-rbm')?.rules[0]?.hits).toBe(1);
  });

  it("a scenario's manual inbound entry sends an RBM suggestion-response to one of our numbers", async () => {
    const sink = await newSink();
    const running = await start(sink);
    await running.scenarios.use({
      version: 1,
      name: 'tap',
      inbound: [{ name: 'yes', trigger: 'manual', from: HANDSET, to: [NUMBER], suggestionResponse: { text: 'Yes', postbackData: 'eWVz' } }],
    });
    expect(await running.scenarios.trigger('tap', 'yes')).toEqual({ scheduled: 1 });
    const entry = await running.callbacks.waitFor({ type: 'suggestion-response', outcome: 'delivered' }, WAIT);
    const event = (entry.request.body as Event[])[0]!;
    assertCallbackMatchesSpec([event]);
    expect(event).toMatchObject({
      to: NUMBER,
      message: { channel: 'RBM', owner: NUMBER, from: HANDSET, suggestionResponse: { text: 'Yes', postbackData: 'eWVz', pairedMessageId: null } },
    });
  });
});

describe('multichannel callbacks', () => {
  it('RBM: message-sending, message-delivered (with channel), then message-read with eventTime; search says rcs', async () => {
    const sink = await newSink();
    const running = await start(sink);
    const { data } = await api(running.url).createMultiChannelMessage(ACCOUNT, rbmThenSms());
    const id = (data as unknown as { data: { id: string } }).data.id;
    await running.callbacks.waitFor({ messageId: id, type: 'message-read', outcome: 'delivered' }, WAIT);
    const seen = eventsAt(sink).filter((e) => e.message.id === id);
    expect(seen.map((e) => e.type).sort()).toEqual(['message-delivered', 'message-read', 'message-sending']);
    for (const e of seen) {
      assertCallbackMatchesSpec([e]);
      expect(e).toMatchObject({ to: HANDSET, message: { channel: 'RBM', from: RBM_SENDER, owner: RBM_SENDER, direction: 'out', text: '' } });
    }
    const read = seen.find((e) => e.type === 'message-read')!;
    expect(Date.parse(read.eventTime!)).not.toBeNaN();
    const order = running.emulator.parts.journal.list({ messageId: id }).map((j) => j.type);
    expect(order).toEqual(['message-sending', 'message-delivered', 'message-read']);

    const search = await fetch(`${running.url}/users/${ACCOUNT}/messages?messageId=${id}`, {
      headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}` },
    });
    const rows = (await search.json()) as { messages: Array<{ messageType: string; messageStatus: string }> };
    expect(rows.messages).toEqual([expect.objectContaining({ messageType: 'rcs', messageStatus: 'DELIVERED' })]);
  });

  it('falls back from RBM to SMS when a scenario fails the RBM channel; callbacks carry channel SMS; the timeline says why', async () => {
    const sink = await newSink();
    const running = await start(sink);
    await running.scenarios.use({
      version: 1,
      name: 'no-rcs',
      rules: [{ name: 'handset has no RCS', match: { channel: 'RBM' }, events: [{ type: 'message-failed', errorCode: 4720 }] }],
    });
    const { data } = await api(running.url).createMultiChannelMessage(ACCOUNT, rbmThenSms());
    const id = (data as unknown as { data: { id: string } }).data.id;
    await running.callbacks.waitFor({ messageId: id, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    const seen = eventsAt(sink).filter((e) => e.message.id === id);
    // SMS: delivered only, from the SMS channel's number; nothing about the failed RBM attempt reaches the app.
    expect(seen.map((e) => e.type)).toEqual(['message-delivered']);
    expect(seen[0]!.message).toMatchObject({ channel: 'SMS', from: NUMBER, owner: NUMBER });
    const stored = await running.messages.get(id);
    expect(stored).toMatchObject({ channel: 'SMS', from: NUMBER, recipients: [expect.objectContaining({ status: 'DELIVERED' })] });
    const fallback = stored!.timeline.find((t) => t.what === 'fallback');
    expect(fallback?.detail).toMatchObject({ from: 'RBM', to: 'SMS', errorCode: 4720 });
    expect(JSON.stringify(stored!.timeline.find((t) => t.what === 'planned')?.detail)).toContain('RBM failed with 4720');
    // The fallback happened before the delivery, in the message's own story.
    const whats = stored!.timeline.map((t) => t.what);
    expect(whats.indexOf('fallback')).toBeLessThan(whats.indexOf('message-delivered'));
  });

  it("fails with the last channel's failure when every channel fails", async () => {
    const sink = await newSink();
    const running = await start(sink);
    const { data } = await api(running.url).createMultiChannelMessage(ACCOUNT, rbmThenSms('+15551004720'));
    const id = (data as unknown as { data: { id: string } }).data.id;
    await running.callbacks.waitFor({ messageId: id, type: 'message-failed', outcome: 'delivered' }, WAIT);
    const seen = eventsAt(sink).filter((e) => e.message.id === id);
    expect(seen.map((e) => `${e.type} ${e.message.channel}`)).toEqual(['message-failed SMS']);
    expect(seen[0]!.errorCode).toBe(4720);
  });

  it("RBM responses: a scripted suggestion-response and a control-API requested-location-response, spec-valid, routed to the sender's application", async () => {
    const sink = await newSink();
    const running = await start(sink);
    await running.scenarios.use({
      version: 1,
      name: 'taps',
      rules: [
        {
          match: { channel: 'RBM' },
          events: [{ type: 'message-sending' }, { type: 'message-delivered' }, { type: 'message-read' }],
          reply: { after: '5ms', suggestionResponse: { text: 'Track it', postbackData: 'dHJhY2s=' } },
        },
      ],
    });
    const { data } = await api(running.url).createMultiChannelMessage(ACCOUNT, rbmThenSms());
    const id = (data as unknown as { data: { id: string } }).data.id;
    const entry = await running.callbacks.waitFor({ type: 'suggestion-response', outcome: 'delivered' }, WAIT);
    const suggestion = (entry.request.body as Event[])[0]!;
    assertCallbackMatchesSpec([suggestion]);
    expect(suggestion).toMatchObject({
      type: 'suggestion-response',
      to: RBM_SENDER,
      message: {
        direction: 'in',
        channel: 'RBM',
        from: HANDSET,
        owner: RBM_SENDER,
        suggestionResponse: { text: 'Track it', postbackData: 'dHJhY2s=', pairedMessageId: id },
      },
    });

    // Over HTTP, the same operation: a location shared in answer to the same message.
    const remote = connectEmulator(running.url);
    // A location has no paired message id: to a sender id it cannot be routed, so it is refused with the reason ...
    await expect(
      remote.inbound({ from: HANDSET, to: [RBM_SENDER], locationResponse: { latitude: '37.7749', longitude: '-122.4194' }, accountId: ACCOUNT }),
    ).rejects.toThrow(/none of BandwidthRBM/);
    // ... and to one of our numbers it is routed like any inbound message.
    const [located] = await remote.inbound({ from: HANDSET, to: [NUMBER], locationResponse: { latitude: '37.7749', longitude: '-122.4194' } });
    expect(located).toMatchObject({ channel: 'RBM', locationResponse: { latitude: '37.7749', longitude: '-122.4194' } });
    const loc = await running.callbacks.waitFor({ type: 'requested-location-response', outcome: 'delivered' }, WAIT);
    const event = (loc.request.body as Event[])[0]!;
    assertCallbackMatchesSpec([event]);
    expect(event).toMatchObject({
      type: 'requested-location-response',
      to: NUMBER,
      message: { channel: 'RBM', locationResponse: { latitude: '37.7749', longitude: '-122.4194' } },
    });

    // In process, a suggestion-response naming the paired message reaches the sender id.
    const [tapped] = await running.inbound({
      from: HANDSET,
      to: [RBM_SENDER],
      suggestionResponse: { text: 'Track it', postbackData: 'dHJhY2s=', pairedMessageId: id },
    });
    expect(tapped).toMatchObject({ owner: RBM_SENDER, applicationId: APP });
    await journaled(running, { type: 'suggestion-response', outcome: 'delivered' }, 2);
  });
});
