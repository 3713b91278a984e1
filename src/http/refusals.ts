import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** Why this request was refused (the check that failed), for its one info line; never a secret. */
    refusal: string | null;
  }
}

// A reason quotes at most this much (a field error list can be long); a path too.
const MAX_REASON = 500;
const MAX_PATH = 200;

/**
 * Record why a request is refused: the check that failed, worded for the person reading the log, e.g.
 * `basic auth: wrong password for user 'bw-user'`. The first reason wins: the check that refused knows more than
 * the error handler that words the answer afterwards. Never pass a password, token or Authorization header.
 */
export function noteRefusal(req: FastifyRequest, reason: string): void {
  req.refusal ??= reason;
}

// What a refused request with no recorded reason gets; every refusal of ours records one, so this is a gap to fill.
function fallbackReason(status: number): string {
  return status === 404 ? 'not found' : `answered ${status}`;
}

// Credentials written into a URL (a media URL in a field error, a proxied absolute URL) are hidden in the log line as
// everywhere else, up to the last @ before the path: a password may hold an @ of its own.
const URL_CREDENTIALS = /\/\/[^/?#\s'"]*@/g;

function bounded(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…(+${text.length - max} chars)` : text;
}

/**
 * Log, at info, one line per refused request: every 4xx answer, and any answer a check recorded a reason for (a
 * scenario's injected 429/500/503, the event-stream cap). Method, path (never the query: it may hold a token),
 * status and the reason. Other answers stay at debug (Fastify's request lines); 5xx faults of the emulator's own are
 * logged at error where they happen.
 */
export function registerRefusalLog(app: FastifyInstance): void {
  app.decorateRequest('refusal', null);
  app.addHook('onResponse', (req, reply, done) => {
    const status = reply.statusCode;
    if (req.refusal === null && (status < 400 || status >= 500)) return done();
    // The target as the client sent it: a proxied request's absolute URL (https://messaging.bandwidth.com/…).
    const target = req.originalUrl;
    const path = bounded((target.split('?')[0] ?? target).replace(URL_CREDENTIALS, '//[redacted]@'), MAX_PATH);
    const reason = bounded((req.refusal ?? fallbackReason(status)).replace(URL_CREDENTIALS, '//[redacted]@'), MAX_REASON);
    req.log.info({ method: req.method, path, status, reason }, `${status} ${req.method} ${path}: ${reason}`);
    done();
  });
}
