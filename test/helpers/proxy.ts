import { mkdtempSync, rmSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { certificatesOf } from '../../src/proxy/app-certificates.js';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartOptions } from '../../src/start.js';

/** The account proxy tests send as: Basic user, OAuth client, an application whose callbacks go to `callbackUrl`. */
export const PROXY_ACCOUNT = {
  id: '9904210',
  username: 'proxy-user',
  password: 'proxy-password',
  clientId: 'proxy-client',
  clientSecret: 'proxy-client-secret',
  applicationId: 'a5d1b000-0000-4000-8000-000000002101',
  from: '+19195552101',
} as const;

/** A temporary CA folder (never the real ~/.config), removed by `remove`. */
export function tempCaDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bw-emulator-ca-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Start options for a proxy test: the account above, callbacks to `callbackUrl`, a temporary CA folder. */
export function proxyStartOptions(caDir: string, callbackUrl: string, more: StartOptions = {}): StartOptions {
  return {
    caDir,
    accounts: [
      {
        id: PROXY_ACCOUNT.id,
        users: [{ username: PROXY_ACCOUNT.username, password: PROXY_ACCOUNT.password }],
        oauthClients: [{ clientId: PROXY_ACCOUNT.clientId, clientSecret: PROXY_ACCOUNT.clientSecret }],
        applications: [{ id: PROXY_ACCOUNT.applicationId, callbackUrl }],
        numbers: [{ number: PROXY_ACCOUNT.from, applicationId: PROXY_ACCOUNT.applicationId }],
      },
    ],
    ...more,
  };
}

/** A message body for PROXY_ACCOUNT. */
export function proxyMessage(to: string, text: string): string {
  return JSON.stringify({ from: PROXY_ACCOUNT.from, to: [to], text, applicationId: PROXY_ACCOUNT.applicationId });
}

/** Send a raw CONNECT (HTTP/`version`) for `target` to the proxy at `proxyUrl`, then `extra`; resolves with the answer's text and the socket. */
export async function rawConnect(proxyUrl: string, target: string, extra = '', version = '1.1'): Promise<{ status: number; text: string; socket: Socket }> {
  const { hostname, port } = new URL(proxyUrl);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(`CONNECT ${target} HTTP/${version}\r\nHost: ${target}\r\n\r\n${extra}`);
  let text = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to CONNECT ${target}: ${JSON.stringify(text)}`)), 10_000);
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = /content-length: (\d+)/i.exec(text.slice(0, end));
      if (length && text.length < end + 4 + Number(length[1])) return;
      clearTimeout(timer);
      socket.off('data', onData);
      resolve();
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), text, socket };
}

/** Resolve once `socket` has closed (the emulator ended it), or reject after `timeoutMs`. */
export function closedWithin(socket: Socket, timeoutMs: number): Promise<void> {
  if (socket.destroyed && socket.closed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.resume();
  });
}

/** The CA certificate a client trusts: the CA opens lazily, so this makes it (in the test's temporary folder) first. */
export async function trustedCa(running: { app: FastifyInstance }): Promise<string> {
  return (await certificatesOf(running.app).get()).certPem;
}

/** A Basic Authorization header value. */
export const basicAuth = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** TLS over a tunnel already answered 200: the client side of what curl does after CONNECT. */
export function tlsOver(socket: Socket, servername: string, caPem: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secured = tlsConnect({ socket, servername, ca: caPem, ALPNProtocols: ['http/1.1'] }, () => resolve(secured));
    secured.once('error', reject);
  });
}

/** One HTTP/1.1 request written on `socket`, the status of its answer. */
export function requestOn(socket: Socket, head: string, body = ''): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (end >= 0 && length && text.length >= end + 4 + Number(length[1])) {
        socket.off('data', onData);
        resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), text });
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(`${head}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}

/** The head of a POST of a message for PROXY_ACCOUNT with Basic auth, naming `host`. */
export const messagePost = (host: string): string =>
  `POST /api/v2/users/${PROXY_ACCOUNT.id}/messages HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${basicAuth(PROXY_ACCOUNT.username, PROXY_ACCOUNT.password)}\r\nContent-Type: application/json`;

/** A loopback TCP server that counts the connections it gets: a refused proxy request naming it must never reach it. */
export interface Sentinel {
  port: number;
  connections(): number;
  close(): Promise<void>;
}

/** Start a sentinel on 127.0.0.1, port 0; the caller closes it. */
export async function startSentinel(): Promise<Sentinel> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
