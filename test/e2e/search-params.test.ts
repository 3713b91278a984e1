// listMessages parameters validated like Bandwidth (README "Search and media limits"): enums, true/false booleans,
// integers in digits and in range, from/to pairs in order, dates to the second with a zone inside 14 days, sort on a
// real field, and "the sum of limit and after cannot be more than 10000"; each refusal a 400 messagingRequestError
// naming the parameter and what it allows. The SDK's own search calls still pass.
import type { MessageRequest } from 'bandwidth-sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import { checkList, defaultAccount, list } from '../helpers/messages-sdk.js';
import { assertMatchesSpec } from '../helpers/spec.js';

const { start } = useEmulators();
let running: RunningEmulator;
let auth: string;

async function search(
  query: string,
): Promise<{ status: number; body: { type?: string; description?: string; nextPageToken?: string } & Record<string, unknown> }> {
  const res = await fetch(`${running.url}/users/${running.account.id}/messages?${query}`, { headers: { authorization: auth } });
  return { status: res.status, body: (await res.json()) as never };
}

/** A 400 in the spec's messagingRequestError whose description names the parameter and the words given. */
async function refused(query: string, ...words: string[]): Promise<void> {
  const answer = await search(query);
  expect(answer.status, query).toBe(400);
  assertMatchesSpec('messagingRequestError', answer.body);
  expect(answer.body.type).toBe('request-validation');
  for (const word of words) expect(answer.body.description, query).toContain(word);
}

beforeAll(async () => {
  running = await start();
  auth = `Basic ${Buffer.from(`${running.account.username}:${running.account.password}`).toString('base64')}`;
  const { acct, api, appId, from } = defaultAccount(running);
  for (const to of ['+19195557101', '+19195557102']) {
    await api.createMessage(acct, { applicationId: appId, to: new Set([to]), from, text: 'searchable' } as unknown as MessageRequest);
  }
});

