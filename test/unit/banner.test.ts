// The CLI's first words: the banner names every surface (API, inbox, control API and whether it needs the token)
// and the magic numbers, each of which really does what the banner says.
import { describe, expect, it } from 'vitest';
import { banner } from '../../src/cli.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { MAGIC_NUMBERS, magicOutcome } from '../../src/scenarios/magic.js';

describe('banner', () => {
  const url = 'http://127.0.0.1:4010';

  it('names the API, the web inbox and the control API, and whether the control API needs the token (never the token)', () => {
    const open = banner(resolveConfig({}), url);
    expect(open).toContain(`  API base      ${url}  (also ${url}/api/v2)`);
    expect(open).toContain(`  web inbox     ${url}/`);
    expect(open).toContain(`  control API   ${url}/__emulator  (no control token: open to anyone who reaches it)`);
    const token = 'Banner-Control-Token-1x';
    const guarded = banner(resolveConfig({ overrides: { control: { token } } }), url);
    expect(guarded).toContain(`  control API   ${url}/__emulator  (needs the control token: Authorization: Bearer <token>)`);
    expect(guarded).not.toContain(token);
  });

  it('lists every magic number, and each example really has the outcome the banner says', () => {
    const text = banner(resolveConfig({}), url);
    expect(text).toContain('  magic numbers +1555100DDDD  message-failed with error code DDDD');
    for (const magic of MAGIC_NUMBERS) {
      expect(text).toContain(`${magic.pattern}  ${magic.outcome}`);
      expect(magic.example).toMatch(new RegExp(`^${magic.pattern.replace('+', '\\+').replace(/[A-Z]{4}$/, '\\d{4}')}$`));
      const outcome = magicOutcome(magic.example, false, 0);
      expect(outcome, magic.example).toBeDefined();
      const final = outcome!.events.at(-1);
      if (magic.pattern.startsWith('+1555100')) expect(final).toMatchObject({ type: 'message-failed', errorCode: Number(magic.example.slice(-4)) });
      if (magic.pattern.startsWith('+1555200')) expect(outcome!.events).toEqual([]);
      if (magic.pattern.startsWith('+1555300')) expect(final).toMatchObject({ type: 'message-delivered', afterMs: Number(magic.example.slice(-4)) * 1000 });
      if (magic.pattern.startsWith('+1555400')) expect(outcome!.duplicate).toBe(1);
    }
    // Compact: one line per fact.
    expect(text.split('\n').length).toBeLessThanOrEqual(18);
  });

  it('names the proxy for HTTPS_PROXY, the hosts it answers, the CA to trust and the HTTPS listener when on', () => {
    const caDir = '/tmp/banner-ca';
    const shared = banner(resolveConfig({ overrides: { proxy: { caDir } } }), url);
    expect(shared).toContain(
      `  proxy         HTTPS_PROXY=${url}  (Bandwidth hosts only: messaging.bandwidth.com, api.bandwidth.com; any other host is refused)`,
    );
    expect(shared).toContain('  local CA      /tmp/banner-ca/ca.pem  (run `bandwidth-emulator ca` to trust it)');
    expect(shared).not.toContain('HTTPS         ');
    const own = banner(resolveConfig({ overrides: { proxy: { caDir } } }), url, undefined, {
      proxyUrl: 'http://127.0.0.1:4020',
      httpsUrl: 'https://127.0.0.1:4443',
      caCertPath: '/tmp/banner-ca/ca.pem',
    });
    expect(own).toContain('  proxy         HTTPS_PROXY=http://127.0.0.1:4020  (Bandwidth hosts only');
    expect(own).toContain('  HTTPS         https://127.0.0.1:4443  (certificates from the local CA)');
    expect(own.split('\n').length).toBeLessThanOrEqual(19);
    const off = banner(resolveConfig({ overrides: { proxy: { enabled: false, caDir } } }), url);
    expect(off).toContain('  proxy         off (start with --proxy to answer for messaging.bandwidth.com, api.bandwidth.com)');
    expect(off).not.toContain('HTTPS_PROXY');
    expect(off).not.toContain('local CA');
  });
});
