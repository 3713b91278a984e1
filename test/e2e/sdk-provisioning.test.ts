import { Configuration, MessagesApi, MultiChannelApi, type MessageRequest, type MultiChannelMessageRequest } from 'bandwidth-sdk';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { connectEmulator } from '../../src/control/client.js';
import type { ConfigFile } from '../../src/config/schema.js';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import type { EventBody } from '../helpers/harness.js';
import { basic } from '../helpers/messages-sdk.js';
import type { CallbackSink } from '../helpers/sink.js';
import { assertCallbackMatchesSpec, assertMatchesSpec } from '../helpers/spec.js';

// Provisioning-driven outcomes through Bandwidth's own Node SDK (bandwidth-sdk) against a listening emulator: each
// answers 202, then the callbacks the README's "Provisioning" table names, every body validated against the spec
// (bandwidth-sdk's bandwidth.yml) here and again by the fixture's teardown; then a registration changed at run time
// (library and HTTP) applies to the next message.
const ACCT = '9903000';
const CAPS_ACCT = '9903001';
const APP = '0a1b2c3d-0000-4000-8000-00000000c001';
const CAPS_APP = '0a1b2c3d-0000-4000-8000-00000000c002';
const USER = { username: 'prov-user', password: 'prov-password' };
const CAPS_USER = { username: 'caps-user', password: 'caps-password' };
const LOCAL = '+19195550500';
const LOCAL_NO_CAMPAIGN = '+19195550501';
const LOCAL_SUSPENDED = '+19195550502';
const LOCAL_EXPIRED = '+19195550503';
const TOLL_FREE = '+18005550500';
const TOLL_FREE_PENDING = '+18885550500';
const TOLL_FREE_DENIED = '+18775550500';
const SHORT_CODE = '+12345';
const CAPS_PENDING = '+18665550500';
const HANDSET = '+15551239000';

function config(callbackUrl: string): ConfigFile {
  return {
    accounts: [
      {
        id: ACCT,
        users: [USER],
        applications: [{ id: APP, callbackUrl }],
        numbers: [
          LOCAL,
          { number: LOCAL_NO_CAMPAIGN, campaign: null },
          { number: LOCAL_SUSPENDED, campaign: { id: 'CJEUMDK', class: 'T', mnoStatus: 'SUSPENDED' } },
          { number: LOCAL_EXPIRED, campaign: { id: 'CEXPIRD', class: 'W', status: 'EXPIRED' } },
          TOLL_FREE,
          { number: TOLL_FREE_PENDING, tollFreeVerification: { status: 'PENDING' } },
          {
            number: TOLL_FREE_DENIED,
            tollFreeVerification: { status: 'UNVERIFIED', denial: { denialStatusCode: 511, declineReasonDescription: 'opt-in not shown' } },
          },
          SHORT_CODE,
        ],
      },
      {
        id: CAPS_ACCT,
        users: [CAPS_USER],
        applications: [{ id: CAPS_APP, callbackUrl }],
        tollFreeUnverified: 'caps2023',
        numbers: [{ number: CAPS_PENDING, tollFreeVerification: { status: 'PENDING' } }],
      },
    ],
    // fetchExternal: external media is fetched, so its size is known too (the tests' own media is never fetched).
    media: { maxObjectBytes: 4 * 1024 * 1024, fetchExternal: true },
    callbacks: { sendingDelay: '5ms', deliveryDelay: '20ms', retryDelays: ['20ms'], timeout: '2s' },
  };
}

