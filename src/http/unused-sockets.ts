import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';

/**
 * On close, destroy connections that never sent a request, and any opened while closing. Browsers open such sockets
 * ahead of need (preconnect); Node's server.close() waits for them (it closes only idle keep-alive connections), so
 * one browser tab held the emulator's shutdown for tens of seconds, past `docker stop`'s 10 s.
 */
export function destroyUnusedSocketsOnClose(app: FastifyInstance): void {
  const unused = new Set<Socket>();
  let closing = false;
  app.server.on('connection', (socket: Socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  app.server.on('request', (req: { socket: Socket }) => unused.delete(req.socket));
  // A CONNECT's socket becomes a tunnel, which src/proxy/connect-tunnel.ts ends on close once its requests are answered.
  app.server.on('connect', (req: { socket: Socket }) => unused.delete(req.socket));
  app.addHook('preClose', async () => {
    closing = true;
    for (const socket of unused) socket.destroy();
    unused.clear();
  });
}
