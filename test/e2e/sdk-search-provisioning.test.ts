import { Configuration, MessagesApi, type ListMessageItem, type MessageRequest, type ProductTypeEnum } from 'bandwidth-sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConfigFile } from '../../src/config/schema.js';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import type { EventBody } from '../helpers/harness.js';
import { checkList, httpError, list, type ListFilters } from '../helpers/messages-sdk.js';
import type { CallbackSink } from '../helpers/sink.js';
import { assertCallbackMatchesSpec, assertMatchesSpec } from '../helpers/spec.js';

// What Bandwidth fills in from provisioning (README "What Bandwidth fills in"), through Bandwidth's own Node SDK:
// search rows carry product, location, campaign, the numbers' countries and a carrier per number range; the filters on
// them work and refuse bad values with Bandwidth's 400; the account features (Advanced Quality Metrics, carrierName
// on callbacks) add their fields only where enabled. Every list answer and callback is checked against the spec.
const ACCT = '9904000';
const PLAIN_ACCT = '9904001';
const APP = '0a1b2c3d-0000-4000-8000-00000000d001';
const PLAIN_APP = '0a1b2c3d-0000-4000-8000-00000000d002';
const USER = { username: 'search-user', password: 'search-password' };
const PLAIN_USER = { username: 'plain-user', password: 'plain-password' };
const A2P = '+19195550600';
const P2P = '+19195550601';
const MOVING = '+19195550602';
const TOLL_FREE = '+18005550600';
const SHORT_CODE = '+12345';
const CANADIAN = '+16135550600';
const PLAIN = '+19195550700';
const EAST_HANDSET = '+19195557000';
const HANDSET = '+13125550100';
const UK_HANDSET = '+447700900123';
const FR_HANDSET = '+33612345678';

function config(callbackUrl: string): ConfigFile {
  return {
    accounts: [
      {
        id: ACCT,
        users: [USER],
        applications: [{ id: APP, callbackUrl }],
        features: { advancedQualityMetrics: true, carrierNameOnCallbacks: true },
        numbers: [
          { number: A2P, location: 'sip-peer-7', campaign: { id: 'CJEUMDK', class: 'T' } },
          { number: P2P, campaign: null },
          { number: MOVING, location: 'sip-peer-1', campaign: { id: 'CFIRSTC', class: 'W' } },
          TOLL_FREE,
          SHORT_CODE,
          { number: CANADIAN, country: 'CAN' },
        ],
      },
      { id: PLAIN_ACCT, users: [PLAIN_USER], applications: [{ id: PLAIN_APP, callbackUrl }], numbers: [PLAIN] },
    ],
    // No catch-all range: a French number has no carrier here.
    carriers: [
      { prefix: '+1919555', name: 'Emulated East' },
      { prefix: '+1', name: 'Emulated Wireless' },
      { prefix: '+44', name: 'AT&T' },
    ],
    callbacks: { sendingDelay: '5ms', deliveryDelay: '10ms', retryDelays: ['20ms'], timeout: '2s' },
  };
}

