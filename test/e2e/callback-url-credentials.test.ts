// Credentials written into a callback URL (http://user:pass@host/hook): they are sent as Basic (undici, which sends
// callbacks, dropped them without a word), and the URL the emulator keeps, prints, logs, journals and shows in the
// inbox carries no secret. Ambiguous settings (credentials twice, or with mode none) are refused with the fix.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { redactUrlCredentials, splitUrlCredentials } from '../../src/config/url-credentials.js';
import { banner } from '../../src/cli.js';
import { resolveConfig } from '../../src/config/resolve.js';
import type { ConfigFile } from '../../src/config/schema.js';
import { createEmulator } from '../../src/compose.js';
import { EmulatorConfigError } from '../../src/errors.js';
import { buildApp } from '../../src/server.js';
import { useCallbackHarness } from '../helpers/harness.js';

const ACCOUNT = '9906400';
const APP = '0a1b2c3d-0000-4000-8000-0000000064a1';
const OURS = '+19195550640';
const USER = 'hook-user-Qw7';
const PASSWORD = 'S3cret-Url-Pass';
const b64 = (text: string) => Buffer.from(text).toString('base64');

const harness = useCallbackHarness();

function configError(run: () => unknown): EmulatorConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof EmulatorConfigError) return error;
    throw error;
  }
  throw new Error('expected an EmulatorConfigError');
}

const account = (app: Record<string, unknown>): ConfigFile['accounts'] => [
  { id: ACCOUNT, users: [{ username: 'u', password: 'p' }], applications: [{ id: APP, ...app }], numbers: [{ number: OURS, applicationId: APP }] },
];

describe('redactUrlCredentials and splitUrlCredentials', () => {
  it('redact the userinfo of every URL in a text, and leave everything else alone', () => {
    expect(redactUrlCredentials(`POST http://${USER}:${PASSWORD}@127.0.0.1:3000/hook failed; retry https://a:b@x.example/y?z=1@2`)).toBe(
      'POST http://[redacted]@127.0.0.1:3000/hook failed; retry https://[redacted]@x.example/y?z=1@2',
    );
    for (const text of ['http://127.0.0.1:3000/hook', 'mailto:someone@example.com', 'https://x.example/path@thing', 'no url here'])
      expect(redactUrlCredentials(text)).toBe(text);
  });

  it('split the credentials off, percent-decoded; a URL without any comes back as written', () => {
    expect(splitUrlCredentials(`http://${USER}:p%40ss%3Aword@127.0.0.1:3000/webhooks?x=1`)).toEqual({
      url: 'http://127.0.0.1:3000/webhooks?x=1',
      credentials: { username: USER, password: 'p@ss:word' },
    });
    expect(splitUrlCredentials('http://127.0.0.1:3000/Webhooks')).toEqual({ url: 'http://127.0.0.1:3000/Webhooks' });
  });
});

