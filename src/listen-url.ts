import { isIPv4, type AddressInfo } from 'node:net';

/**
 * The URL to hand out for a server listening on `host` at `address` (read back after listen, so port 0 works).
 * A wildcard bind (0.0.0.0, ::) is no address a client can use: links name loopback instead; set publicUrl for
 * what other machines or containers should use.
 */
export function listenUrl(host: string, address: AddressInfo | string | null, fallbackPort: number): string {
  const port = typeof address === 'object' && address ? address.port : fallbackPort;
  const shown = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/** Whether a listen address (or a URL's host) only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  // Only literal loopback addresses: a host name such as 127.example.com resolves anywhere.
  return host === 'localhost' || host === '::1' || host === '[::1]' || (isIPv4(host) && host.startsWith('127.')) || /^::ffff:127\.\d+\.\d+\.\d+$/i.test(host);
}
