import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Emulator } from '../emulator.js';
import { toControlMessage } from './operations.js';
import { noteRefusal } from '../http/refusals.js';

/** Most event-stream clients served at once; one more is answered 503 (an inbox tab holds one). */
export const MAX_EVENT_STREAMS = 32;

/** Unsent bytes a stream may hold for a client that does not read before it is dropped (about 100 events). */
const MAX_UNSENT_EVENT_BYTES = 256 * 1024;

// A comment line this often keeps proxies from idling the stream out.
const HEARTBEAT_MS = 15_000;

interface StreamClient {
  res: ServerResponse;
  accountId?: string;
  stop(): void;
}

/**
 * The clients of GET /__emulator/events for one emulator. Each event is serialised once into its SSE frame and the
 * same string is written to every client whose filter it matches: 32 clients cost one JSON.stringify, not 32. The
 * stores are watched only while a client is connected, and a client that stops reading is dropped once
 * MAX_UNSENT_EVENT_BYTES wait for it.
 */
export class EventStreams {
  private readonly clients = new Set<StreamClient>();
  private unwatch: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  // One sequence for every client: an id names the same event on each stream.
  private lastId = 0;

  constructor(private readonly emulator: Emulator) {
    emulator.onClose(() => this.endAll());
  }

  /** End every stream (shutdown): an open stream would otherwise hold the HTTP server's close for as long as it lasts. */
  endAll(): void {
    for (const client of [...this.clients]) {
      client.stop();
      client.res.end();
    }
  }

  /** How many streams are open. */
  get size(): number {
    return this.clients.size;
  }

  /** Serve one GET /__emulator/events: 503 past the cap, else an SSE stream until the client or the emulator goes. */
  open(req: FastifyRequest, reply: FastifyReply, accountId: string | undefined): FastifyReply | undefined {
    if (this.clients.size >= MAX_EVENT_STREAMS) {
      noteRefusal(req, `event streams: ${MAX_EVENT_STREAMS} are open, the cap`);
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({
          error: 'too-many-streams',
          message: `${MAX_EVENT_STREAMS} event streams are open, the most this emulator serves at once; close one (an inbox tab holds one) or poll GET /__emulator/messages and /__emulator/callbacks`,
        });
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(': bandwidth-emulator events\n\n');
    const client: StreamClient = {
      res,
      accountId,
      stop: () => {
        if (!this.clients.delete(client)) return;
        if (this.clients.size === 0) this.idle();
      },
    };
    this.clients.add(client);
    if (this.clients.size === 1) this.watch();
    // A client that goes away unregisters at once, so many short-lived streams never pile up.
    req.raw.on('close', client.stop);
    return undefined;
  }

  private watch(): void {
    const offMessages = this.emulator.messages.subscribe((change) =>
      this.broadcast(change.message.accountId, 'message', () => ({
        kind: change.kind,
        recipient: change.recipient,
        message: toControlMessage(change.message),
      })),
    );
    const offCallbacks = this.emulator.callbackJournal.subscribe((entry) => this.broadcast(entry.accountId, 'callback', () => entry));
    this.unwatch = () => {
      offMessages();
      offCallbacks();
    };
    this.heartbeat = setInterval(() => {
      for (const client of this.clients) client.res.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private idle(): void {
    this.unwatch?.();
    this.unwatch = undefined;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  // The frame is built on first need: an event no client's filter wants costs nothing.
  private broadcast(accountId: string, event: string, data: () => unknown): void {
    let frame: string | undefined;
    for (const client of [...this.clients]) {
      if (client.accountId !== undefined && client.accountId !== accountId) continue;
      // A client that stops reading would make every later event pile up in memory: past the cap it is cut off.
      if (client.res.writableLength > MAX_UNSENT_EVENT_BYTES) {
        this.emulator.log.warn({ unsentBytes: client.res.writableLength }, 'event stream client stopped reading; closing its stream');
        client.stop();
        client.res.destroy();
        continue;
      }
      frame ??= `id: ${++this.lastId}\nevent: ${event}\ndata: ${JSON.stringify(data())}\n\n`;
      client.res.write(frame);
    }
  }
}
