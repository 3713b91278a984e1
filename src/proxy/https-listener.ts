import type { FastifyInstance } from 'fastify';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { CertificateAuthority } from './certificate-authority.js';
import { isEmulatedHost } from './bandwidth-hosts.js';
import { DEFAULT_IDLE_TIMEOUT_MS } from './connect-tunnel.js';
import type { ServedSockets } from './served-sockets.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, terminateTls } from './tls-termination.js';

/** What the HTTPS listener needs besides the app. */
export interface HttpsListenerOptions {
  /** The opened CA (the listener opens it at start, so a broken CA folder stops start-up, not the first handshake). */
  ca: CertificateAuthority;
  /** Whether the emulator answers to a host name (the host guard's allow-list): only those get a leaf by SNI. */
  answersTo: (name: string) => boolean;
  /** Follows the listener's connections so closing the app ends them. */
  sockets: ServedSockets;
  /** Bounds of the handshakes (tests shorten them). */
  bounds?: Partial<HandshakeBounds>;
}

/** How long a handshake may take, and how many may be under way at once (past that a new connection is dropped). */
export interface HandshakeBounds {
  handshakeTimeoutMs: number;
  maxHandshakes: number;
}

/** Names the leaf for a client without SNI carries besides the address it reached. */
const ADDRESS_LEAF_ALSO = ['127.0.0.1', '::1', 'localhost'];

/** TLS handshakes under way at once on the HTTPS listener: each costs a TLS session and, for a new name, a signature. */
const DEFAULT_MAX_HANDSHAKES = 128;

/** The address a client reached, as a leaf's IP name: an IPv4-mapped IPv6 address is its IPv4 one. */
function reachedAddress(socket: Socket): string {
  const local = (socket.localAddress ?? '').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
  return isIP(local) !== 0 ? local : '127.0.0.1';
}

/**
 * A TLS listener (not yet listening) whose connections, once the handshake is done, are served by `app.server`: the
 * same routes, auth and callbacks as the plain port, with `req.protocol` 'https'. The leaf is picked by SNI for the
 * Bandwidth hosts and every name the host guard answers to; a client that sends no SNI (it dialled an IP address), or
 * one the emulator does not answer to, gets the leaf of the address it reached (which also names 127.0.0.1, ::1 and
 * localhost). Names outside that set issue nothing,
 * and the CA keeps at most 64 leaves, so hostile SNI names cost neither memory nor signatures.
 */
export function createHttpsListener(app: FastifyInstance, options: HttpsListenerOptions): Server {
  const { ca, answersTo, sockets } = options;
  const handshakeTimeoutMs = options.bounds?.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const maxHandshakes = options.bounds?.maxHandshakes ?? DEFAULT_MAX_HANDSHAKES;
  let handshaking = 0;
  const pickContext = async (name: string): Promise<SecureContext | undefined> => {
    const plain = name.toLowerCase().replace(/\.$/, '');
    return isEmulatedHost(plain) || answersTo(plain) ? ca.secureContext(plain) : undefined;
  };
  return createServer((socket) => {
    socket.on('error', () => socket.destroy());
    if (handshaking >= maxHandshakes) {
      app.log.debug(`HTTPS listener: ${handshaking} TLS handshakes under way, the most it serves at once (${maxHandshakes}); connection dropped`);
      return void socket.destroy();
    }
    handshaking++;
    let counted = true;
    const handshakeOver = () => {
      if (counted) handshaking--;
      counted = false;
    };
    socket.once('close', handshakeOver);
    sockets.add(socket);
    // Also the loopback names: behind a port mapping (Docker) the address reached is not the one the client dialled.
    ca.secureContext(reachedAddress(socket), ADDRESS_LEAF_ALSO).then(
      (context) => {
        if (socket.destroyed) return;
        sockets.forget(socket);
        const tls = terminateTls(socket, {
          context,
          pickContext,
          handshakeTimeoutMs,
          onSecure: (secured) => {
            handshakeOver();
            app.server.emit('connection', secured);
          },
          onFail: (reason) => app.log.debug({ reason }, `HTTPS listener: ${reason}`),
        });
        sockets.add(tls, () => socket.destroy(), DEFAULT_IDLE_TIMEOUT_MS);
      },
      (error: Error) => {
        app.log.warn({ err: error }, `HTTPS listener: no certificate for ${reachedAddress(socket)}: ${error.message}`);
        socket.destroy();
      },
    );
  });
}