describe('provisioning outcomes through bandwidth-sdk', () => {
  const emulators = useEmulators();
  let running: RunningEmulator;
  let sink: CallbackSink;
  let api: MessagesApi;
  let capsApi: MessagesApi;

  beforeAll(async () => {
    sink = await emulators.newSink();
    running = await emulators.start({ config: undefined, ...config(sink.url) });
    api = new MessagesApi(new Configuration({ basePath: running.url, ...USER }));
    capsApi = new MessagesApi(new Configuration({ basePath: running.url, ...CAPS_USER }));
  });

  // Send through the SDK, check the 202 against the spec, and return the status events of that message as the
  // receiver got them (waited for on the journal, never on time), each validated against the spec.
  async function send(from: string, over: Partial<MessageRequest> = {}, client = api, acct = ACCT, app = APP): Promise<EventBody[]> {
    const to = over.to ? [...over.to] : [HANDSET];
    const { status, data } = await client.createMessage(acct, { applicationId: app, from, to: new Set(to), text: 'provisioning', ...over } as MessageRequest);
    expect(status).toBe(202);
    assertMatchesSpec('message', data);
    // Everything of this message was scheduled before the 202: once nothing is pending, its callbacks are all in.
    await running.idle();
    const bodies = (await running.callbacks.list({ messageId: data.id! })).filter((e) => e.outcome === 'delivered').map((e) => e.request.body);
    for (const body of bodies) assertCallbackMatchesSpec(body);
    return bodies.map((b) => (b as EventBody[])[0]!);
  }
  const outcome = (events: EventBody[]) => events.map((e) => e.type + (e.errorCode !== undefined ? ` ${e.errorCode}` : ''));

  it('registered numbers of every type send as before: local on an active campaign, verified toll-free, short code', async () => {
    expect(outcome(await send(LOCAL))).toEqual(['message-delivered']);
    expect(outcome(await send(TOLL_FREE))).toEqual(['message-delivered']);
    expect(outcome(await send(SHORT_CODE))).toEqual(['message-delivered']);
  });

  it('a local number on no 10DLC campaign: 202, then message-failed 4476', async () => {
    const [failed] = await send(LOCAL_NO_CAMPAIGN);
    expect(failed).toMatchObject({ type: 'message-failed', errorCode: 4476, to: HANDSET });
    expect(failed!.message.from).toBe(LOCAL_NO_CAMPAIGN);
  });

  it('a local number on a campaign suspended by an operator, or expired: message-failed 4773', async () => {
    expect(outcome(await send(LOCAL_SUSPENDED))).toEqual(['message-failed 4773']);
    expect(outcome(await send(LOCAL_EXPIRED))).toEqual(['message-failed 4773']);
  });

  it('a toll-free number pending, or denied (UNVERIFIED): message-failed 4795 (unverified traffic is blocked)', async () => {
    expect(outcome(await send(TOLL_FREE_PENDING))).toEqual(['message-failed 4795']);
    expect(outcome(await send(TOLL_FREE_DENIED))).toEqual(['message-failed 4795']);
  });

  it("under the account's caps2023 policy a pending toll-free number sends within its cap", async () => {
    expect(outcome(await send(CAPS_PENDING, {}, capsApi, CAPS_ACCT, CAPS_APP))).toEqual(['message-delivered']);
  });

  it('a message to its own from number: that recipient fails with 4401, the others are delivered', async () => {
    expect(outcome(await send(LOCAL, { to: new Set([LOCAL]) }))).toEqual(['message-failed 4401']);
    const group = await send(LOCAL, { to: new Set([LOCAL, HANDSET]) });
    expect(group.find((e) => e.to === LOCAL)).toMatchObject({ type: 'message-failed', errorCode: 4401 });
    expect(group.filter((e) => e.to === HANDSET).map((e) => e.type)).toEqual(['message-sending', 'message-delivered']);
  });

  it('multichannel: an SMS channel from a number on no campaign fails with 4476 and falls back to the next channel', async () => {
    const multi = new MultiChannelApi(new Configuration({ basePath: running.url, ...USER }));
    const request = {
      to: HANDSET,
      channelList: [
        { from: LOCAL_NO_CAMPAIGN, applicationId: APP, channel: 'SMS', content: { text: 'first' } },
        { from: LOCAL, applicationId: APP, channel: 'SMS', content: { text: 'second' } },
      ],
    } as unknown as MultiChannelMessageRequest;
    const res = await multi.createMultiChannelMessage(ACCT, request);
    expect(res.status).toBe(202);
    assertMatchesSpec('createMultiChannelMessageResponse', res.data);
    await running.idle();
    const id = res.data.data!.id!;
    const entries = (await running.callbacks.list({ messageId: id })).filter((e) => e.outcome === 'delivered');
    for (const entry of entries) assertCallbackMatchesSpec(entry.request.body);
    expect(entries.map((e) => (e.request.body as EventBody[])[0]!.type)).toEqual(['message-delivered']);
    expect((entries[0]!.request.body as EventBody[])[0]!.message.from).toBe(LOCAL);
    const stored = await running.messages.get(id);
    expect(stored!.timeline.find((t) => t.what === 'fallback')?.detail).toMatchObject({ errorCode: 4476 });
  });

  describe('MMS over the size limit of its route (media on the emulator, so its size is known)', () => {
    async function upload(name: string, bytes: number): Promise<string> {
      const url = `${running.url}/api/v2/users/${ACCT}/media/${name}`;
      const res = await fetch(url, {
        method: 'PUT',
        headers: { authorization: basic(USER.username, USER.password), 'content-type': 'image/jpeg' },
        body: Buffer.alloc(bytes, 1),
      });
      expect(res.status).toBe(204);
      return url;
    }

    it('toll-free: over 525 KB in total → message-sending, then message-failed 4411; the same media from a local number is delivered', async () => {
      const a = await upload('tf-a.jpg', 300 * 1024);
      const b = await upload('tf-b.jpg', 300 * 1024);
      expect(outcome(await send(TOLL_FREE, { media: [a, b] }))).toEqual(['message-sending', 'message-failed 4411']);
      expect(outcome(await send(TOLL_FREE, { media: [a] }))).toEqual(['message-sending', 'message-delivered']);
      expect(outcome(await send(LOCAL, { media: [a, b] }))).toEqual(['message-sending', 'message-delivered']);
    });

    it('external media (fetched with media.fetchExternal): over 525 KB in total from a toll-free number → 4411; from a local number delivered', async () => {
      const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.alloc(300 * 1024, 2)));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      emulators.defer(() => new Promise((resolve) => server.close(resolve)));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const media = [`${base}/a.jpg`, `${base}/b.jpg`];
      expect(outcome(await send(TOLL_FREE, { media }))).toEqual(['message-sending', 'message-failed 4411']);
      expect(outcome(await send(TOLL_FREE, { media: [media[0]!] }))).toEqual(['message-sending', 'message-delivered']);
      expect(outcome(await send(LOCAL, { media }))).toEqual(['message-sending', 'message-delivered']);
    });

    it('local: one file over 3.5 MB → message-failed 4411', async () => {
      const big = await upload('big.jpg', 3.5 * 1024 * 1024 + 1);
      expect(outcome(await send(LOCAL, { media: [big] }))).toEqual(['message-sending', 'message-failed 4411']);
    });
  });

  describe.each([
    ['library', () => running],
    ['http', () => connectEmulator(running.url)],
  ] as const)('a registration changed at run time (%s) applies to the next message', (_how, control) => {
    it('verify a pending toll-free number, suspend a campaign, take a campaign away, remove a number', async () => {
      const ops = control();
      expect(outcome(await send(TOLL_FREE_PENDING))).toEqual(['message-failed 4795']);
      const verified = await ops.numbers.set(ACCT, TOLL_FREE_PENDING, { tollFreeVerification: { status: 'VERIFIED' } });
      expect(verified).toMatchObject({ number: TOLL_FREE_PENDING, type: 'tollFree', tollFreeVerification: { status: 'VERIFIED' }, created: false });
      expect(outcome(await send(TOLL_FREE_PENDING))).toEqual(['message-delivered']);

      await ops.numbers.set(ACCT, LOCAL, { campaign: { id: 'CJEUMDK', class: 'T', mnoStatus: 'SUSPENDED' } });
      expect(outcome(await send(LOCAL))).toEqual(['message-failed 4773']);
      await ops.numbers.set(ACCT, LOCAL, { campaign: null });
      expect(outcome(await send(LOCAL))).toEqual(['message-failed 4476']);

      const added = await ops.numbers.set(ACCT, '+19195550599', {});
      expect(added).toMatchObject({ type: 'local', created: true, applicationId: APP });
      expect(outcome(await send('+19195550599'))).toEqual(['message-delivered']);
      expect(await ops.numbers.remove(ACCT, '+19195550599')).toBe(true);
      expect(await ops.numbers.remove(ACCT, '+19195550599')).toBe(false);
      expect(outcome(await send('+19195550599'))).toEqual(['message-failed 4403']);

      // A reset brings the configured registrations back.
      await ops.reset(ACCT);
      expect((await ops.numbers.list(ACCT))!.find((n) => n.number === TOLL_FREE_PENDING)!.tollFreeVerification).toEqual({ status: 'PENDING' });
      expect(outcome(await send(LOCAL))).toEqual(['message-delivered']);
    });

    it('refuses a bad registration with every problem named, and an unknown account with 404 (undefined)', async () => {
      const ops = control();
      const error = await ops.numbers.set(ACCT, TOLL_FREE, { campaign: { id: 'CJEUMDK', class: 'T' }, location: 'x'.repeat(65) }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/not valid|location/);
      const wrongType = await ops.numbers.set(ACCT, TOLL_FREE, { campaign: { id: 'CJEUMDK', class: 'T' } }).catch((e: { problems?: unknown[] }) => e);
      expect(JSON.stringify((wrongType as { problems?: unknown[] }).problems)).toContain('a tollFree number is on no 10DLC campaign');
      const unknownField = await ops.numbers.set(ACCT, TOLL_FREE, { verified: true }).catch((e: Error) => e);
      expect(unknownField).toBeInstanceOf(Error);
      const notANumber = await ops.numbers.set(ACCT, 'not a number!', {}).catch((e: Error) => e);
      expect(notANumber).toBeInstanceOf(Error);
      const owned = await ops.numbers.set(CAPS_ACCT, TOLL_FREE, {}).catch((e: { problems?: unknown[] }) => e);
      expect(JSON.stringify((owned as { problems?: unknown[] }).problems)).toContain(`is a number of account ${ACCT}`);
      expect(await ops.numbers.set('no-such-account', TOLL_FREE, {})).toBeUndefined();
      expect(await ops.numbers.list('no-such-account')).toBeUndefined();
      // Nothing was changed by the refusals.
      expect((await ops.numbers.list(ACCT))!.find((n) => n.number === TOLL_FREE)).toEqual({
        number: TOLL_FREE,
        applicationId: APP,
        type: 'tollFree',
        location: 'default-location',
        tollFreeVerification: { status: 'VERIFIED' },
      });
    });
  });
});
