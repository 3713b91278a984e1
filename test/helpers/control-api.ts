// What the control API tests (test/e2e/control-api-*.test.ts) share: two accounts (A calls back to a sink, B has no
// callback URL so its events are journaled 'no-target'), sends through bandwidth-sdk, and the HTTP-only readers.
import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import { expect } from 'vitest';
import { connectEmulator } from '../../src/control/client.js';
import type { ControlOperations } from '../../src/control/operations.js';
import type { ConfigFile } from '../../src/config/schema.js';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from './fixture.js';
import type { CONTROL_CONNECTIONS } from './harness.js';
import type { CallbackSink } from './sink.js';

// Account A: its application calls back to a sink. Account B: no callback URL, so its events are journaled 'no-target'.
export const ACCOUNT_A = '9902001';
export const USER_A = 'ctl-user-a';
const PASS_A = 'ctl-password-a';
export const APP_A = 'c7a1a000-0000-4000-8000-00000000000a';
export const NUM_A1 = '+19195550200';
export const NUM_A2 = '+19195550201';
export const ACCOUNT_B = '9902002';
const USER_B = 'ctl-user-b';
const PASS_B = 'ctl-password-b';
export const APP_B = 'c7a1b000-0000-4000-8000-00000000000b';
export const NUM_B1 = '+19195550300';
// Ordinary recipients (not magic 555 numbers), a handset, a number nobody owns.
export const TO1 = '+19195557101';
export const TO2 = '+19195557102';
export const TO3 = '+19195557103';
export const TO4 = '+19195557104';
export const TO5 = '+19195557105';
export const HANDSET = '+19195559999';
export const NOBODY = '+19195558888';
// Magic numbers: failed with 4720; delivered after 3600 s (a pending step that only flush or reset ends).
export const FAIL_4720 = '+15551004720';
export const AFTER_1H = '+15553003600';
export const TOKEN = 'secret-token-1';
export const WAIT = { timeoutMs: 5000 };

/** How a test reaches the control operations: in-process or over HTTP (CONTROL_CONNECTIONS). */
export type Connect = (typeof CONTROL_CONNECTIONS)[number][1];

/** One test's emulator, its control operations, account A's sink and an SDK client per account. */
export interface Fixture {
  running: RunningEmulator;
  ops: ControlOperations;
  sink: CallbackSink;
  apiA: MessagesApi;
  apiB: MessagesApi;
}

/** The two accounts, fast callbacks, and `overrides` on top. */
function config(sinkUrl: string, overrides: ConfigFile = {}): ConfigFile {
  return {
    accounts: [
      {
        id: ACCOUNT_A,
        users: [{ username: USER_A, password: PASS_A }],
        applications: [{ id: APP_A, callbackUrl: sinkUrl }],
        numbers: [
          { number: NUM_A1, applicationId: APP_A },
          { number: NUM_A2, applicationId: APP_A },
        ],
      },
      {
        id: ACCOUNT_B,
        users: [{ username: USER_B, password: PASS_B }],
        applications: [{ id: APP_B }],
        numbers: [{ number: NUM_B1, applicationId: APP_B }],
      },
    ],
    callbacks: { deliveryDelay: '10ms', sendingDelay: '5ms', retryDelays: ['20ms'], timeout: '2s' },
    ...overrides,
  };
}

/**
 * Register the fixture for a control API test file: `start(connect)` gives a test its emulator, sink and clients
 * (closed after it), `startHttp()` the same reached over HTTP, `defer()` one more cleanup (e.g. an open stream).
 */
export function useControlApi(): {
  start(connect: Connect, overrides?: ConfigFile): Promise<Fixture>;
  startHttp(overrides?: ConfigFile): Promise<Fixture>;
  defer(cleanup: () => unknown): void;
} {
  const emulators = useEmulators();
  async function start(connect: Connect, overrides: ConfigFile = {}): Promise<Fixture> {
    const sink = await emulators.newSink();
    const running = await emulators.start(config(sink.url, overrides));
    const apiA = new MessagesApi(new Configuration(running.sdkConfig));
    const apiB = new MessagesApi(new Configuration({ basePath: running.url, username: USER_B, password: PASS_B }));
    return { running, ops: connect(running), sink, apiA, apiB };
  }
  return { start, startHttp: (overrides = {}) => start((running) => connectEmulator(running.url), overrides), defer: emulators.defer };
}

/** A create-message body; `to` is a Set in the SDK's types but goes on the wire as the array it is. */
export function body(fields: { applicationId: string; to: string[]; from: string; text?: string; tag?: string }): MessageRequest {
  return {
    applicationId: fields.applicationId,
    to: fields.to as unknown as Set<string>,
    from: fields.from,
    text: fields.text ?? 'hello from the control API tests',
    ...(fields.tag !== undefined ? { tag: fields.tag } : {}),
  };
}

/** Send from account A (NUM_A1 unless `from`) through the SDK; expects the 202 and returns the message id. */
export async function sendA(f: Fixture, to: string[], extra: { from?: string; tag?: string; text?: string } = {}): Promise<string> {
  const res = await f.apiA.createMessage(ACCOUNT_A, body({ applicationId: APP_A, to, from: extra.from ?? NUM_A1, text: extra.text, tag: extra.tag }));
  expect(res.status).toBe(202);
  return res.data.id!;
}

/** Send from account B (NUM_B1) through the SDK; expects the 202 and returns the message id. */
export async function sendB(f: Fixture, to: string[], extra: { tag?: string } = {}): Promise<string> {
  const res = await f.apiB.createMessage(ACCOUNT_B, body({ applicationId: APP_B, to, from: NUM_B1, tag: extra.tag }));
  expect(res.status).toBe(202);
  return res.data.id!;
}

/** The ids of a listing, sorted. */
export const ids = (list: Array<{ id: string }>) => list.map((m) => m.id).sort();
/** The values, sorted (to compare with ids()). */
export const sorted = (...values: string[]) => [...values].sort();
/** The names of the scenarios in force, sorted. */
export const scenarioNames = async (ops: ControlOperations) => (await ops.scenarios.list()).scenarios.map((s) => s.name).sort();
/** The Journal's pending waiters: proves a wait is in place before the event it waits for can happen. */
export const waiters = (running: RunningEmulator) => (running.emulator.parts.journal as unknown as { waiters: Set<unknown> }).waiters.size;

/** A raw request to the control API; the body parsed as JSON (an empty object when there is none). */
export async function getJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** One Server-Sent Events frame. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: unknown;
}

/** Read SSE frames from an open stream until `done` holds; bounded by `timeoutMs`, then the stream is aborted. */
export async function readFrames(
  body: AsyncIterable<Buffer>,
  abort: AbortController,
  done: (frames: SseFrame[]) => boolean,
  timeoutMs = 5000,
): Promise<SseFrame[]> {
  const frames: SseFrame[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  try {
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const raw = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const frame: SseFrame = {};
        for (const line of raw.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = line.slice(0, colon);
          const value = line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') frame.id = value;
          else if (field === 'event') frame.event = value;
          else if (field === 'data') frame.data = JSON.parse(value);
        }
        if (frame.event) frames.push(frame);
      }
      if (done(frames)) return frames;
    }
    throw new Error('the event stream ended early');
  } catch (error) {
    if (timedOut) throw new Error(`no matching SSE frames within ${timeoutMs} ms; got ${JSON.stringify(frames.map((f) => f.event))}`);
    throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}
