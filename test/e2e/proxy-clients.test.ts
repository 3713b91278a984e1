// Other languages through the proxy, with their standard library only and the real Bandwidth URLs: Python's urllib
// (https_proxy, SSL_CERT_FILE), Ruby's net/http (http_proxy/https_proxy, ca_file), Java's HttpClient
// (JAVA_TOOL_OPTIONS: -Dhttps.proxyHost/-Dhttps.proxyPort and a truststore holding the CA). Each mints the OAuth token at api.bandwidth.com, sends at
// messaging.bandwidth.com and gets 202; the callback reaches the sink. Python and Ruby also try another host, which is
// refused. A missing runtime skips with the reason, except python3 and ruby under CI (.ci/run installs them); Java is
// optional (skipped when java is not on the machine, even under CI).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { useEmulators } from '../helpers/fixture.js';
import { PROXY_ACCOUNT, proxyStartOptions, tempCaDir, trustedCa } from '../helpers/proxy.js';

const run = promisify(execFile);
const { start, newSink } = useEmulators();
const ca = tempCaDir();
afterAll(() => ca.remove());

const CLIENTS = [
  {
    language: 'Python',
    command: 'python3',
    args: ['send.py'],
    install: 'python3 (apt-get install -y python3)',
    required: true,
    to: '+19195553201',
    refusal: true,
  },
  { language: 'Ruby', command: 'ruby', args: ['send.rb'], install: 'ruby (apt-get install -y ruby)', required: true, to: '+19195553202', refusal: true },
  {
    language: 'Java',
    command: 'java',
    args: ['Send.java'],
    install: 'a JDK 11 or later (apt-get install -y default-jdk-headless)',
    required: false,
    to: '+19195553203',
    refusal: false,
  },
] as const;

/**
 * What a client needs beyond the environment variables: Java reads no proxy variable and trusts a truststore, so it
 * gets system properties through JAVA_TOOL_OPTIONS and a PKCS12 truststore holding only the CA, made with keytool.
 */
async function extraEnv(command: string, proxyUrl: string, caCertPath: string): Promise<Record<string, string>> {
  if (command !== 'java') return {};
  const store = join(ca.dir, `truststore-${Date.now()}.p12`);
  await run(
    'keytool',
    ['-importcert', '-noprompt', '-alias', 'bandwidth-emulator', '-file', caCertPath, '-keystore', store, '-storetype', 'PKCS12', '-storepass', 'changeit'],
    {
      timeout: 60_000,
    },
  );
  const { hostname, port } = new URL(proxyUrl);
  return {
    JAVA_TOOL_OPTIONS: `-Dhttps.proxyHost=${hostname} -Dhttps.proxyPort=${port} -Djavax.net.ssl.trustStore=${store} -Djavax.net.ssl.trustStorePassword=changeit`,
  };
}

/** Whether `command` runs here; when it does not, the skip reason (or, under CI for a required one, an error). */
async function missing(command: string, install: string, required: boolean): Promise<string | undefined> {
  try {
    await run(command, ['--version'], { timeout: 30_000 });
    return undefined;
  } catch {
    const reason = `${command} is not installed; install ${install} to run this test`;
    if (process.env.CI && required) throw new Error(`${reason}. CI is set, so the test fails instead of skipping (.ci/run installs it).`);
    console.warn(`SKIPPING the ${command} proxy client test: ${reason}`);
    return reason;
  }
}

/** The environment without any proxy setting of the machine's own: the test names the proxy itself. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/_proxy$/i.test(name) && !/^(SSL_CERT_FILE|SSL_CERT_DIR|REQUESTS_CA_BUNDLE)$/.test(name)),
  );
}

describe.each(CLIENTS)('$language through the proxy', ({ command, args, install, required, to, refusal }) => {
  it(`${args.join(' ')}: the OAuth token and a 202 at the real Bandwidth URLs, trusting the emulator's CA; the callback arrives`, async (ctx) => {
    const reason = await missing(command, install, required);
    if (reason) return ctx.skip(reason);
    const sink = await newSink();
    const running = await start(proxyStartOptions(ca.dir, sink.url));
    await trustedCa(running);
    const { stdout } = await run(command, args, {
      cwd: fileURLToPath(new URL('../fixtures/proxy-clients/', import.meta.url)),
      timeout: 90_000,
      env: {
        ...cleanEnv(),
        https_proxy: running.proxyUrl,
        http_proxy: running.proxyUrl,
        SSL_CERT_FILE: running.caCertPath,
        BW_PROXY: running.proxyUrl,
        BW_CA: running.caCertPath,
        BW_CLIENT_ID: PROXY_ACCOUNT.clientId,
        BW_CLIENT_SECRET: PROXY_ACCOUNT.clientSecret,
        BW_ACCOUNT: PROXY_ACCOUNT.id,
        BW_APPLICATION: PROXY_ACCOUNT.applicationId,
        BW_FROM: PROXY_ACCOUNT.from,
        BW_TO: to,
        ...(await extraEnv(command, running.proxyUrl, running.caCertPath)),
      },
    });
    const steps = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { step: string; status?: number; id?: string; refused?: boolean; reason?: string });
    expect(steps[0]).toEqual({ step: 'token', status: 200 });
    expect(steps[1]).toMatchObject({ step: 'sent', status: 202, id: expect.stringMatching(/^\w{29}$/) });
    const id = steps[1]!.id!;
    await running.callbacks.waitFor({ messageId: id, type: 'message-delivered' }, { timeoutMs: 5000 });
    expect(sink.requests.some((r) => JSON.stringify(r.body).includes(id))).toBe(true);
    const stored = (await running.messages.list({ to })).map((m) => m.id);
    expect(stored).toEqual([id]);
    if (refusal) {
      expect(steps[2]).toMatchObject({ step: 'other-host', refused: true });
      expect(steps[2]!.reason).toMatch(/403/);
    }
  });
});
