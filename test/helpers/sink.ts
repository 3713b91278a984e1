import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST the sink received. */
export interface SinkRequest {
  n: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** How the sink answers one request; return nothing to answer 200. */
// biome-ignore lint/suspicious/noConfusingVoidType: "returns nothing, or 'handled'": behaviours written as `(req) => { ... }` infer void, which `undefined` would refuse.
export type SinkBehaviour = (req: SinkRequest, res: ServerResponse) => void | 'handled';

/** A real HTTP callback receiver on 127.0.0.1:0 that records every request and can be told how to answer. */
export interface CallbackSink {
  url: string;
  requests: SinkRequest[];
  /** Resolve once `predicate` holds for the received requests (checked on every arrival; no polling, no sleep). */
  waitFor(predicate: (requests: SinkRequest[]) => boolean, timeoutMs?: number): Promise<SinkRequest[]>;
  /** Replace how requests are answered. */
  respond(behaviour: SinkBehaviour): void;
  close(): Promise<void>;
}

/**
 * Start a callback sink, on 127.0.0.1 unless `host` says otherwise: the image test binds the Docker bridge's gateway,
 * the host as a container sees it.
 */
export async function startSink(behaviour?: SinkBehaviour, host = '127.0.0.1'): Promise<CallbackSink> {
  const requests: SinkRequest[] = [];
  let current: SinkBehaviour | undefined = behaviour;
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep raw text
      }
      const entry: SinkRequest = { n: requests.length + 1, path: req.url ?? '/', headers: req.headers, body };
      requests.push(entry);
      const handled = current?.(entry, res);
      if (handled !== 'handled' && !res.headersSent) res.writeHead(200).end();
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/callbacks`,
    requests,
    respond(next) {
      current = next;
    },
    waitFor(predicate, timeoutMs = 5000) {
      if (predicate(requests)) return Promise.resolve(requests);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(requests)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(requests);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`sink: condition not met within ${timeoutMs} ms; received ${requests.length} requests: ${JSON.stringify(requests.map((r) => r.body))}`),
          );
        }, timeoutMs);
        waiters.add(check);
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