describe('search rows filled in from provisioning, through bandwidth-sdk', () => {
  const emulators = useEmulators();
  let running: RunningEmulator;
  let sink: CallbackSink;
  let api: MessagesApi;
  let plainApi: MessagesApi;
  // The first messages, sent before the tests: one per number type.
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    sink = await emulators.newSink();
    running = await emulators.start({ config: undefined, ...config(sink.url) });
    api = new MessagesApi(new Configuration({ basePath: running.url, ...USER }));
    plainApi = new MessagesApi(new Configuration({ basePath: running.url, ...PLAIN_USER }));
    ids.a2p = await send(A2P, [HANDSET]);
    ids.p2p = await send(P2P, [HANDSET]);
    ids.tollFree = await send(TOLL_FREE, [UK_HANDSET]);
    ids.shortCode = await send(SHORT_CODE, [EAST_HANDSET]);
    ids.canadian = await send(CANADIAN, [FR_HANDSET]);
  });

  // Send through the SDK (202 checked against the spec) and wait until nothing is pending: its callbacks are all in.
  async function send(from: string, to: string[], over: Partial<MessageRequest> = {}, client = api, acct = ACCT, app = APP): Promise<string> {
    const { status, data } = await client.createMessage(acct, { applicationId: app, from, to: new Set(to), text: 'search me', ...over } as MessageRequest);
    expect(status).toBe(202);
    assertMatchesSpec('message', data);
    await running.idle();
    return data.id!;
  }
  async function rows(filters: ListFilters, client = api, acct = ACCT): Promise<ListMessageItem[]> {
    const { status, data } = await list(client, acct, filters);
    expect(status).toBe(200);
    return checkList(data).messages ?? [];
  }
  async function statusBodies(messageId: string): Promise<EventBody[]> {
    const bodies = (await running.callbacks.list({ messageId })).filter((e) => e.outcome === 'delivered').map((e) => e.request.body);
    for (const body of bodies) assertCallbackMatchesSpec(body);
    return bodies.map((b) => (b as EventBody[])[0]!);
  }

  it('each number type gives its product, location, campaign, countries and the recipient range’s carrier', async () => {
    const [a2p] = await rows({ messageId: ids.a2p });
    expect(a2p).toMatchObject({
      product: 'LOCAL_A2P',
      location: 'sip-peer-7',
      campaignClass: 'T',
      campaignId: 'CJEUMDK',
      callingNumberCountryA3: 'USA',
      calledNumberCountryA3: 'USA',
      carrierName: 'Emulated Wireless',
    });
    // A local number on no campaign is P2P (its message fails 4476; the row is there all the same).
    expect((await rows({ messageId: ids.p2p }))[0]).toMatchObject({ product: 'P2P', location: 'default-location', campaignClass: null, campaignId: null });
    expect((await rows({ messageId: ids.tollFree }))[0]).toMatchObject({
      product: 'TOLL_FREE',
      campaignClass: null,
      campaignId: null,
      calledNumberCountryA3: 'GBR',
      carrierName: 'AT&T',
    });
    // The longest prefix wins: +1919555 is Emulated East, not Emulated Wireless.
    expect((await rows({ messageId: ids.shortCode }))[0]).toMatchObject({
      product: 'SHORT_CODE_REACH',
      callingNumberCountryA3: 'USA',
      carrierName: 'Emulated East',
    });
    // A number's configured country; a destination no carrier range covers has no carrier.
    expect((await rows({ messageId: ids.canadian }))[0]).toMatchObject({ callingNumberCountryA3: 'CAN', calledNumberCountryA3: 'FRA', carrierName: null });
  });

  it('filters on product, location, campaignId, carrierName and both countries', async () => {
    const only = async (filters: ListFilters) => (await rows(filters)).map((r) => r.messageId).sort();
    for (const [product, id] of [
      ['LOCAL_A2P', ids.a2p],
      ['P2P', ids.p2p],
      ['TOLL_FREE', ids.tollFree],
      ['SHORT_CODE_REACH', ids.shortCode],
    ] as const)
      expect(await only({ product, sourceTn: product === 'LOCAL_A2P' ? A2P : undefined })).toEqual([id]);
    expect(await only({ product: 'HOSTED_SHORT_CODE' })).toEqual([]);
    expect(await only({ location: 'sip-peer-7' })).toEqual([ids.a2p]);
    expect(await only({ campaignId: 'CJEUMDK' })).toEqual([ids.a2p]);
    // The SDK sends AT&T encoded as AT%26T, as the spec asks.
    expect(await only({ carrierName: 'AT&T' })).toEqual([ids.tollFree]);
    expect(await only({ carrierName: 'Emulated East' })).toEqual([ids.shortCode]);
    expect(await only({ callingNumberCountryA3: 'CAN' })).toEqual([ids.canadian]);
    expect(await only({ calledNumberCountryA3: 'GBR' })).toEqual([ids.tollFree]);
    expect(await only({ calledNumberCountryA3: 'FRA', callingNumberCountryA3: 'USA' })).toEqual([]);
  });

  it('refuses filter values past their bounds with Bandwidth’s 400', async () => {
    const refused = async (filters: ListFilters, param: string) => {
      const { status, data } = await httpError(list(api, ACCT, filters));
      expect(status).toBe(400);
      assertMatchesSpec('messagingRequestError', data);
      expect(data).toMatchObject({ type: 'request-validation' });
      expect((data as { description: string }).description).toContain(param);
    };
    await refused({ product: 'LOCAL' as ProductTypeEnum }, 'product must be one of LOCAL_A2P, P2P');
    await refused({ callingNumberCountryA3: 'usa' }, 'callingNumberCountryA3');
    await refused({ calledNumberCountryA3: 'US' }, 'calledNumberCountryA3');
    await refused({ location: 'l'.repeat(65) }, 'location');
    await refused({ campaignId: 'C'.repeat(33) }, 'campaignId');
    await refused({ carrierName: 'c'.repeat(65) }, 'carrierName');
    // At the bounds they are searches like any other.
    expect(await rows({ location: 'l'.repeat(64), campaignId: 'C'.repeat(32), carrierName: 'c'.repeat(64) })).toEqual([]);
  });

  it('an MMS or a group message has no carrierName ("Not currently supported for MMS"); the rest is filled in', async () => {
    const mms = await send(A2P, [HANDSET], { media: ['https://example.com/cat.png'] });
    const group = await send(A2P, [HANDSET, UK_HANDSET]);
    for (const row of [...(await rows({ messageId: mms })), ...(await rows({ messageId: group }))]) {
      expect(row.messageType).toBe('mms');
      expect(row).toMatchObject({ carrierName: null, product: 'LOCAL_A2P', location: 'sip-peer-7', campaignId: 'CJEUMDK' });
    }
    expect((await rows({ messageId: group })).map((r) => r.calledNumberCountryA3).sort()).toEqual(['GBR', 'USA']);
  });

  it('an inbound row: the receiving number’s registration, the handset’s country and carrier; carrierName on the callback', async () => {
    const [copy] = await running.inbound({ from: UK_HANDSET, to: [A2P], text: 'hello from London' });
    await running.idle();
    const [row] = await rows({ messageId: copy!.id });
    expect(row).toMatchObject({
      messageDirection: 'INBOUND',
      sourceTn: UK_HANDSET,
      destinationTn: A2P,
      product: 'LOCAL_A2P',
      location: 'sip-peer-7',
      campaignClass: 'T',
      campaignId: 'CJEUMDK',
      callingNumberCountryA3: 'GBR',
      calledNumberCountryA3: 'USA',
      carrierName: 'AT&T',
      // Advanced Quality Metrics: an inbound message is handed to its callback at once; carrier latency is outbound only.
      bwLatency: 0,
      carrierLatency: null,
    });
    const [received] = await statusBodies(copy!.id);
    expect(received).toMatchObject({ type: 'message-received', carrierName: 'AT&T' });
  });

  it('carrierName on status callbacks only for the account with the feature', async () => {
    const [withFeature] = await statusBodies(ids.a2p!);
    expect(withFeature).toMatchObject({ type: 'message-delivered', carrierName: 'Emulated Wireless' });
    const plain = await send(PLAIN, [HANDSET], {}, plainApi, PLAIN_ACCT, PLAIN_APP);
    const [without] = await statusBodies(plain);
    expect(without!.type).toBe('message-delivered');
    expect(without).not.toHaveProperty('carrierName');
    // No carrier for the number: no carrierName (the spec's is a string, never null).
    const [none] = await statusBodies(ids.canadian!);
    expect(none).not.toHaveProperty('carrierName');
  });

  it('Advanced Quality Metrics: latencies once the events happen, fromBwLatency/fromCarrierLatency filter on them; null without the feature', async () => {
    await running.scenarios.use({
      version: 1,
      rules: [{ name: 'slow carrier', match: { to: '+19195557999' }, events: [{ type: 'message-delivered', after: '1h' }] }],
    });
    const held = await api.createMessage(ACCT, { applicationId: APP, from: A2P, to: new Set(['+19195557999']), text: 'held' } as MessageRequest);
    const [queued] = await rows({ messageId: held.data.id! });
    expect(queued).toMatchObject({ messageStatus: 'QUEUED', bwLatency: null, carrierLatency: null });
    await running.carrier(held.data.id!, { action: 'deliver' });
    await running.idle();
    const [delivered] = await rows({ messageId: held.data.id! });
    expect(delivered!.messageStatus).toBe('DELIVERED');
    for (const latency of [delivered!.bwLatency, delivered!.carrierLatency]) {
      expect(Number.isInteger(latency), String(latency)).toBe(true);
      expect(latency).toBeGreaterThanOrEqual(0);
    }
    expect((await rows({ fromBwLatency: 0, sourceTn: A2P, messageDirection: 'OUTBOUND' })).map((r) => r.messageId)).toContain(held.data.id);
    expect(await rows({ fromBwLatency: 1_000_000, sourceTn: A2P })).toEqual([]);
    expect((await rows({ fromCarrierLatency: 0, sourceTn: UK_HANDSET })).length).toBe(0); // inbound rows have none
    // The account without the feature: null, so a latency filter finds nothing.
    const [plainRow] = await rows({ sourceTn: PLAIN }, plainApi, PLAIN_ACCT);
    expect(plainRow).toMatchObject({ bwLatency: null, carrierLatency: null, product: 'LOCAL_A2P', carrierName: 'Emulated Wireless' });
    expect(await rows({ fromBwLatency: 0 }, plainApi, PLAIN_ACCT)).toEqual([]);
  });

  it('a registration changed at run time applies to the next message; earlier rows keep what was recorded', async () => {
    const before = await send(MOVING, [HANDSET]);
    await running.numbers.set(ACCT, MOVING, { location: 'sip-peer-2', campaign: { id: 'CSECOND', class: 'E' }, country: 'CAN' });
    const after = await send(MOVING, [HANDSET]);
    expect((await rows({ messageId: before }))[0]).toMatchObject({
      location: 'sip-peer-1',
      campaignId: 'CFIRSTC',
      campaignClass: 'W',
      callingNumberCountryA3: 'USA',
    });
    expect((await rows({ messageId: after }))[0]).toMatchObject({
      location: 'sip-peer-2',
      campaignId: 'CSECOND',
      campaignClass: 'E',
      callingNumberCountryA3: 'CAN',
    });
    // The country is bounded as in the config.
    await expect(running.numbers.set(ACCT, MOVING, { country: 'usa' })).rejects.toMatchObject({
      problems: [expect.objectContaining({ field: expect.stringContaining('country') })],
    });
  });
});

