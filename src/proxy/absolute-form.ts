/**
 * Absolute-form proxy requests (RFC 9112 §3.2.2): `POST https://messaging.bandwidth.com/api/v2/users/…/messages`
 * sent in clear to the emulator's port, as axios before 1.16.1 (under bandwidth-sdk and @bandwidth/messaging) does
 * for an https:// URL through `HTTPS_PROXY=http://…`, and every client for an http:// URL through `HTTP_PROXY` (newer
 * axios opens a CONNECT tunnel instead). A Bandwidth host's request is served as the same path on the emulator's own
 * URL; any other target is refused from its name alone and never connected to.
 *
 * The request-target's length is bounded by Node's HTTP parser: the request line counts towards its header limit
 * (16 KiB, `--max-http-header-size`), and a longer one is answered 431 before any of this runs (client-errors.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { noteRefusal } from '../http/refusals.js';
import { proxyVerdict } from './bandwidth-hosts.js';

/** A scheme (RFC 3986 §3.1) followed by `:`: a request-target that is not origin-form (`/path`) or `*`. */
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** The ports each scheme means when the absolute URL names none. */
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** What an absolute-form request-target comes to: the path to serve it as, or why it is refused. */
export type AbsoluteFormVerdict = { served: true; path: string; host: string; scheme: 'http' | 'https' } | { served: false; status: 400 | 403; reason: string };

/** Whether a request-target is absolute-form (it starts with a scheme, `https:`), not origin-form (`/path`) or `*`. */
export function isAbsoluteForm(target: string): boolean {
  return target.charCodeAt(0) !== 47 && SCHEME.test(target);
}

/**
 * The verdict on an absolute-form request-target. Pure: parses the URL and asks proxyVerdict about its host; never
 * resolves a name or opens a connection. `proxyEnabled` false refuses every target, naming the flag that turns it on.
 */
export function judgeAbsoluteForm(target: string, proxyEnabled: boolean): AbsoluteFormVerdict {
  const shown = target.length > 100 ? `${target.slice(0, 100)}…` : target;
  if (!proxyEnabled) {
    return {
      served: false,
      status: 403,
      reason: `proxy mode is off, so this emulator answers no proxy request (absolute URL '${hideUserinfo(shown)}'). Start it with --proxy (BW_EMULATOR_PROXY=true, config proxy.enabled: true) to answer for messaging.bandwidth.com and api.bandwidth.com, or send the request to the emulator's own URL`,
    };
  }
  const invalid = { served: false, status: 400, reason: `the request-target '${hideUserinfo(shown)}' is not a valid absolute URL` } as const;
  // An http(s) absolute-URI has an authority (RFC 9110 §4.2): `scheme://`. WHATWG URL parsing would also take
  // `http:host/path` and backslashes; the target is held to the RFC instead.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return invalid;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return invalid;
  }
  const defaultPort = DEFAULT_PORTS[url.protocol];
  if (defaultPort === undefined) {
    return { served: false, status: 400, reason: `the proxy answers http:// and https:// URLs only, not ${url.protocol}` };
  }
  // Credentials in the URL are a mistake somewhere upstream; refusing keeps them out of routing and links.
  if (url.username !== '' || url.password !== '') {
    return { served: false, status: 400, reason: 'the absolute URL carries credentials (user:password@); send them in the Authorization header instead' };
  }
  // url.host drops the scheme's default port; the verdict gets it back from defaultPort.
  const verdict = proxyVerdict(url.host, defaultPort);
  if (!verdict.ok) return { served: false, status: verdict.status, reason: verdict.reason };
  // Bandwidth answers https on 443 (and http on 80) only: code naming another port would fail against it too.
  if (url.port !== '') {
    return {
      served: false,
      status: 403,
      reason: `${verdict.host} is answered on the ${url.protocol.slice(0, -1)} scheme's default port only, not ${url.port}`,
    };
  }
  // The name as the verdict normalised it (lower case, no trailing dot): the Host every later hook and link sees.
  return { served: true, path: `${url.pathname}${url.search}`, host: verdict.host, scheme: url.protocol === 'https:' ? 'https' : 'http' };
}

/** Where a refused target is routed: any route does, since the refusal hook answers before it runs. */
const REFUSED_TARGET_PATH = '/';

/**
 * Fastify's `rewriteUrl`: an absolute-form request for a Bandwidth host becomes its path, and its Host header the
 * absolute URL's host (RFC 9112 §3.2.2: a server ignores Host when the target is absolute; the port is the scheme's
 * default), so the host guard, the Bandwidth host paths and the links all see the host the client named. Fastify
 * keeps the target as `request.originalUrl`. A refused target is routed as `/` (the router would choke on a
 * malformed one) for the refusal hook to answer.
 */
export function absoluteFormRewrite(proxyEnabled: boolean): (req: IncomingMessage) => string {
  return (req) => {
    const target = req.url ?? '/';
    if (!isAbsoluteForm(target)) return target;
    const verdict = judgeAbsoluteForm(target, proxyEnabled);
    if (!verdict.served) return REFUSED_TARGET_PATH;
    req.headers.host = verdict.host;
    return verdict.path;
  };
}

/**
 * Refuse, before the host guard and any route, an absolute-form request rewriteUrl did not serve: the verdict's
 * status with its reason as text/plain, and a refusal log line. A served one is logged at debug with its target.
 */
export function registerAbsoluteFormRefusals(app: FastifyInstance, proxyEnabled: boolean): void {
  app.addHook('onRequest', async (req, reply) => {
    if (!isAbsoluteForm(req.originalUrl)) return;
    // The same pure verdict rewriteUrl reached: judging again is cheaper than carrying it on the request.
    const verdict = judgeAbsoluteForm(req.originalUrl, proxyEnabled);
    if (verdict.served) {
      req.log.debug({ target: hideUserinfo(req.originalUrl.split('?')[0] ?? '') }, 'absolute-form proxy request served');
      return;
    }
    noteRefusal(req, `proxy: ${verdict.reason}`);
    return reply.code(verdict.status).type('text/plain; charset=utf-8').send(`${verdict.reason}\n`);
  });
}

/**
 * The scheme and host a client named for this request, for the links it is handed (media URLs, paging): the
 * absolute URL's scheme when it came absolute-form (`https` though it arrived in clear), the connection's otherwise
 * (`https` through a CONNECT tunnel or the HTTPS listener), with the Host header (the absolute URL's host after
 * rewriteUrl). The host guard has let that Host through, so a link never echoes a name the emulator does not answer to.
 */
export function requestOrigin(req: Pick<FastifyRequest, 'originalUrl' | 'protocol' | 'host'>): string {
  const scheme = isAbsoluteForm(req.originalUrl) && req.originalUrl.slice(0, 6).toLowerCase() === 'https:' ? 'https' : req.protocol;
  return `${scheme}://${req.host}`;
}

// Credentials in a URL never reach a log line or an answer.
function hideUserinfo(target: string): string {
  // Up to the last @ before the path, as URL parsing reads it: a password may hold an @ of its own.
  return target.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1[redacted]@');
}