describe('listMessages parameter refusals', () => {
  it('enums: product, messageStatus, messageType, messageDirection name their allowed values', async () => {
    await refused(
      'product=LOCAL',
      'product must be one of LOCAL_A2P, P2P, SHORT_CODE_REACH, TOLL_FREE, HOSTED_SHORT_CODE, ALPHA_NUMERIC, RBM_MEDIA, RBM_RICH, RBM_CONVERSATIONAL',
    );
    await refused('messageStatus=delivered', 'messageStatus must be one of RECEIVED, QUEUED, SENDING, SENT, FAILED, DELIVERED, ACCEPTED, UNDELIVERED');
    await refused('messageType=SMS', 'messageType must be one of sms, mms, rcs');
    await refused('messageDirection=OUT', 'messageDirection must be one of INBOUND, OUTBOUND');
  });

  it('booleans: carrierQueued, bwQueued, limitTotalCount take true or false only', async () => {
    for (const name of ['carrierQueued', 'bwQueued', 'limitTotalCount']) {
      for (const value of ['1', 'yes', 'TRUE', '']) await refused(`messageDirection=OUTBOUND&${name}=${value}`, `${name} must be true or false`);
      expect((await search(`messageDirection=OUTBOUND&${name}=false`)).status).toBe(200);
    }
  });

  it('integers: digits only, 0 to 2147483647; limit 1 to 10000', async () => {
    for (const name of ['errorCode', 'fromBwLatency', 'fromCarrierLatency', 'fromSegmentCount', 'toSegmentCount', 'fromMessageSize', 'toMessageSize']) {
      for (const value of ['-1', '1.5', '1e3', '0x10', ' 5', 'abc', '2147483648', '99999999999999999999']) {
        await refused(`messageDirection=OUTBOUND&${name}=${encodeURIComponent(value)}`, `${name} must be a whole number from 0 to 2147483647`);
      }
      expect((await search(`messageDirection=OUTBOUND&${name}=2147483647`)).status).toBe(200);
      expect((await search(`messageDirection=OUTBOUND&${name}=0`)).status).toBe(200);
    }
    for (const value of ['0', '10001', '-5', '50.0']) await refused(`messageDirection=OUTBOUND&limit=${value}`, 'limit must be a whole number from 1 to 10000');
    expect((await search('messageDirection=OUTBOUND&limit=10000')).status).toBe(200);
    await refused('messageDirection=OUTBOUND&limit=1&limit=2', 'limit was given 2 times');
  });

  it('ranges: from must not be more than to', async () => {
    await refused('messageDirection=OUTBOUND&fromSegmentCount=3&toSegmentCount=2', 'fromSegmentCount (3) must not be more than toSegmentCount (2)');
    await refused('messageDirection=OUTBOUND&fromMessageSize=121&toMessageSize=120', 'fromMessageSize (121) must not be more than toMessageSize (120)');
    expect((await search('messageDirection=OUTBOUND&fromSegmentCount=1&toSegmentCount=1')).status).toBe(200);
  });

  it('dates: date and time with seconds and a zone, milliseconds optional; in order; at most 14 days apart', async () => {
    for (const value of [
      '2022-09-14',
      '2022-09-14T18:20',
      '2022-09-14T18:20:16',
      '2022-09-14 18:20:16Z',
      '2022-09-14T18:20:16.0000Z',
      '2022-02-30T00:00:00Z',
      '2022-09-14T24:00:00Z',
      'yesterday',
      '1663179616000',
    ]) {
      await refused(`fromDateTime=${encodeURIComponent(value)}`, 'fromDateTime must be an ISO 8601 date and time with seconds and a zone');
      await refused(`toDateTime=${encodeURIComponent(value)}`, 'toDateTime must be an ISO 8601 date and time with seconds and a zone');
    }
    for (const value of ['2022-09-14T18:20:16.000Z', '2022-09-14T18:20:16Z', '2022-09-14T18:20:16.5-05:00', '2022-09-14T18:20:16+05:30']) {
      expect((await search(`fromDateTime=${encodeURIComponent(value)}`)).status, value).toBe(200);
    }
    await refused('fromDateTime=2022-09-15T00:00:00Z&toDateTime=2022-09-14T00:00:00Z', 'fromDateTime must not be after toDateTime');
    await refused('fromDateTime=2022-09-01T00:00:00.000Z&toDateTime=2022-09-15T00:00:00.001Z', 'toDateTime', 'at most 14 days');
    expect((await search('fromDateTime=2022-09-01T00:00:00.000Z&toDateTime=2022-09-15T00:00:00.000Z')).status).toBe(200);
  });

  it('sort: field:asc or field:desc on a field a row has', async () => {
    await refused('messageDirection=OUTBOUND&sort=sourceTn', 'sort must be a field and a direction joined by a colon');
    await refused('messageDirection=OUTBOUND&sort=sourceTn:up', 'asc or desc');
    await refused('messageDirection=OUTBOUND&sort=colour:asc', "sort field 'colour' is not a message field", 'sourceTn');
    await refused(`messageDirection=OUTBOUND&sort=${'a'.repeat(200)}:asc`, 'sort');
    expect((await search('messageDirection=OUTBOUND&sort=segmentCount:asc')).status).toBe(200);
  });

  it('the sum of limit and after cannot be more than 10000', async () => {
    const first = await search('messageDirection=OUTBOUND&limit=1');
    const token = (first.body.pageInfo as { nextPageToken: string }).nextPageToken;
    expect(token).toBeDefined();
    await refused(`messageDirection=OUTBOUND&limit=10000&pageToken=${token}`, 'the sum of limit and after cannot be more than 10000');
    expect((await search(`messageDirection=OUTBOUND&limit=9999&pageToken=${token}`)).status).toBe(200);
  });

  it('reports every bad parameter at once, each named', async () => {
    await refused('product=X&limit=0&fromDateTime=today', 'product must be one of', 'limit must be a whole number', 'fromDateTime must be');
  });
});

it("the SDK's own search calls still pass", async () => {
  const { acct, api } = defaultAccount(running);
  const rows = checkList((await list(api, acct, { messageDirection: 'OUTBOUND', sort: 'destinationTn:asc', limit: 1 })).data);
  expect(rows.messages).toHaveLength(1);
  const next = checkList(
    (await list(api, acct, { messageDirection: 'OUTBOUND', sort: 'destinationTn:asc', limit: 1, pageToken: rows.pageInfo!.nextPageToken })).data,
  );
  expect(next.messages![0]!.destinationTn).toBe('+19195557102');
  // Dates, enums, booleans and integers as the SDK writes them (toISOString, enum members, true/false, numbers).
  const all = await api.listMessages(
    acct,
    undefined,
    undefined,
    undefined,
    'ACCEPTED' as never,
    'OUTBOUND' as never,
    undefined,
    'sms' as never,
    0,
    new Date(Date.now() - 86_400_000).toISOString(),
    new Date(Date.now() + 60_000).toISOString(),
    undefined,
    undefined,
    false,
    undefined,
    undefined,
    false,
    undefined,
    undefined,
    undefined,
    1,
    5,
    1,
    500,
    'receiveTime:desc',
    undefined,
    100,
    true,
  );
  expect(all.status).toBe(200);
  checkList(all.data);
});
