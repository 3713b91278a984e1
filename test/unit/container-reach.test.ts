// The banner in a container (src/container-reach.ts): the host's URL and the way back to the host, never the
// container's own wildcard or loopback. The image test (test/docker/image.test.ts) reads the real banner of a
// running container; these cases cover what one container run cannot.
import { describe, expect, it } from 'vitest';
import { banner } from '../../src/cli.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { containerReach, inContainer } from '../../src/container-reach.js';
import { listenUrl } from '../../src/listen-url.js';

/** The banner as the CLI prints it for this environment, listening on `port`. */
function printed(env: Record<string, string>, port: number, containerised: boolean): string {
  const config = resolveConfig({ env });
  const url = listenUrl(config.host, { address: config.host, family: 'IPv4', port }, config.port);
  const reach = containerReach(config, port, containerised);
  return [banner(config, reach?.url ?? url, reach?.callbackExample), ...(reach?.notes ?? [])].join('\n');
}

describe('containerReach', () => {
  it('knows a container by the file its engine leaves: /.dockerenv (Docker) or /run/.containerenv (Podman)', () => {
    expect(inContainer((p) => p === '/.dockerenv')).toBe(true);
    expect(inContainer((p) => p === '/run/.containerenv')).toBe(true);
    expect(inContainer(() => false)).toBe(false);
  });

  it("in the image's set-up (0.0.0.0, no callback URL) the banner names localhost and host.docker.internal, never 0.0.0.0 or loopback", () => {
    const text = printed({ BW_EMULATOR_HOST: '0.0.0.0', BW_EMULATOR_PORT: '4010' }, 4010, true);
    expect(text).toContain('listening on http://localhost:4010');
    expect(text).toContain("basePath: 'http://localhost:4010'");
    expect(text).toContain('start with --callback-url http://host.docker.internal:3000/webhooks');
    expect(text).toContain('--add-host=host.docker.internal:host-gateway');
    expect(text).toContain('-p 4010:4010 gives http://localhost:4010');
    expect(text).not.toMatch(/0\.0\.0\.0|127\.0\.0\.1|\[::1\]/);
  });

  it('also for an IPv6 wildcard and another port', () => {
    const text = printed({ BW_EMULATOR_HOST: '::', BW_EMULATOR_PORT: '5000' }, 5000, true);
    expect(text).toContain("basePath: 'http://localhost:5000'");
    expect(text).not.toMatch(/\[::\]|\[::1\]|127\.0\.0\.1/);
  });

  it('warns when a callback URL names loopback, which inside the container is the container itself', () => {
    const text = printed({ BW_EMULATOR_HOST: '0.0.0.0', BW_EMULATOR_CALLBACK_URL: 'http://127.0.0.1:3000/webhooks' }, 4010, true);
    expect(text).toMatch(/warning +1 callback URL\(s\) name loopback \(127\.0\.0\.1\), which inside the container is the container itself/);
    const fine = printed({ BW_EMULATOR_HOST: '0.0.0.0', BW_EMULATOR_CALLBACK_URL: 'http://host.docker.internal:3000/webhooks' }, 4010, true);
    expect(fine).not.toContain('warning');
    for (const loopback of ['http://localhost:3000/x', 'http://[::1]:3000/x', 'http://127.1.2.3/x']) {
      expect(printed({ BW_EMULATOR_HOST: '0.0.0.0', BW_EMULATOR_CALLBACK_URL: loopback }, 4010, true), loopback).toContain('name loopback');
    }
  });

  it('with publicUrl set, the banner uses it', () => {
    const text = printed({ BW_EMULATOR_HOST: '0.0.0.0', BW_EMULATOR_PUBLIC_URL: 'http://bandwidth:4010' }, 4010, true);
    expect(text).toContain("basePath: 'http://bandwidth:4010'");
  });

  it('leaves the banner alone outside a container, and in one bound to a single address', () => {
    expect(containerReach(resolveConfig({ env: { BW_EMULATOR_HOST: '0.0.0.0' } }), 4010, false)).toBeUndefined();
    expect(containerReach(resolveConfig({ env: { BW_EMULATOR_HOST: '127.0.0.1' } }), 4010, true)).toBeUndefined();
    const outside = printed({ BW_EMULATOR_HOST: '0.0.0.0' }, 4010, false);
    expect(outside).toContain("basePath: 'http://127.0.0.1:4010'");
    expect(outside).toContain('start with --callback-url http://127.0.0.1:3000/webhooks');
    expect(outside).not.toContain('host.docker.internal');
  });
});