describe('account features of a throwaway account', () => {
  const emulators = useEmulators();

  it('are taken as in the config, off unless given, and bounded', async () => {
    const running = await emulators.start();
    const account = await running.createAccount({ features: { advancedQualityMetrics: true } });
    const api = new MessagesApi(new Configuration(account.sdkConfig));
    const { data } = await api.createMessage(account.accountId, {
      applicationId: account.applicationId,
      from: account.numbers[0]!,
      to: new Set([HANDSET]),
      text: 'metrics',
    } as MessageRequest);
    await running.idle();
    const [row] = checkList((await list(api, account.accountId, { messageId: data.id! })).data).messages!;
    expect(Number.isInteger(row!.bwLatency)).toBe(true);
    expect(row).toMatchObject({ product: 'LOCAL_A2P', location: 'default-location', campaignId: 'CEMULAT', campaignClass: 'T' });
    await expect(running.createAccount({ features: { qualityMetrics: true } as never })).rejects.toThrow(/features/);
    await expect(running.createAccount({ features: { carrierNameOnCallbacks: 'yes' } as never })).rejects.toThrow(/features/);
  });
});

describe('provisioned search fields in exported state', () => {
  const emulators = useEmulators();

  it('round-trip through export and import; a document from before they were recorded imports with nulls', async () => {
    const running = await emulators.start({
      accounts: [{ id: ACCT, users: [USER], applications: [{ id: APP }], numbers: [{ number: A2P, location: 'sip-peer-7' }] }],
    });
    const api = new MessagesApi(new Configuration({ basePath: running.url, ...USER }));
    const { data } = await api.createMessage(ACCT, { applicationId: APP, from: A2P, to: new Set([HANDSET]), text: 'kept' } as MessageRequest);
    await running.idle();
    const listed = async () => checkList((await list(api, ACCT, { messageId: data.id! })).data).messages![0]!;
    const original = await listed();
    expect(original).toMatchObject({ product: 'LOCAL_A2P', location: 'sip-peer-7', carrierName: 'Emulated Wireless', calledNumberCountryA3: 'USA' });

    const doc = await running.state.export();
    await running.state.import(doc);
    expect(await listed()).toEqual(original);

    // An export made before these fields existed: no provisioning, no carrier or country per recipient.
    const older = structuredClone(doc) as unknown as { messages: Array<Record<string, unknown> & { recipients: Array<Record<string, unknown>> }> };
    for (const message of older.messages) {
      delete message.provisioning;
      for (const recipient of message.recipients) {
        delete recipient.carrierName;
        delete recipient.calledNumberCountryA3;
      }
    }
    await running.state.import(older);
    expect(await listed()).toMatchObject({
      messageId: data.id,
      product: null,
      location: null,
      campaignClass: null,
      campaignId: null,
      carrierName: null,
      callingNumberCountryA3: null,
      calledNumberCountryA3: null,
    });
  });
});
