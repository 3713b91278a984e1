/**
 * The hosts proxy mode answers for, and the verdict on any other one. Neutral: no I/O, shared by the absolute-form
 * front door, the CONNECT tunnel, the host guard and the HTTPS listener's certificates.
 *
 * Bandwidth serves the messaging API at https://messaging.bandwidth.com/api/v2 and the OAuth token endpoint at
 * https://api.bandwidth.com/api/v1/oauth2/token (bandwidth.yml `servers` and `securitySchemes.OAuth2`; every official
 * SDK hard-codes that token URL). Both are the emulator's own routes already: only the name changes.
 */

/** The Bandwidth hosts the emulator answers as itself, through the proxy or by name (HTTPS listener, /etc/hosts). */
export const EMULATED_HOSTS: readonly string[] = ['messaging.bandwidth.com', 'api.bandwidth.com'];

/** Ports a tunnel may name: HTTPS, and plain HTTP for a client that tunnels even http:// (some Java stacks do). */
const TUNNEL_PORTS = new Map<number, 'tls' | 'plain'>([
  [443, 'tls'],
  [80, 'plain'],
]);

/** The longest authority (host:port) looked at: a DNS name is at most 253 characters. */
export const MAX_AUTHORITY_LENGTH = 260;

/** What the proxy does with a request for a host. */
export type ProxyVerdict = { ok: true; host: string; port: number; tunnel: 'tls' | 'plain' } | { ok: false; status: 400 | 403; host: string; reason: string };

/** Whether `host` (any case, trailing dot allowed) is one the emulator answers for. */
export function isEmulatedHost(host: string): boolean {
  return EMULATED_HOSTS.includes(host.toLowerCase().replace(/\.$/, ''));
}

/**
 * The verdict on a proxy target `authority` (`host:port` of a CONNECT, or the host[:port] of an absolute-form URL with
 * its scheme's default port). Never resolves a name and never opens a connection: the answer is from the name alone,
 * so nothing can leave the machine whatever the verdict.
 */
export function proxyVerdict(authority: string, defaultPort?: number): ProxyVerdict {
  if (authority.length > MAX_AUTHORITY_LENGTH) {
    return {
      ok: false,
      status: 400,
      host: authority.slice(0, 64),
      reason: `the target is ${authority.length} characters long; a host:port is at most ${MAX_AUTHORITY_LENGTH}`,
    };
  }
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s/@[\]]+)(?::(\d{1,5}))?$/.exec(authority);
  if (!match || (match[2] === undefined && defaultPort === undefined)) {
    return { ok: false, status: 400, host: authority, reason: `'${authority}' is not a host:port target` };
  }
  const host = match[1]!.toLowerCase().replace(/\.$/, '');
  const port = match[2] === undefined ? defaultPort! : Number(match[2]);
  if (!isEmulatedHost(host)) {
    return {
      ok: false,
      status: 403,
      host,
      reason: `the bandwidth-emulator proxy answers only for ${EMULATED_HOSTS.join(' and ')}; ${host} is refused and nothing is forwarded off this machine (unset HTTPS_PROXY for other hosts, or list them in NO_PROXY)`,
    };
  }
  const tunnel = TUNNEL_PORTS.get(port);
  if (!tunnel) return { ok: false, status: 403, host, reason: `${host} is answered on ports 443 and 80 only, not ${port}` };
  return { ok: true, host, port, tunnel };
}
