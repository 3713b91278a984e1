import type { FastifyInstance } from 'fastify';
import { certificatesOf } from './app-certificates.js';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { EmulatorConfigError } from '../errors.js';
import { EMULATED_HOSTS, isEmulatedHost, proxyVerdict } from './bandwidth-hosts.js';
import { ServedSockets } from './served-sockets.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, terminateTls } from './tls-termination.js';

/** Tunnels open at once past which a CONNECT gets 503: each holds a socket and, inside, a TLS session. */
const DEFAULT_MAX_TUNNELS = 256;
/** A tunnel that carries nothing for this long, with no request in flight, is closed. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/** The bounds of CONNECT tunnels; tests shorten them. */
export interface TunnelBounds {
  maxTunnels: number;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 502: 'Bad Gateway', 503: 'Service Unavailable' };

/** Answer a CONNECT with an error and close: a text/plain reason the client's proxy error shows, one log line. */
function refuse(app: FastifyInstance, socket: Socket, target: string, status: number, reason: string): void {
  const shown = target.length > 100 ? `${target.slice(0, 100)}…` : target;
  app.log.info({ method: 'CONNECT', target: shown, status, reason }, `${status} CONNECT ${shown}: ${reason}`);
  const body = `${reason}\n`;
  const head = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  if (!socket.writable) return void socket.destroy();
  // Destroyed once written: a client that never reads nor closes does not keep the socket.
  socket.end(head + body, () => socket.destroy());
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * Serve CONNECT tunnels to Bandwidth's hosts on `app.server` (the API port, and every door that feeds it): the target
 * is judged by its name alone (`proxyVerdict`); a refused one gets 403 or 400 and no connection is ever opened
 * anywhere. An accepted :443 tunnel is TLS terminated here with a leaf for the host from `certificatesOf(app)`, :80 stays
 * plain; either way the socket is handed to the same server, so the requests inside meet the same routes, auth and
 * callbacks as on the emulator's own URL.
 */
export function registerConnectTunnels(app: FastifyInstance, proxyEnabled: boolean, bounds: Partial<TunnelBounds> = {}): void {
  const limits: TunnelBounds = {
    maxTunnels: bounds.maxTunnels ?? DEFAULT_MAX_TUNNELS,
    handshakeTimeoutMs: bounds.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    idleTimeoutMs: bounds.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
  };
  const tunnels = new ServedSockets(app);
  let open = 0;
  app.server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // An error before the tunnel is set up (the client hung up) must not reach the process.
    socket.on('error', () => socket.destroy());
    const target = req.url ?? '';
    if (!proxyEnabled) {
      return refuse(
        app,
        socket,
        target,
        403,
        `proxy mode is off on this emulator (--proxy=false, BW_EMULATOR_PROXY=false, config proxy.enabled): start it with --proxy to tunnel to ${EMULATED_HOSTS.join(' and ')}`,
      );
    }
    const verdict = proxyVerdict(target);
    if (!verdict.ok) return refuse(app, socket, target, verdict.status, verdict.reason);
    if (tunnels.isClosing) return refuse(app, socket, target, 503, 'the emulator is shutting down');
    if (open >= limits.maxTunnels) {
      return refuse(app, socket, target, 503, `${open} tunnels are open, the most this emulator keeps (${limits.maxTunnels}); close some and retry`);
    }
    open++;
    socket.once('close', () => open--);
    app.log.debug({ method: 'CONNECT', target: `${verdict.host}:${verdict.port}` }, `CONNECT ${verdict.host}:${verdict.port}: tunnel open (${verdict.tunnel})`);
    // Until its TLS handshake, a :443 tunnel is bounded by the handshake timeout; a :80 one by the idle timeout.
    tunnels.add(socket, undefined, verdict.tunnel === 'plain' ? limits.idleTimeoutMs : undefined);
    // What the client sent after the CONNECT head (an eager ClientHello) is read first by whatever serves the tunnel.
    if (head.length > 0) socket.unshift(head);
    if (verdict.tunnel === 'plain') {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      app.server.emit('connection', socket);
      return;
    }
    void certificatesOf(app)
      .get()
      .then((ca) => ca.secureContext(verdict.host).then((context) => ({ ca, context })))
      .then(
        ({ ca, context }) => {
          if (socket.destroyed) return;
          socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          tunnels.forget(socket);
          const tls = terminateTls(socket, {
            context,
            // A client may name another Bandwidth host in its ClientHello than in its CONNECT; any other name keeps the leaf
            // of the CONNECT's host, which that client then refuses (no leaf is issued for a name a client invents).
            pickContext: async (name) => (isEmulatedHost(name) ? ca.secureContext(name) : undefined),
            handshakeTimeoutMs: limits.handshakeTimeoutMs,
            onSecure: (secured) => app.server.emit('connection', secured),
            onFail: (reason) => app.log.debug({ target: verdict.host, reason }, `CONNECT ${verdict.host}:443: ${reason}`),
          });
          tunnels.add(tls, () => socket.destroy(), limits.idleTimeoutMs);
        },
        (error: Error) => {
          const reason =
            error instanceof EmulatorConfigError
              ? `the emulator's local CA cannot be opened: ${error.message}`
              : `no certificate for ${verdict.host}: ${error.message}`;
          app.log.warn({ target: verdict.host, reason }, `CONNECT ${verdict.host}:443: ${reason}`);
          refuse(app, socket, target, 502, reason);
        },
      );
  });
}
