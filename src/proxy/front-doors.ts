import type { FastifyInstance } from 'fastify';
import { certificatesOf } from './app-certificates.js';
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { EmulatorConfig } from '../config/resolve.js';
import { hostAllowList } from '../http/host-guard.js';
import { explainListenError } from '../http/listen-error.js';
import { listenUrl } from '../listen-url.js';
import { createHttpsListener, type HandshakeBounds } from './https-listener.js';
import { ServedSockets } from './served-sockets.js';

/** How long closing the app waits for requests in flight on the proxy port and the HTTPS listener before cutting them. */
const DOOR_CLOSE_GRACE_MS = 5000;

/** Where a listening emulator can be reached. */
export interface OpenDoors {
  /** The API's plain URL, e.g. http://127.0.0.1:4010. */
  url: string;
  /** The proxy for HTTPS_PROXY / HTTP_PROXY: the proxy's own port (`proxy.port`), else the API's. */
  proxyUrl: string;
  /** The HTTPS listener's URL when `proxy.httpsPort` is set. */
  httpsUrl?: string;
  /** The local CA's certificate, to trust (made on first use). */
  caCertPath: string;
}

/** A port the emulator could not listen on, explained with the option that chose it (like `explainListenError`). */
export class ListenError extends Error {
  /** `message` is the explanation with its fix; `code` is listen's (EADDRINUSE...). */
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ListenError';
  }
}

function listenOn(server: Server, host: string, port: number, flag: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => reject(new ListenError(explainListenError(error, host, port, flag), error.code));
    server.once('error', failed);
    server.listen({ host, port }, () => {
      server.off('error', failed);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Listen on every door of the emulator: the API port (`app.listen`), the proxy's own port when `proxy.port` is set
 * (a plain listener feeding the same server: absolute-form requests and CONNECT tunnels), and the HTTPS listener when
 * `proxy.httpsPort` is set (which opens the CA now, so a CA folder it cannot use stops start-up). The extra doors close
 * with the app. One function for the CLI and startEmulator; on a ListenError or EmulatorConfigError the caller closes
 * the app. Call it before the app is ready (it adds close hooks). `handshakes` shortens the HTTPS listener's bounds (tests).
 */
export async function listenOnAllDoors(app: FastifyInstance, config: EmulatorConfig, handshakes?: Partial<HandshakeBounds>): Promise<OpenDoors> {
  const doors: Server[] = [];
  const sockets = new ServedSockets(app);
  // In preClose, while the emulator is still open: a request in flight on a door is answered before the core closes.
  app.addHook('preClose', async () => {
    const closed = Promise.all(doors.map((door) => new Promise((resolve) => (door.listening ? door.close(resolve) : resolve(undefined)))));
    sockets.closeAll(false);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise((resolve) => {
      timer = setTimeout(resolve, DOOR_CLOSE_GRACE_MS);
    });
    await Promise.race([closed, grace]);
    clearTimeout(timer);
    // Past the grace, what a door still serves is cut (a tunnel's requests past it are the tunnel's own to end).
    sockets.closeAll(true);
  });
  // Before any port opens: a CA that cannot be used is a configuration error, not a broken first handshake.
  const ca = config.proxy.httpsPort !== undefined ? await certificatesOf(app).get() : undefined;
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    throw new ListenError(explainListenError(error as NodeJS.ErrnoException, config.host, config.port), (error as NodeJS.ErrnoException).code);
  }
  const url = listenUrl(config.host, app.server.address(), config.port);
  let proxyUrl = url;
  if (config.proxy.enabled && config.proxy.port !== undefined) {
    const door = createServer((socket) => {
      socket.on('error', () => socket.destroy());
      sockets.add(socket);
      app.server.emit('connection', socket);
    });
    doors.push(door);
    proxyUrl = listenUrl(config.host, await listenOn(door, config.host, config.proxy.port, '--proxy-port'), config.proxy.port);
  }
  let httpsUrl: string | undefined;
  if (ca && config.proxy.httpsPort !== undefined) {
    const door = createHttpsListener(app, { ca, answersTo: hostAllowList(config), sockets, bounds: handshakes });
    doors.push(door);
    httpsUrl = listenUrl(config.host, await listenOn(door, config.host, config.proxy.httpsPort, '--https-port'), config.proxy.httpsPort).replace(
      /^http:/,
      'https:',
    );
  }
  return { url, proxyUrl, httpsUrl, caCertPath: certificatesOf(app).certPath };
}
