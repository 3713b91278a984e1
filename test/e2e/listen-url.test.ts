// Links the emulator hands out when it binds a wildcard address (0.0.0.0 or ::, as the Docker image does): a client
// cannot connect to a wildcard, so its URL and every link in a body name loopback instead (src/listen-url.ts).
// These are the only tests that bind beyond 127.0.0.1, for the length of one test; every request goes to loopback.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listenUrl } from '../../src/listen-url.js';
import { useEmulators } from '../helpers/fixture.js';
import { events } from '../helpers/harness.js';

const ACCOUNT = '9906000';
const USER = 'listen-user';
const PASS = 'listen-password';
const APP = '0a1b2c3d-0000-4000-8000-00000000e001';
const NUMBER = '+19195550700';
const HANDSET = '+19195558701';
const BASIC = 'Basic ' + Buffer.from(`${USER}:${PASS}`).toString('base64');
// A 1x1 PNG, the smallest real attachment.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const emulators = useEmulators();

/** Whether this machine can listen on `host` (an IPv4-only machine cannot bind ::). */
async function canListen(host: string): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, host, () => server.close(() => resolve(true)));
  });
}

const WILDCARDS: Array<[string, string]> = [
  ['0.0.0.0', '127.0.0.1'],
  ['::', '[::1]'],
];

describe.each(WILDCARDS)('bound to %s', (host, loopback) => {
  it(`hands out ${loopback} links: its url, inbound attachment links (stored and in message-received) and media listings`, async ({ skip }) => {
    if (!(await canListen(host))) skip(`this machine cannot listen on ${host}`);
    const sink = await emulators.newSink();
    const running = await emulators.start({
      host,
      accounts: [
        {
          id: ACCOUNT,
          users: [{ username: USER, password: PASS }],
          applications: [{ id: APP, callbackUrl: sink.url }],
          numbers: [{ number: NUMBER, applicationId: APP }],
        },
      ],
      callbacks: { deliveryDelay: '10ms', sendingDelay: '5ms', retryDelays: ['20ms'], timeout: '2s' },
    });
    // The server really listens on the wildcard; the URL names loopback on the same port.
    expect(running.app.server.address()).toMatchObject({ address: host });
    const port = (running.app.server.address() as { port: number }).port;
    expect(running.url).toBe(`http://${loopback}:${port}`);
    expect(running.sdkConfig.basePath).toBe(running.url);
    expect((await fetch(`${running.url}/__emulator/health`)).status).toBe(200);

    // An inbound MMS with an attachment: the stored link and the one in message-received name loopback, and work.
    const [copy] = await running.inbound({
      from: HANDSET,
      to: [NUMBER],
      text: 'pic',
      media: [{ filename: 'dot.png', contentType: 'image/png', contentBase64: PNG.toString('base64') }],
    });
    const link = `${running.url}/api/v2/users/${ACCOUNT}/media/${copy!.id}/0/dot.png`;
    expect(copy!.media).toEqual([link]);
    await running.callbacks.waitFor({ messageId: copy!.id, type: 'message-received', outcome: 'delivered' }, { timeoutMs: 5000 });
    expect(events(sink).map((e) => e.message.media)).toEqual([[link]]);
    const attachment = await fetch(link, { headers: { authorization: BASIC } });
    expect(attachment.status).toBe(200);
    expect(Buffer.from(await attachment.arrayBuffer()).equals(PNG)).toBe(true);

    // A media listing's links too.
    const listing = await fetch(`${running.url}/users/${ACCOUNT}/media`, { headers: { authorization: BASIC } });
    expect(((await listing.json()) as Array<{ content: string }>).map((m) => m.content)).toEqual([link]);

    const everything = JSON.stringify({ url: running.url, message: copy, bodies: sink.requests.map((r) => r.body), state: await running.state.export() });
    expect(everything).not.toContain('0.0.0.0');
    expect(everything).not.toContain('[::]');
  });
});

describe('listenUrl', () => {
  it('names loopback for a wildcard bind, brackets IPv6, keeps a named host, and takes the port from the address', () => {
    const address = { address: '0.0.0.0', family: 'IPv4', port: 4321 };
    expect(listenUrl('0.0.0.0', address, 4010)).toBe('http://127.0.0.1:4321');
    expect(listenUrl('', address, 4010)).toBe('http://127.0.0.1:4321');
    expect(listenUrl('::', { ...address, address: '::', family: 'IPv6' }, 4010)).toBe('http://[::1]:4321');
    expect(listenUrl('::1', null, 4010)).toBe('http://[::1]:4010');
    expect(listenUrl('127.0.0.1', null, 4010)).toBe('http://127.0.0.1:4010');
    expect(listenUrl('localhost', address, 4010)).toBe('http://localhost:4321');
  });
});
