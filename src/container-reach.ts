// What the start-up banner says when the emulator runs in a container and binds every interface (the Docker image
// does): its own address means nothing to the reader, who is on the host. The host reaches it through the published
// port, and the container reaches a receiver on the host through host.docker.internal (Docker Desktop has that name;
// a Linux engine has it only with --add-host=host.docker.internal:host-gateway), never through 127.0.0.1, which
// inside the container is the container itself.
import { existsSync } from 'node:fs';
import type { EmulatorConfig } from './config/resolve.js';
import { isLoopback } from './listen-url.js';

/** The banner's container variant: the URL the host uses, a callback example for a host receiver, and notes. */
export interface ContainerReach {
  /** Base URL for clients on the host: publicUrl when set, else localhost at the port (published as the same). */
  url: string;
  /** A callback URL for a receiver on the host, for the "start with --callback-url" hint. */
  callbackExample: string;
  /** Lines to print after the banner. */
  notes: string[];
}

/** Whether this process runs in a container: Docker writes /.dockerenv, Podman /run/.containerenv. */
export function inContainer(exists: (path: string) => boolean = existsSync): boolean {
  return exists('/.dockerenv') || exists('/run/.containerenv');
}

/** The banner's container variant, or undefined when the listen URL is already right (no container, or no wildcard). */
export function containerReach(
  config: Pick<EmulatorConfig, 'host' | 'publicUrl' | 'accounts'>,
  port: number,
  containerised: boolean,
): ContainerReach | undefined {
  // Bound to one address (loopback in a dev container, say), the listen URL is the one to use.
  if (!containerised || !['0.0.0.0', '::', ''].includes(config.host)) return undefined;
  const notes = [
    `  container     listening on every interface, port ${port}; from the host use the port you published (-p ${port}:${port} gives http://localhost:${port})`,
    `  to the host   a receiver on the host is http://host.docker.internal:PORT/... from here; on a Linux engine run the container with --add-host=host.docker.internal:host-gateway`,
  ];
  const loopbackTargets = config.accounts.flatMap((a) =>
    a.applications.flatMap((app) =>
      [app.callbackUrl, app.outboundCallbackUrl, app.inboundCallbackUrl].filter((u): u is string => u !== undefined && loopbackUrl(u)),
    ),
  );
  if (loopbackTargets.length > 0) {
    notes.push(
      `  warning       ${loopbackTargets.length} callback URL(s) name loopback (${hostOf(loopbackTargets[0]!)}), which inside the container is the container itself: use host.docker.internal for a receiver on the host, or the receiver's container name`,
    );
  }
  return { url: config.publicUrl ?? `http://localhost:${port}`, callbackExample: 'http://host.docker.internal:3000/webhooks', notes };
}

function loopbackUrl(url: string): boolean {
  return isLoopback(hostOf(url).replace(/^\[(.*)\]$/, '$1'));
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}
