// The library's first minute: startEmulator({ callbackUrl }) and the other flag shortcuts, checked as their flags are,
// and an `accounts` override that either keeps working credentials or is refused naming the account and the fix.
// Regressions: `startEmulator({ callbackUrl })` was refused as an unknown field, so the README's first in-process
// snippet waited on a callback that had nowhere to go; an account listed without users started and answered 401.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Configuration, MessagesApi } from 'bandwidth-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { SCALAR_OPTIONS, SHORTCUT_KEYS } from '../../src/config/options.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { ConfigFileSchema } from '../../src/config/schema.js';
import { EmulatorConfigError } from '../../src/errors.js';
import { startEmulator, type StartOptions } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';

const { start, newSink } = useEmulators();
const dir = mkdtempSync(join(tmpdir(), 'bw-start-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The message of the EmulatorConfigError that resolving these options throws. */
function refusal(options: StartOptions): string {
  try {
    resolveConfig({ overrides: options });
  } catch (error) {
    expect(error).toBeInstanceOf(EmulatorConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(options).slice(0, 200)} to be refused`);
}

async function sendSms(sdkConfig: ConstructorParameters<typeof Configuration>[0], accountId: string, applicationId: string, from: string) {
  const api = new MessagesApi(new Configuration(sdkConfig));
  return api.createMessage(accountId, { applicationId, from, to: ['+15557001234'] as unknown as Set<string>, text: 'hi' });
}

describe('startEmulator shortcuts for the CLI flags', () => {
  it('are exactly the flags that are not a top-level config field, under the flag option key', () => {
    const topLevel = new Set(Object.keys(ConfigFileSchema.properties));
    expect([...SHORTCUT_KEYS]).toEqual(SCALAR_OPTIONS.map((o) => o.key).filter((key) => !topLevel.has(key)));
  });

  it('callbackUrl: the default application sends its callbacks there', async () => {
    const sink = await newSink();
    const bw = await start({ callbackUrl: sink.url, callbacks: { deliveryDelay: '5ms' } });
    const { data } = await sendSms(bw.sdkConfig, bw.account.id, bw.account.applicationId, bw.account.numbers[0]!);
    const entry = await bw.callbacks.waitFor({ messageId: data.id!, type: 'message-delivered', outcome: 'delivered' }, { timeoutMs: 5000 });
    expect(entry.target).toBe(sink.url);
    expect(sink.requests).toHaveLength(1);
  });

  it('callbackUrl with user:password@ sends them as Basic, as the flag does', async () => {
    const sink = await newSink();
    const bw = await start({ callbackUrl: sink.url.replace('http://', 'http://hook:s3cret@'), callbacks: { deliveryDelay: '5ms' } });
    await sendSms(bw.sdkConfig, bw.account.id, bw.account.applicationId, bw.account.numbers[0]!);
    const [request] = await sink.waitFor((r) => r.length === 1);
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from('hook:s3cret').toString('base64')}`);
    expect(bw.emulator.config.accounts[0]!.applications[0]!.callbackUrl).toBe(sink.url);
  });

  it('the others land where their flag does', () => {
    const config = resolveConfig({
      overrides: { controlToken: 'a-long-token', callbackTimeout: '3s', deliveryDelay: 250, fetchExternalMedia: true, maxMessages: 42 },
    });
    expect(config.control.token).toBe('a-long-token');
    expect(config.callbacks.timeoutMs).toBe(3000);
    expect(config.callbacks.deliveryDelayMs).toBe(250);
    expect(config.media.fetchExternal).toBe(true);
    expect(config.limits.maxMessages).toBe(42);
  });

  it('config reads a file first; the other options apply over it', () => {
    const path = join(dir, 'bw.yaml');
    writeFileSync(path, 'timeScale: 0.5\ncallbacks: { deliveryDelay: 2s }\n');
    const config = resolveConfig({ overrides: { config: path, deliveryDelay: '1s', callbackUrl: 'http://127.0.0.1:9/hook' } });
    expect(config.timeScale).toBe(0.5);
    expect(config.callbacks.deliveryDelayMs).toBe(1000);
    expect(config.accounts[0]!.applications[0]!.callbackUrl).toBe('http://127.0.0.1:9/hook');
  });

  it.each(
    [
      [
        { callbackUrl: 'ftp://127.0.0.1/hook' },
        "startEmulator option callbackUrl: callbackUrl: 'ftp://127.0.0.1/hook' is not valid. Fix: use an http:// or https:// URL",
      ],
      [{ callbackUrl: 'http://' }, "callbackUrl: 'http://' is not valid"],
      [
        { callbackUrl: `http://127.0.0.1/${'a'.repeat(4096)}` },
        'callbackUrl: is 4113 characters long. Fix: use an http:// or https:// URL of at most 4096 characters',
      ],
      [{ callbackUrl: 3000 }, 'startEmulator option callbackUrl: callbackUrl: is a number. Fix: give a string'],
      // Not a refusal: a field given as undefined is not given (it used to erase the default account and crash).
      [{ callbackUrl: 'http://a:b@127.0.0.1/x', accounts: undefined, callbacks: {} }, undefined],
      [{ maxMessages: 0 }, "startEmulator option maxMessages: maxMessages: '0' is not valid. Fix: use a whole number of 1 or more"],
      [{ maxMessages: 1_000_001 }, 'startEmulator option maxMessages: maxMessages:'],
      [{ maxMessages: 1.5 }, "maxMessages: '1.5' is not valid"],
      [{ maxMessages: '10' }, 'maxMessages: is a string. Fix: give a whole number'],
      [{ callbackTimeout: '597h' }, 'startEmulator option callbackTimeout: callbackTimeout:'],
      [{ callbackTimeout: 'soon' }, "callbackTimeout: 'soon' is not valid. Fix: use a duration such as '250ms', '2s' or '1m'"],
      [{ deliveryDelay: -1 }, 'startEmulator option deliveryDelay: deliveryDelay:'],
      [{ deliveryDelay: '8761h' }, 'startEmulator option deliveryDelay: deliveryDelay:'],
      [{ controlToken: 'short' }, 'startEmulator option controlToken: controlToken:'],
      [{ fetchExternalMedia: 'yes' }, 'fetchExternalMedia: is a string. Fix: give true or false'],
      [{ config: join(dir, 'missing.yaml') }, 'missing.yaml: (file): cannot be read (ENOENT)'],
    ].map(([options, expected]) => ({ options, expected, label: JSON.stringify(options).slice(0, 80) })) as Array<{
      options: Record<string, unknown>;
      expected: string | undefined;
      label: string;
    }>,
  )('refuses $label past its bound, naming option, field and fix', ({ options, expected }) => {
    if (expected === undefined) {
      expect(() => resolveConfig({ overrides: options as StartOptions })).not.toThrow();
      return;
    }
    expect(refusal(options as StartOptions)).toContain(expected);
  });

  it('a shortcut and the same field in full are refused: one of the two would be ignored', () => {
    expect(refusal({ deliveryDelay: '1s', callbacks: { deliveryDelay: '2s' } })).toContain(
      'startEmulator option deliveryDelay: deliveryDelay: is given twice: as the deliveryDelay option and as callbacks.deliveryDelay. Fix: give it once',
    );
    expect(
      refusal({
        callbackUrl: 'http://127.0.0.1:9/a',
        accounts: [{ id: '1', users: [{ username: 'u', password: 'p' }], applications: [{ id: 'app', callbackUrl: 'http://127.0.0.1:9/b' }] }],
      }),
    ).toContain('is given twice: as the callbackUrl option and as accounts[0].applications[0].callbackUrl');
  });

  it('an unknown option is still refused', () => {
    expect(refusal({ callbackURL: 'http://127.0.0.1:9/a' } as StartOptions)).toContain('startEmulator options');
  });
});

