// CONNECT tunnels (README "What the proxy answers"): a client with HTTPS_PROXY reaches https://messaging.bandwidth.com
// and https://api.bandwidth.com through the emulator, TLS terminated with a leaf of the test's own CA, and is served
// exactly as on the emulator's URL (OAuth, Basic, the 202, the callback). Every other target is refused by name, and
// nothing is ever dialled: a sentinel server named by a refused CONNECT is never reached.
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { fetch, ProxyAgent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { useEmulators } from '../helpers/fixture.js';
import { closedWithin, PROXY_ACCOUNT, proxyMessage, proxyStartOptions, rawConnect, tempCaDir, trustedCa } from '../helpers/proxy.js';

const { start, newSink, defer } = useEmulators();
const ca = tempCaDir();
afterAll(() => ca.remove());

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('CONNECT tunnels to the Bandwidth hosts', () => {
  it('undici ProxyAgent: the OAuth token at api.bandwidth.com, then a 202 at messaging.bandwidth.com whose callback reaches the sink', async () => {
    const sink = await newSink();
    const running = await start(proxyStartOptions(ca.dir, sink.url));
    const agent = new ProxyAgent({ uri: running.proxyUrl, requestTls: { ca: await trustedCa(running) } });
    defer(() => agent.close());
    const token = await fetch('https://api.bandwidth.com/api/v1/oauth2/token', {
      dispatcher: agent,
      method: 'POST',
      headers: { authorization: basic(PROXY_ACCOUNT.clientId, PROXY_ACCOUNT.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(200);
    const { access_token } = (await token.json()) as { access_token: string };
    const sent = await fetch(`https://messaging.bandwidth.com/api/v2/users/${PROXY_ACCOUNT.id}/messages`, {
      dispatcher: agent,
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: proxyMessage('+19195553001', 'through the tunnel'),
    });
    expect(sent.status).toBe(202);
    const message = (await sent.json()) as { id: string; owner: string };
    expect(message.owner).toBe(PROXY_ACCOUNT.from);
    const delivered = await running.callbacks.waitFor({ messageId: message.id, type: 'message-delivered' }, { timeoutMs: 5000 });
    expect(delivered.outcome).toBe('delivered');
    expect(sink.requests.some((r) => JSON.stringify(r.body).includes(message.id))).toBe(true);
  });
});
