/**
 * Under a Bandwidth hostname (through the proxy, a CONNECT tunnel, the HTTPS listener or /etc/hosts), only the paths
 * Bandwidth serves there: code that works against the emulator under that name then works against Bandwidth too.
 * messaging.bandwidth.com serves the messaging API (and media) under /api/v2; api.bandwidth.com serves the OAuth token
 * endpoint /api/v1/oauth2/token. The emulator's own root routes, the control API and the inbox answer only at its own
 * URL.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Emulator } from '../emulator.js';
import { notFoundBody } from '../errors.js';
import { hostName } from '../http/host-guard.js';
import { noteRefusal } from '../http/refusals.js';
import { isEmulatedHost } from './bandwidth-hosts.js';

const MESSAGING_HOST = 'messaging.bandwidth.com';
const API_HOST = 'api.bandwidth.com';
const TOKEN_PATH = /^\/api\/v1\/oauth2\/token\/?$/;
const MESSAGING_PATH = /^\/api\/v2(\/|$)/;

/** Why `path` is not served under `host` (one of the Bandwidth hosts), with the fix; undefined when it is served. */
export function unservedUnderBandwidthHost(host: string, path: string): string | undefined {
  if (host === MESSAGING_HOST) {
    if (MESSAGING_PATH.test(path)) return undefined;
    if (TOKEN_PATH.test(path)) return `Bandwidth's OAuth token endpoint is https://${API_HOST}/api/v1/oauth2/token, not on ${MESSAGING_HOST}`;
    if (/^\/users\//.test(path)) {
      return `${MESSAGING_HOST} serves the messaging API under /api/v2: use /api/v2${path} (bandwidth-sdk's default server already includes /api/v2; drop basePath)`;
    }
    return `${MESSAGING_HOST} serves Bandwidth's messaging API under /api/v2 only; the emulator's control API (/__emulator) and inbox (/) answer at its own URL (e.g. http://127.0.0.1:4010), not under Bandwidth's names`;
  }
  if (host === API_HOST) {
    if (TOKEN_PATH.test(path)) return undefined;
    if (MESSAGING_PATH.test(path) || /^\/users\//.test(path)) return `the messaging API is at https://${MESSAGING_HOST}/api/v2, not on ${API_HOST}`;
    return `${API_HOST} serves only the OAuth token endpoint /api/v1/oauth2/token here; the emulator's control API and inbox answer at its own URL (e.g. http://127.0.0.1:4010)`;
  }
  return undefined;
}

/**
 * With proxy mode on, answer a path a Bandwidth host does not serve with Bandwidth's 404 (Spring-style body) plus a
 * `hint`, before any route runs. Registered after the host guard: a refused Host is answered there first.
 */
export function registerBandwidthHostPaths(app: FastifyInstance, emulator: Pick<Emulator, 'config' | 'time'>): void {
  if (!emulator.config.proxy.enabled) return;
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers.host;
    // Nearly every request names the emulator's own address: skip the parsing unless it names bandwidth.com.
    if (header === undefined || !header.toLowerCase().includes('bandwidth.com')) return;
    const host = hostName(header);
    if (!isEmulatedHost(host)) return;
    const path = req.url.split('?')[0] ?? req.url;
    const hint = unservedUnderBandwidthHost(host, path);
    if (hint === undefined) return;
    noteRefusal(req, `not served under ${host}: ${hint}`);
    return reply
      .code(404)
      .header('content-type', 'application/json;charset=UTF-8')
      .send(JSON.stringify({ ...notFoundBody(path, emulator.time.now()), hint }));
  });
}
