// What the media API tests (test/e2e/media-*.test.ts) share: two accounts, a real PNG, SDK and raw clients, and the
// fixture that starts an emulator with media settings.
import { crc32, deflateSync } from 'node:zlib';
import { expect } from 'vitest';
import { Configuration, MediaApi, type Media } from 'bandwidth-sdk';
import type { ConfigFile } from '../../src/config/schema.js';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators, type EmulatorFixture } from './fixture.js';

export const ACCT = '9902000';
export const USER = 'media-user';
export const PASS = 'media-password';
export const NO_MESSAGING_USER = 'media-viewer';
export const NO_MESSAGING_PASS = 'media-viewer-password';
export const APP = '0a1b2c3d-0000-4000-8000-00000000a001';
export const NUMBER = '+19195550400';
export const NUMBER_2 = '+19195550401';
export const ACCT_B = '9902001';
export const USER_B = 'media-user-b';
export const PASS_B = 'media-password-b';
const APP_B = '0a1b2c3d-0000-4000-8000-00000000b001';
const NUMBER_B = '+19195550410';
export const HANDSET = '+15551230000';
export const TO = '+19195557001';

/** A valid 1x1 RGBA PNG (one opaque red pixel), built chunk by chunk with real CRCs. */
function onePixelPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed) >>> 0);
    return Buffer.concat([length, typed, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0); // width
  ihdr.writeUInt32BE(1, 4); // height
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  // compression, filter, interlace: 0
  const scanline = Buffer.from([0, 0xff, 0x00, 0x00, 0xff]); // filter byte 0, then R G B A
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(scanline)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
/** The PNG the media tests upload. */
export const png = onePixelPng();

/** What a media test may change: account A's callback URL and the media settings. */
export type Options = { callbackUrl?: string; media?: ConfigFile['media'] };

/** Two accounts (A with a user without the messaging role), fast callbacks, and `options` on top. */
export function config(options: Options = {}): ConfigFile {
  const callbackUrl = options.callbackUrl ? { callbackUrl: options.callbackUrl } : {};
  return {
    accounts: [
      {
        id: ACCT,
        users: [
          { username: USER, password: PASS },
          { username: NO_MESSAGING_USER, password: NO_MESSAGING_PASS, messaging: false },
        ],
        applications: [{ id: APP, ...callbackUrl }],
        numbers: [
          { number: NUMBER, applicationId: APP },
          { number: NUMBER_2, applicationId: APP },
        ],
      },
      {
        id: ACCT_B,
        users: [{ username: USER_B, password: PASS_B }],
        applications: [{ id: APP_B }],
        numbers: [{ number: NUMBER_B, applicationId: APP_B }],
      },
    ],
    callbacks: { sendingDelay: '5ms', deliveryDelay: '20ms', retryDelays: ['20ms'], timeout: '1s' },
    ...(options.media ? { media: options.media } : {}),
  };
}

/** An SDK media client, as account A's messaging user unless told otherwise. */
export function mediaApi(url: string, username = USER, password = PASS): MediaApi {
  return new MediaApi(new Configuration({ basePath: url, username, password }));
}

/** The SDK types an upload body as a browser File; Buffers and strings are what Node callers pass. */
export const asFile = (body: Buffer | string) => body as unknown as File;

/** A Basic authorization header value. */
export const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** A raw request, as a webhook consumer following a media link would make it. `auth: null` sends no credentials. */
export async function raw(
  url: string,
  init: { method?: string; auth?: [string, string] | null; body?: Buffer | string; contentType?: string } = {},
): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const headers: Record<string, string> = {};
  const auth: readonly [string, string] | null = init.auth === undefined ? [USER, PASS] : init.auth;
  if (auth) headers.authorization = basic(auth[0], auth[1]);
  if (init.contentType) headers['content-type'] = init.contentType;
  // A copy typed on a plain ArrayBuffer, which is what fetch's BodyInit accepts.
  const body = typeof init.body === 'string' || init.body === undefined ? init.body : new Uint8Array(init.body);
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Bytes parsed as JSON. */
export const json = (bytes: Buffer): unknown => JSON.parse(bytes.toString('utf8'));

/** The HTTP response of an SDK call that must fail (axios rejects on non-2xx). */
export async function failure(call: Promise<unknown>): Promise<{ status: number; data: unknown; headers: Record<string, unknown> }> {
  let result: unknown;
  try {
    result = await call;
  } catch (error) {
    const response = (error as { response?: { status: number; data: unknown; headers: Record<string, unknown> } }).response;
    if (!response) throw error;
    return response;
  }
  throw new Error(`expected the call to fail; it answered ${JSON.stringify((result as { status?: number }).status)}`);
}

/** Download through the SDK as the SDK's own smoke test does. */
export async function download(api: MediaApi, accountId: string, mediaId: string): Promise<{ status: number; bytes: Buffer; contentType: string }> {
  const res = await api.getMedia(accountId, mediaId, { responseType: 'arraybuffer' });
  return { status: res.status, bytes: Buffer.from(res.data as unknown as ArrayBuffer), contentType: String(res.headers['content-type']) };
}

/** Every page of a listing, following the continuation-token response header. */
export async function listAll(api: MediaApi, accountId: string): Promise<{ pages: Media[][]; tokens: Array<string | undefined> }> {
  const pages: Media[][] = [];
  const tokens: Array<string | undefined> = [];
  let token: string | undefined;
  do {
    const res = await api.listMedia(accountId, token);
    expect(res.status).toBe(200);
    pages.push(res.data);
    token = res.headers['continuation-token'] as string | undefined;
    tokens.push(token);
    if (pages.length > 10) throw new Error('paging does not end');
  } while (token);
  return { pages, tokens };
}

/** Register the fixture for a media test file: `start(options)` an emulator with config(options), closed after the test. */
export function useMediaEmulators(): Pick<EmulatorFixture, 'newSink' | 'defer'> & { start(options?: Options): Promise<RunningEmulator> } {
  const emulators = useEmulators();
  return { start: (options = {}) => emulators.start(config(options)), newSink: () => emulators.newSink(), defer: emulators.defer };
}
