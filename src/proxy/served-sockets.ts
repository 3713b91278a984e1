import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Sockets this emulator hands to `app.server` itself (a tunnel's inner socket, a connection of the HTTPS listener or
 * the proxy's own port), tracked so that closing the app ends them promptly. Node's `server.close()` knows only the
 * sockets its own listener accepted: without this, an idle tunnel would hold the shutdown until its keep-alive ran
 * out, and a request in flight on another door would be cut. On close an idle socket is destroyed at once; a busy one
 * right after its response.
 */
export class ServedSockets {
  private readonly busy = new Map<Duplex, number>();
  private readonly extra = new Map<Duplex, () => void>();
  private closing = false;

  /** Start following requests on `app.server`; `preClose` ends the idle sockets. */
  constructor(app: FastifyInstance) {
    app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket as Duplex;
      const count = this.busy.get(socket);
      if (count === undefined) return;
      this.busy.set(socket, count + 1);
      res.once('close', () => {
        const now = this.busy.get(socket);
        if (now === undefined) return;
        this.busy.set(socket, now - 1);
        if (this.closing && now === 1) this.end(socket);
      });
    });
    app.addHook('preClose', async () => this.closeAll(false));
  }

  /** How many sockets are followed now. */
  get size(): number {
    return this.busy.size;
  }

  /** Whether the app is closing (a new socket is refused). */
  get isClosing(): boolean {
    return this.closing;
  }

  /** Follow `socket` until it closes; `alsoEnd` ends what lies under it (a tunnel's client socket). */
  add(socket: Duplex, alsoEnd?: () => void): void {
    if (this.closing) {
      socket.destroy();
      alsoEnd?.();
      return;
    }
    this.busy.set(socket, 0);
    if (alsoEnd) this.extra.set(socket, alsoEnd);
    socket.once('close', () => {
      this.busy.delete(socket);
      this.extra.get(socket)?.();
      this.extra.delete(socket);
    });
  }

  /** Stop following `socket` (without ending it): its tunnel now lives on in the TLS socket wrapping it. */
  forget(socket: Duplex): void {
    this.busy.delete(socket);
    this.extra.delete(socket);
  }

  /** End every socket without a request in flight now (all of them with `evenBusy`); the busy ones after their response. */
  closeAll(evenBusy: boolean): void {
    this.closing = true;
    for (const [socket, requests] of this.busy) if (requests === 0 || evenBusy) this.end(socket);
  }

  private end(socket: Duplex): void {
    socket.destroy();
    this.extra.get(socket)?.();
  }
}
