import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';

/** How long a client has to finish its TLS handshake before the connection is dropped. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/** How to terminate TLS on one socket. */
export interface TlsTermination {
  /** The context used when the client names no server (no SNI), or one `pickContext` declines. */
  context: SecureContext;
  /** The context for the name the client sent (SNI), or undefined to keep `context`. */
  pickContext?: (servername: string) => Promise<SecureContext | undefined>;
  /** A handshake still not finished after this long is dropped. */
  handshakeTimeoutMs: number;
  /** Called once the handshake is done, with the socket to serve HTTP on. */
  onSecure: (tls: TLSSocket) => void;
  /** Called once if the handshake fails or times out (the socket is already destroyed): why, for a debug line. */
  onFail: (reason: string) => void;
}

/**
 * Serve TLS on `socket` as a server (HTTP/1.1 by ALPN), with a leaf from the local CA. A client that sends anything
 * but a ClientHello, or stalls in the handshake, costs one timer and is dropped: nothing it sends can throw.
 */
export function terminateTls(socket: Socket, how: TlsTermination): TLSSocket {
  let done = false;
  const fail = (reason: string) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    tls.destroy();
    socket.destroy();
    how.onFail(reason);
  };
  const tls = new TLSSocket(socket, {
    isServer: true,
    secureContext: how.context,
    ALPNProtocols: ['http/1.1'],
    requestCert: false,
    rejectUnauthorized: false,
    SNICallback: (servername, answer) => {
      if (!how.pickContext) return answer(null, how.context);
      how.pickContext(servername).then(
        (picked) => answer(null, picked ?? how.context),
        (error: Error) => answer(error, undefined),
      );
    },
  });
  const timer = setTimeout(() => fail(`no TLS handshake within ${how.handshakeTimeoutMs} ms`), how.handshakeTimeoutMs);
  timer.unref();
  tls.on('error', (error: Error) => fail(`TLS: ${error.message}`));
  socket.on('error', (error: Error) => fail(`socket: ${error.message}`));
  tls.once('close', () => fail('closed before the TLS handshake finished'));
  tls.once('secure', () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    how.onSecure(tls);
  });
  return tls;
}
