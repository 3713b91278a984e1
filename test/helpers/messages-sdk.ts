// What the Messaging v2 tests through bandwidth-sdk share (test/e2e/sdk-messages-*.test.ts): calls that must fail,
// raw requests for bodies the SDK cannot send, listMessages with named filters, and the default account's SDK client.
import { Configuration, MessagesApi, type ListMessageDirectionEnum, type MessagesList, type ProductTypeEnum } from 'bandwidth-sdk';
import { expect } from 'vitest';
import type { RunningEmulator } from '../../src/start.js';
import { assertMatchesSpec } from './spec.js';

/** An HTTP answer as the SDK's error carries it. */
export interface HttpAnswer {
  status: number;
  data: unknown;
  headers: Record<string, unknown>;
}

/** Await an SDK call that must fail with an HTTP status; return the response (status, parsed body, headers). */
export async function httpError(call: Promise<unknown>): Promise<HttpAnswer> {
  let result: unknown;
  try {
    result = await call;
  } catch (error) {
    const response = (error as { response?: HttpAnswer }).response;
    if (response) return response;
    throw error;
  }
  throw new Error(`expected an HTTP error, got ${(result as { status?: number }).status ?? '?'}: ${JSON.stringify((result as { data?: unknown }).data)}`);
}

/** A raw HTTP call (for bodies the SDK cannot send); parses JSON answers. */
export async function raw(url: string, init: RequestInit = {}): Promise<{ status: number; contentType: string; body: unknown }> {
  const res = await fetch(url, init);
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  return { status: res.status, contentType, body: contentType.includes('json') && text ? (JSON.parse(text) as unknown) : text };
}

/** A Basic authorization header value. */
export const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

/** The listMessages filters these tests use. */
export interface ListFilters {
  messageId?: string;
  sourceTn?: string;
  destinationTn?: string;
  messageDirection?: ListMessageDirectionEnum;
  carrierName?: string;
  campaignId?: string;
  fromBwLatency?: number;
  product?: ProductTypeEnum;
  location?: string;
  fromCarrierLatency?: number;
  callingNumberCountryA3?: string;
  calledNumberCountryA3?: string;
  sort?: string;
  pageToken?: string;
  limit?: number;
}

/** listMessages takes 28 positional parameters; name the ones these tests use. */
export function list(api: MessagesApi, accountId: string, f: ListFilters) {
  return api.listMessages(
    accountId,
    f.messageId,
    f.sourceTn,
    f.destinationTn,
    undefined,
    f.messageDirection,
    f.carrierName,
    undefined,
    undefined,
    undefined,
    undefined,
    f.campaignId,
    f.fromBwLatency,
    undefined,
    f.product,
    f.location,
    undefined,
    f.fromCarrierLatency,
    f.callingNumberCountryA3,
    f.calledNumberCountryA3,
    undefined,
    undefined,
    undefined,
    undefined,
    f.sort,
    f.pageToken,
    f.limit,
  );
}

/** A 200 list answer: spec-valid, `carrierName` key on every row, and pageInfo members omitted rather than null. */
export function checkList(data: MessagesList): MessagesList {
  assertMatchesSpec('messagesList', data);
  expect(data.pageInfo).toBeDefined();
  for (const [key, value] of Object.entries(data.pageInfo ?? {})) {
    expect(value, `pageInfo.${key}`).not.toBeNull();
    expect(typeof value, `pageInfo.${key}`).toBe('string');
  }
  for (const row of data.messages ?? []) expect(Object.keys(row)).toContain('carrierName');
  return data;
}

/** An ISO 8601 time with milliseconds, in UTC. */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** A Bandwidth message id: epoch milliseconds, then 16 base-36 characters. */
export const MESSAGE_ID = /^\d{13}[0-9a-z]{16}$/;

/** The first account of an emulator and an SDK client signed in as its messaging user. */
export function defaultAccount(running: RunningEmulator): { acct: string; appId: string; from: string; api: MessagesApi } {
  return {
    acct: running.account.id,
    appId: running.account.applicationId,
    from: running.account.numbers[0]!,
    api: new MessagesApi(new Configuration({ basePath: running.url, username: running.account.username, password: running.account.password })),
  };
}
