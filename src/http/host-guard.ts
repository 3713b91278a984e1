import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isIP } from 'node:net';
import { isMultiChannelUrl, multiChannelErrorBody } from '../api/multichannel-errors.js';
import type { EmulatorConfig } from '../config/resolve.js';
import { BandwidthError } from '../errors.js';
import { EMULATED_HOSTS } from '../proxy/bandwidth-hosts.js';
import { noteRefusal } from './refusals.js';

/** The status a request naming another host gets: the emulator is not an authoritative server for that name. */
const HOST_REFUSED_STATUS = 421;

/** The error `type` / `error` of a refused Host, in every route family's shape. */
export const HOST_REFUSED = 'host-not-allowed';

const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '[::]', '::0']);

/** The host name of a Host header value: lower case, without port or trailing dot; IPv6 literals keep their brackets. */
export function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  const colon = value.lastIndexOf(':');
  const name = colon >= 0 && /^\d*$/.test(value.slice(colon + 1)) ? value.slice(0, colon) : value;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * Whether the emulator answers a request whose Host header is `header`. A web page can make a browser send
 * requests here under its own name (DNS rebinding) and read the answers; a Host allow-list stops that, since such a
 * page's name is none of these:
 * - loopback names (`localhost`, `*.localhost`) and any IP address (a page served from an address cannot rebind it);
 * - the public URL's host and the `host` setting when it is a name;
 * - listening on every interface (0.0.0.0 or ::, as in the Docker image): names without a dot (a compose service or
 *   container name such as `emulator`) and `*.docker.internal` (`host.docker.internal`);
 * - `allowedHosts`: exact names, `.example.com` for it and every subdomain, `*` for any;
 * - with proxy mode on, Bandwidth's own names (`messaging.bandwidth.com`, `api.bandwidth.com`): proxied requests and
 *   CONNECT tunnels arrive under them. That is safe against DNS rebinding: rebinding needs control of the name's DNS,
 *   and nobody but Bandwidth controls bandwidth.com's, so no attacker's page can be served under those names.
 * A request with no Host header (HTTP/1.0, never a browser) is answered.
 */
export function hostAllowList(config: Pick<EmulatorConfig, 'host' | 'publicUrl' | 'allowedHosts' | 'proxy'>): (header: string | undefined) => boolean {
  const exact = new Set<string>();
  const suffixes: string[] = ['.localhost'];
  let any = false;
  for (const entry of config.allowedHosts) {
    if (entry === '*') any = true;
    else if (entry.startsWith('.')) {
      suffixes.push(entry.replace(/\.$/, ''));
      exact.add(entry.slice(1).replace(/\.$/, ''));
    } else exact.add(entry.replace(/\.$/, ''));
  }
  exact.add('localhost');
  if (config.proxy.enabled) for (const name of EMULATED_HOSTS) exact.add(name);
  if (config.publicUrl) exact.add(hostName(new URL(config.publicUrl).host));
  const everyInterface = WILDCARD_ADDRESSES.has(config.host);
  if (!everyInterface && isIP(config.host) === 0) exact.add(config.host.toLowerCase());
  if (everyInterface) suffixes.push('.docker.internal');
  return (header) => {
    if (any || header === undefined || header === '') return true;
    const name = hostName(header);
    if (exact.has(name)) return true;
    if (name.startsWith('[') ? isIP(name.slice(1, -1)) !== 0 : isIP(name) !== 0) return true;
    if (everyInterface && name !== '' && !name.includes('.')) return true;
    return suffixes.some((suffix) => name.endsWith(suffix));
  };
}

function refusal(req: FastifyRequest, reply: FastifyReply, header: string): FastifyReply {
  const shown = header.length > 100 ? `${header.slice(0, 100)}…` : header;
  const name = hostName(header);
  const message =
    `this emulator does not answer to Host '${shown}' (a guard against DNS rebinding: web pages must not read it under their own name). ` +
    `Fix: reach it as localhost or by IP address, or allow the name: --allowed-hosts ${name || 'NAME'} (BW_EMULATOR_ALLOWED_HOSTS, config allowedHosts), or set --public-url to the URL clients use`;
  noteRefusal(req, `host guard: Host '${shown}' is not allowed (add it with --allowed-hosts)`);
  reply.code(HOST_REFUSED_STATUS);
  const path = req.url.split('?')[0] ?? req.url;
  // Each route family answers in its own documented shape: the control API and the inbox, multichannel, Bandwidth.
  if (path === '/' || path.startsWith('/__emulator')) return reply.send({ error: HOST_REFUSED, message });
  const error = new BandwidthError(HOST_REFUSED_STATUS, { type: HOST_REFUSED, description: message });
  return reply.send(isMultiChannelUrl(req.url) ? multiChannelErrorBody(error, req) : error.body);
}

/** Refuse, on every route (Bandwidth's API, OAuth, media, control, inbox, not found), a Host that is not allowed. */
export function registerHostGuard(app: FastifyInstance, config: Pick<EmulatorConfig, 'host' | 'publicUrl' | 'allowedHosts' | 'proxy'>): void {
  const allowed = hostAllowList(config);
  // Nearly every request names the same host: one remembered answer skips the parsing.
  let lastAllowed: string | undefined;
  app.addHook('onRequest', async (req, reply) => {
    const header = req.headers.host;
    if (header === lastAllowed) return;
    if (allowed(header)) {
      lastAllowed = header;
      return;
    }
    return refusal(req, reply, header!);
  });
}

/** The start-up warning when the Host check is off (`allowedHosts: ['*']`); undefined otherwise. */
export function anyHostWarning(allowedHosts: readonly string[]): string | undefined {
  if (!allowedHosts.includes('*')) return undefined;
  return "--allowed-hosts '*': any Host header is answered, so a web page can read and drive this emulator through a browser on this machine (DNS rebinding). List the names clients use instead";
}
