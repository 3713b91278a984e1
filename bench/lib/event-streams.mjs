// Event-stream clients (GET /__emulator/events) on raw sockets: ones that read the status line and then never
// read again (their kernel receive buffer fills, then the emulator's send buffer, then its memory unless it stops
// them), and ones that read and discard everything. Each connects once; none reconnects.
import { connect } from 'node:net';

const STATUS_LINE = /^HTTP\/1\.1 (\d{3})/;

/**
 * Open `count` event streams to the emulator at `url`. `reading: false` pauses each socket once its status line
 * has arrived. Resolves when every one has its status (or failed), or at the deadline.
 */
export async function openEventStreams(url, { count, reading = false, deadlineMs = 30_000, batch = 50 }) {
  const { hostname, port } = new URL(url);
  const streams = [];
  const opened = [];
  for (let i = 0; i < count; i++) {
    const stream = { status: undefined, error: undefined, bytes: 0, closedByServer: false, socket: undefined, lastDataAt: 0 };
    streams.push(stream);
    opened.push(
      new Promise((resolve) => {
        const socket = connect({ host: hostname, port: Number(port) });
        stream.socket = socket;
        let head = '';
        socket.on('connect', () => socket.write(`GET /__emulator/events HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`));
        socket.on('data', (chunk) => {
          stream.bytes += chunk.length;
          if (stream.status === undefined) {
            head += chunk.toString('latin1');
            const match = STATUS_LINE.exec(head);
            if (match) {
              stream.status = Number(match[1]);
              if (!reading) socket.pause();
              resolve();
            }
          }
        });
        socket.on('end', () => {
          stream.closedByServer = true;
        });
        socket.on('error', (error) => {
          const code = /** @type {NodeJS.ErrnoException} */ (error).code;
          stream.error = code ?? error.message;
          // A reset after the stream began is the emulator cutting it off too.
          if (stream.status !== undefined && code === 'ECONNRESET') stream.closedByServer = true;
          resolve();
        });
        socket.on('close', resolve);
      }),
    );
    // Connections in batches, so the listen backlog is not what refuses them.
    if (opened.length % batch === 0) await Promise.race([Promise.all(opened), delay(deadlineMs)]);
  }
  await Promise.race([Promise.all(opened), delay(deadlineMs)]);
  return {
    streams,
    /** How many got which status; `none` had no status line yet, `error` a socket error first. */
    statuses() {
      const counts = {};
      for (const s of streams) {
        const key = s.status !== undefined ? String(s.status) : s.error ? 'error' : 'none';
        counts[key] = (counts[key] ?? 0) + 1;
      }
      return counts;
    },
    /**
     * Resume every stream and read what it still has queued (its kernel buffers hold a few MB), until each has ended
     * or gone quiet for `quietMs` (at most `maxMs` in all); then count the served streams (200) the emulator had
     * ended, and close them all.
     */
    async closeAll({ quietMs = 300, maxMs = 5_000 } = {}) {
      const started = performance.now();
      for (const s of streams) {
        s.lastDataAt = performance.now();
        s.socket?.on('data', () => (s.lastDataAt = performance.now()));
        s.socket?.resume();
      }
      const busy = () => streams.some((s) => !s.closedByServer && !s.socket?.destroyed && performance.now() - s.lastDataAt < quietMs);
      while (busy() && performance.now() - started < maxMs) await delay(50);
      const served = streams.filter((s) => s.status === 200);
      const servedEnded = served.filter((s) => s.closedByServer).length;
      for (const s of streams) s.socket?.destroy();
      // The most any served stream received: what its kernel buffers held when the emulator stopped writing to it.
      return { served: served.length, servedEnded, maxBytesRead: Math.max(0, ...served.map((s) => s.bytes)) };
    },
  };
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());