describe('a callback URL with user:password@', () => {
  it('becomes the URL without them plus callbackAuth (preemptive Basic), from the config, a flag or the environment', () => {
    for (const config of [
      resolveConfig({ overrides: { accounts: account({ callbackUrl: `http://${USER}:${PASSWORD}@127.0.0.1:3000/webhooks` }) } }),
      resolveConfig({ flags: { callbackUrl: `http://${USER}:${PASSWORD}@127.0.0.1:3000/webhooks` } }),
      resolveConfig({ env: { BW_EMULATOR_CALLBACK_URL: `http://${USER}:${PASSWORD}@127.0.0.1:3000/webhooks` } }),
    ]) {
      const app = config.accounts[0]!.applications[0]!;
      expect(app.callbackUrl).toBe('http://127.0.0.1:3000/webhooks');
      expect(app.callbackAuth).toEqual({ mode: 'preemptive', username: USER, password: PASSWORD });
    }
    // Mode none, as written or the embedded default's, becomes preemptive: credentials in the URL mean "send them".
    expect(
      resolveConfig({ overrides: { accounts: account({ callbackUrl: `http://${USER}:${PASSWORD}@127.0.0.1:3000/h`, callbackAuth: { mode: 'none' } }) } })
        .accounts[0]!.applications[0]!.callbackAuth.mode,
    ).toBe('preemptive');
    // callbackAuth may name the mode and leave the credentials to the URLs (the same in both).
    const challenge = resolveConfig({
      overrides: {
        accounts: account({
          inboundCallbackUrl: `http://${USER}:${PASSWORD}@127.0.0.1:3000/in`,
          outboundCallbackUrl: `http://${USER}:${PASSWORD}@127.0.0.1:3000/out`,
          callbackAuth: { mode: 'challenge' },
        }),
      },
    });
    expect(challenge.accounts[0]!.applications[0]).toMatchObject({
      inboundCallbackUrl: 'http://127.0.0.1:3000/in',
      outboundCallbackUrl: 'http://127.0.0.1:3000/out',
      callbackAuth: { mode: 'challenge', username: USER, password: PASSWORD },
    });
  });

  it('is refused, naming the field and the fix, when the credentials are given twice or differ', () => {
    const twice = configError(() =>
      resolveConfig({
        overrides: {
          accounts: account({
            callbackUrl: `http://${USER}:${PASSWORD}@127.0.0.1:3000/h`,
            callbackAuth: { mode: 'preemptive', username: 'other', password: 'x' },
          }),
        },
      }),
    );
    expect(twice.problems).toEqual([
      expect.objectContaining({
        field: 'accounts[0].applications[0].callbackUrl',
        problem: expect.stringContaining('callbackAuth has a username too'),
        fix: expect.stringContaining('once'),
      }),
    ]);
    const differ = configError(() =>
      resolveConfig({
        overrides: { accounts: account({ inboundCallbackUrl: 'http://a:1@127.0.0.1:3000/in', outboundCallbackUrl: 'http://b:2@127.0.0.1:3000/out' }) },
      }),
    );
    expect(differ.problems[0]).toMatchObject({
      field: 'accounts[0].applications[0].outboundCallbackUrl',
      problem: expect.stringContaining('other credentials than inboundCallbackUrl'),
    });
    // A flag's URL is named as the flag; a config file's credentials in callbackAuth conflict with it.
    const flag = configError(() =>
      resolveConfig({
        flags: { callbackUrl: `http://${USER}:${PASSWORD}@127.0.0.1:3000/h` },
        overrides: { accounts: account({ callbackAuth: { mode: 'preemptive', username: 'file-user', password: 'x' } }) },
      }),
    );
    expect(flag.problems[0]).toMatchObject({ source: 'flag --callback-url', field: 'callbackUrl' });
    // No error message repeats the password.
    for (const error of [twice, differ, flag]) expect(error.message).not.toContain(PASSWORD);
    const unparsable = configError(() => resolveConfig({ flags: { callbackUrl: `http://${USER}:${PASSWORD}@` } }));
    expect(unparsable.message).toContain('http://[redacted]@');
    expect(unparsable.message).not.toContain(PASSWORD);
  });

  it('is sent as Basic to the receiver, and no banner, log line, journal entry, inbox answer or state export shows the password', async () => {
    const sink = await harness.newSink();
    const withCredentials = sink.url.replace('http://', `http://${USER}:${PASSWORD}@`);
    const lines: string[] = [];
    const config = resolveConfig({
      overrides: {
        logLevel: 'trace',
        accounts: account({ callbackUrl: withCredentials }),
        callbacks: { deliveryDelay: '5ms', retryDelays: ['5ms'], timeout: '1s' },
      },
    });
    const emulator = createEmulator(config, { logger: pino({ level: 'trace', base: undefined }, { write: (line: string) => void lines.push(line) }) });
    const app = await buildApp(emulator);
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      const created = await fetch(`${url}/users/${ACCOUNT}/messages`, {
        method: 'POST',
        headers: { authorization: `Basic ${b64('u:p')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ applicationId: APP, to: ['+19195557640'], from: OURS, text: 'hi' }),
      });
      expect(created.status).toBe(202);
      const { id } = (await created.json()) as { id: string };
      const entry = await emulator.callbackJournal.waitFor({ messageId: id, outcome: 'delivered' }, 5000);
      // The receiver got the credentials (before: none, undici drops userinfo), at the URL without them.
      expect(sink.requests[0]!.headers.authorization).toBe(`Basic ${b64(`${USER}:${PASSWORD}`)}`);
      expect(entry.target).toBe(sink.url);
      expect(entry.request.headers.authorization).toBe('Basic [redacted]');

      const shown = [
        banner(config, url),
        await (await fetch(`${url}/__emulator/messages/${id}`)).text(),
        await (await fetch(`${url}/__emulator/callbacks`)).text(),
        await (await fetch(`${url}/__emulator/state`)).text(),
        await (await fetch(`${url}/__emulator/accounts`)).text(),
        lines.join(''),
      ];
      expect(shown[0]).toContain(`callbacks     ${sink.url}  (sends Basic credentials as ${USER}, preemptive)`);
      for (const text of shown) {
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain(b64(`${USER}:${PASSWORD}`));
      }
      expect(lines.join('')).toContain('callback attempt');
    } finally {
      await app.close();
    }
  });
});
