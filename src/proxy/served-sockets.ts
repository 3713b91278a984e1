import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

interface Followed {
  /** Requests in flight on the socket. */
  requests: number;
  /** What lies under it (a tunnel's client socket), ended with it. */
  alsoEnd?: () => void;
  /** Closed after this long with no request in flight; undefined: no idle bound of its own. */
  idleMs?: number;
  timer?: NodeJS.Timeout;
}

/**
 * Sockets this emulator hands to `app.server` itself (a tunnel's inner socket, a connection of the HTTPS listener or
 * the proxy's own port), tracked so that closing the app ends them promptly. Node's `server.close()` knows only the
 * sockets its own listener accepted: without this, an idle tunnel would hold the shutdown until its keep-alive ran
 * out, and a request in flight on another door would be cut. On close an idle socket is destroyed at once; a busy one
 * right after its response. The idle bound counts requests, not bytes: a socket timeout would be the HTTP server's
 * own (it destroys the socket even mid-request), and a long-poll or an event stream in flight is not idle.
 */
export class ServedSockets {
  private readonly followed = new Map<Duplex, Followed>();
  private closing = false;

  /** Start following requests on `app.server`; `preClose` ends the idle sockets. */
  constructor(app: FastifyInstance) {
    app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket as Duplex;
      const entry = this.followed.get(socket);
      if (!entry) return;
      entry.requests++;
      clearTimeout(entry.timer);
      res.once('close', () => {
        entry.requests--;
        if (entry.requests > 0 || !this.followed.has(socket)) return;
        if (this.closing) this.end(socket, entry);
        else this.arm(socket, entry);
      });
    });
    // A socket that sends CONNECT becomes a tunnel: the tunnel's own tracker follows it from then on (the requests are
    // inside, on its TLS socket, where this one cannot see them).
    app.server.on('connect', (req: IncomingMessage) => this.forget(req.socket as Duplex));
    app.addHook('preClose', async () => this.closeAll(false));
  }

  /** Whether the app is closing (a new socket is refused). */
  get isClosing(): boolean {
    return this.closing;
  }

  /** Follow `socket` until it closes; `alsoEnd` ends what lies under it; `idleMs` closes it after that long without a request. */
  add(socket: Duplex, alsoEnd?: () => void, idleMs?: number): void {
    if (this.closing) {
      socket.destroy();
      alsoEnd?.();
      return;
    }
    const entry: Followed = { requests: 0, alsoEnd, idleMs };
    this.followed.set(socket, entry);
    this.arm(socket, entry);
    socket.once('close', () => {
      clearTimeout(entry.timer);
      if (this.followed.get(socket) !== entry) return;
      this.followed.delete(socket);
      entry.alsoEnd?.();
    });
  }

  /** Stop following `socket` (without ending it): its tunnel now lives on in the TLS socket wrapping it. */
  forget(socket: Duplex): void {
    const entry = this.followed.get(socket);
    if (entry) clearTimeout(entry.timer);
    this.followed.delete(socket);
  }

  /** End every socket without a request in flight now (all of them with `evenBusy`); the busy ones after their response. */
  closeAll(evenBusy: boolean): void {
    this.closing = true;
    for (const [socket, entry] of this.followed) if (entry.requests === 0 || evenBusy) this.end(socket, entry);
  }

  private arm(socket: Duplex, entry: Followed): void {
    if (entry.idleMs === undefined) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      if (entry.requests === 0) this.end(socket, entry);
    }, entry.idleMs);
    entry.timer.unref();
  }

  private end(socket: Duplex, entry: Followed): void {
    clearTimeout(entry.timer);
    socket.destroy();
    entry.alsoEnd?.();
  }
}
