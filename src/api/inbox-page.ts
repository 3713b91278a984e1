import type { FastifyInstance, FastifyReply } from 'fastify';
import { readFile } from 'node:fs/promises';

// Built by `npm run build` (scripts/build-ui.mjs) from ui/; found from src/api or dist/api alike.
const ASSETS = new URL('../../dist/inbox/', import.meta.url);
const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};
// The page talks only to this emulator; a message's media is shown from blob: URLs the page makes of bytes it read
// through the control API (images, audio, video), nothing else.
const CSP =
  "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/**
 * Serve the web inbox at `/` and `/__emulator/ui`. Only GET (and HEAD) of these exact paths: every other path and
 * method keeps Bandwidth's 404/405 handling. The page itself holds no data; its calls to the control API carry the
 * control token when one is configured.
 */
export function registerInboxPage(app: FastifyInstance): void {
  // Read once per app on first use: the files do not change while it runs.
  const cache = new Map<string, Buffer>();
  const serve = (name: string) => async (_req: unknown, reply: FastifyReply) => {
    let bytes = cache.get(name);
    if (!bytes) {
      try {
        bytes = await readFile(new URL(name, ASSETS));
      } catch {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send(`the web inbox is not built: run \`npm run build\` in the bandwidth-emulator package (missing ${new URL(name, ASSETS).pathname})`);
      }
      cache.set(name, bytes);
    }
    return reply
      .type(FILES[name]!)
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .send(bytes);
  };
  app.get('/', serve('index.html'));
  app.get('/__emulator/ui', serve('index.html'));
  app.get('/__emulator/ui/', serve('index.html'));
  app.get('/__emulator/ui/app.js', serve('app.js'));
  app.get('/__emulator/ui/app.css', serve('app.css'));
}
