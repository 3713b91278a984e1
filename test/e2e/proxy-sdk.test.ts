// The must-show of proxy mode (README "Proxy mode"): the official SDKs configured for production, unchanged, reach the
// emulator through HTTPS_PROXY alone. A child Node process runs each SDK (test/fixtures/proxy/) with HTTPS_PROXY set to
// the emulator's port, NODE_EXTRA_CA_CERTS to the test's own CA, NO_PROXY empty and no other proxy variable:
// bandwidth-sdk with OAuth client credentials and no basePath (its hard-coded token URL), the legacy
// @bandwidth/messaging with its default environment (Production) and Basic. Both run on axios: before 1.16.1 it
// sent an https:// URL to an http:// proxy absolute-form in clear (test/e2e/proxy-absolute-form.test.ts covers that
// form byte for byte); the axios installed here (1.21) opens a CONNECT tunnel and speaks TLS inside it, trusting the
// CA through NODE_EXTRA_CA_CERTS, so these tests go through the CONNECT tunnel.
// The test proves the emulator served them (the token it issued, the message in its store) and that the message's
// callback reached a receiver, waiting on the journal. A request the same SDK makes for another host is refused, and
// the sentinel server it named never sees a connection.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCertificateAuthority } from '../../src/proxy/certificate-authority.js';
import type { RunningEmulator } from '../../src/start.js';
import type { CallbackSink } from '../helpers/sink.js';
import { events } from '../helpers/harness.js';
import { type Sentinel, startSentinel } from '../helpers/proxy.js';
import { useEmulators } from '../helpers/fixture.js';

const run = promisify(execFile);
const { start, newSink } = useEmulators();

const ACCOUNT = '9902101';
const APP = '0a1b2c3d-0000-4000-8000-000000002101';
const FROM = '+19195552101';

let caDir: string;
let caPath: string;
let running: RunningEmulator;
let sink: CallbackSink;
let sentinel: Sentinel;

beforeAll(async () => {
  caDir = await mkdtemp(join(tmpdir(), 'bwe-proxy-sdk-ca-'));
  caPath = (await openCertificateAuthority(caDir)).certPath;
  sink = await newSink();
  running = await start({
    caDir,
    accounts: [
      {
        id: ACCOUNT,
        users: [{ username: 'proxy-sdk-user', password: 'proxy-sdk-pass' }],
        oauthClients: [{ clientId: 'proxy-sdk-client', clientSecret: 'proxy-sdk-secret' }],
        applications: [{ id: APP, callbackUrl: sink.url }],
        numbers: [{ number: FROM, applicationId: APP }],
      },
    ],
  });
  sentinel = await startSentinel();
});
afterAll(async () => {
  await sentinel.close();
  await rm(caDir, { recursive: true, force: true });
});

/** This process's environment without any proxy variable (any case, npm's too), plus the proxy mode ones. */
function proxyEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/proxy/i.test(name)));
  // The proxy shares the API port unless proxy.port gives it its own; startEmulator reports which as proxyUrl.
  return {
    ...env,
    HTTPS_PROXY: running.proxyUrl,
    NODE_EXTRA_CA_CERTS: caPath,
    NO_PROXY: '',
    BW_ACCOUNT: ACCOUNT,
    BW_APPLICATION: APP,
    BW_FROM: FROM,
    ...extra,
  };
}

/** Run a fixture script in its own Node process and parse the JSON line it prints per step. */
async function runScript(script: string, env: NodeJS.ProcessEnv): Promise<Array<Record<string, unknown>>> {
  const path = fileURLToPath(new URL(`../fixtures/proxy/${script}`, import.meta.url));
  // Asynchronous: the emulator answering the script runs in this very process.
  const { stdout } = await run(process.execPath, [path], { timeout: 60_000, env }).catch(
    (error: Error & { stdout?: string; stderr?: string; code?: unknown }) => {
      throw new Error(`${script} failed (exit ${String(error.code)}): ${error.message}\nstdout: ${error.stdout ?? ''}\nstderr: ${error.stderr ?? ''}`);
    },
  );
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Wait on the journal until the message's callback was delivered, then check the receiver got that very event. */
async function expectCallbackReachedSink(messageId: string, to: string): Promise<void> {
  const entry = await running.callbacks.waitFor({ messageId, outcome: 'delivered' }, { timeoutMs: 15_000 });
  expect(entry.target).toBe(sink.url);
  expect(events(sink)).toContainEqual(expect.objectContaining({ to, message: expect.objectContaining({ id: messageId, direction: 'out' }) }));
}

describe('the official SDKs, unchanged, through HTTPS_PROXY', () => {
  it('bandwidth-sdk: OAuth client credentials, no basePath; the token is the emulator’s, the message stored, its callback at the sink', async () => {
    const to = '+19195557201';
    const steps = await runScript(
      'bandwidth-sdk-oauth.mjs',
      proxyEnv({ BW_CLIENT_ID: 'proxy-sdk-client', BW_CLIENT_SECRET: 'proxy-sdk-secret', BW_TO: to, SENTINEL_PORT: String(sentinel.port) }),
    );
    const sent = steps.find((s) => s.step === 'sent') as { status: number; id: string; token: string };
    expect(sent.status).toBe(202);
    // The SDK got its token from the hard-coded https://api.bandwidth.com URL; only this emulator can vouch for it.
    expect(running.emulator.accounts.checkBearer(ACCOUNT, sent.token)).toBe('ok');
    const stored = await running.messages.get(sent.id);
    expect(stored).toMatchObject({ id: sent.id, owner: FROM, to: [to], text: 'bandwidth-sdk through HTTPS_PROXY' });
    await expectCallbackReachedSink(sent.id, to);

    // The same SDK pointed at another host through the proxy: 403 from the emulator, the sentinel never reached.
    // (https-proxy-agent hands the proxy's refusal of the CONNECT to axios as the answer.)
    const elsewhere = steps.find((s) => s.step === 'elsewhere') as { status: number; body: unknown };
    expect(elsewhere.status).toBe(403);
    expect(String(elsewhere.body)).toContain('127.0.0.1');
    expect(sentinel.connections()).toBe(0);
  });

  it('@bandwidth/messaging: default environment (Production), Basic; the message stored, its callback at the sink', async () => {
    const to = '+19195557202';
    const steps = await runScript('legacy-messaging.mjs', proxyEnv({ BW_USER: 'proxy-sdk-user', BW_PASSWORD: 'proxy-sdk-pass', BW_TO: to }));
    const sent = steps.find((s) => s.step === 'sent') as { status: number; id: string };
    expect(sent.status).toBe(202);
    const stored = await running.messages.get(sent.id);
    expect(stored).toMatchObject({ id: sent.id, owner: FROM, to: [to], text: '@bandwidth/messaging through HTTPS_PROXY' });
    await expectCallbackReachedSink(sent.id, to);
  });
});