describe('an accounts override', () => {
  const app = { id: 'app-1' };
  const numbers = [{ number: '+19195550177', applicationId: 'app-1' }];

  it('without users or OAuth clients is refused, naming the account, the missing field and the fix', async () => {
    const message = refusal({ accounts: [{ id: '5550001', applications: [app], numbers }] });
    expect(message).toBe(
      "startEmulator options: accounts[0].users: account '5550001' has no API user and no OAuth client, so every request to it would get 401. Fix: add users: [{ username: 'bw-user', password: 'bw-password' }] (or oauthClients), or set permissive: true",
    );
    await expect(startEmulator({ accounts: [{ id: '5550001', applications: [app], numbers }] })).rejects.toThrow(EmulatorConfigError);
  });

  it('from a config file is refused the same way, naming the file', () => {
    const path = join(dir, 'no-users.yaml');
    writeFileSync(path, 'accounts:\n  - id: "77"\n    applications: [{ id: a }]\n');
    expect(refusal({ config: path })).toContain(`${path}: accounts[0].users: account '77' has no API user and no OAuth client`);
  });

  it('with users: sdkConfig carries them and the SDK gets its 202', async () => {
    const bw = await start({ accounts: [{ id: '5550002', users: [{ username: 'me', password: 'pw' }], applications: [app], numbers }] });
    expect(bw.sdkConfig).toEqual({ basePath: bw.url, username: 'me', password: 'pw' });
    const { status } = await sendSms(bw.sdkConfig, '5550002', 'app-1', numbers[0]!.number);
    expect(status).toBe(202);
  });

  it('with only an OAuth client is accepted (Bearer tokens authenticate)', () => {
    const config = resolveConfig({ overrides: { accounts: [{ id: '5550003', oauthClients: [{ clientId: 'c', clientSecret: 's' }], applications: [app] }] } });
    expect(config.accounts[0]!.oauthClients).toHaveLength(1);
  });

  it('in permissive mode needs no users, and sdkConfig still has credentials that work', async () => {
    const bw = await start({ permissive: true, accounts: [{ id: '5550004', applications: [app], numbers }] });
    expect(bw.sdkConfig.username).not.toBe('');
    const { status } = await sendSms(bw.sdkConfig, '5550004', 'app-1', numbers[0]!.number);
    expect(status).toBe(202);
  });
});
