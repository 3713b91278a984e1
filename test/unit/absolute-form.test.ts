// The verdict on an absolute-form request-target, from the target alone (src/proxy/absolute-form.ts), and which paths
// each Bandwidth host serves (src/proxy/bandwidth-host-paths.ts). The wire behaviour: test/e2e/proxy-absolute-form.test.ts.
import { describe, expect, it } from 'vitest';
import { isAbsoluteForm, judgeAbsoluteForm, requestOrigin } from '../../src/proxy/absolute-form.js';
import { unservedUnderBandwidthHost } from '../../src/proxy/bandwidth-host-paths.js';

describe('judgeAbsoluteForm', () => {
  it('serves a Bandwidth host as its path and query, with the host normalised (case, trailing dot)', () => {
    expect(judgeAbsoluteForm('https://messaging.bandwidth.com/api/v2/users/1/messages?limit=1', true)).toEqual({
      served: true,
      path: '/api/v2/users/1/messages?limit=1',
      host: 'messaging.bandwidth.com',
      scheme: 'https',
    });
    expect(judgeAbsoluteForm('HTTPS://API.Bandwidth.com./api/v1/oauth2/token', true)).toMatchObject({ served: true, host: 'api.bandwidth.com' });
    expect(judgeAbsoluteForm('http://messaging.bandwidth.com', true)).toMatchObject({ served: true, path: '/', scheme: 'http' });
    // The default port written out is still the default port.
    expect(judgeAbsoluteForm('https://messaging.bandwidth.com:443/api/v2', true)).toMatchObject({ served: true });
  });

  it('refuses what is not an http(s) absolute-URI with an authority, as WHATWG URL parsing alone would not', () => {
    for (const target of [
      'http:messaging.bandwidth.com/api/v2',
      'https:\\\\messaging.bandwidth.com\\api\\v2',
      'https:/messaging.bandwidth.com/',
      'http://bad%zz/',
    ]) {
      expect(judgeAbsoluteForm(target, true), target).toMatchObject({
        served: false,
        status: 400,
        reason: expect.stringContaining('not a valid absolute URL'),
      });
    }
  });

  it('refuses every target with proxy mode off, naming --proxy', () => {
    expect(judgeAbsoluteForm('https://messaging.bandwidth.com/api/v2', false)).toMatchObject({
      served: false,
      status: 403,
      reason: expect.stringContaining('--proxy'),
    });
  });

  it('never echoes userinfo in a reason', () => {
    const verdict = judgeAbsoluteForm(`https://me:hunter2@${'a'.repeat(120)}.example/`, false);
    expect(verdict).toMatchObject({ served: false });
    expect(JSON.stringify(verdict)).not.toContain('hunter2');
  });
});

describe('isAbsoluteForm and requestOrigin', () => {
  it('tells absolute-form from origin-form and *', () => {
    expect(isAbsoluteForm('https://x/')).toBe(true);
    expect(isAbsoluteForm('/https://x/')).toBe(false);
    expect(isAbsoluteForm('*')).toBe(false);
  });

  it('links take the absolute URL’s scheme, else the connection’s', () => {
    expect(requestOrigin({ originalUrl: 'https://messaging.bandwidth.com/api/v2', protocol: 'http', host: 'messaging.bandwidth.com' })).toBe(
      'https://messaging.bandwidth.com',
    );
    expect(requestOrigin({ originalUrl: 'http://messaging.bandwidth.com/api/v2', protocol: 'http', host: 'messaging.bandwidth.com' })).toBe(
      'http://messaging.bandwidth.com',
    );
    expect(requestOrigin({ originalUrl: '/api/v2', protocol: 'https', host: 'messaging.bandwidth.com' })).toBe('https://messaging.bandwidth.com');
    expect(requestOrigin({ originalUrl: '/api/v2', protocol: 'http', host: '127.0.0.1:4010' })).toBe('http://127.0.0.1:4010');
  });
});

describe('unservedUnderBandwidthHost', () => {
  it('messaging.bandwidth.com serves /api/v2 only; api.bandwidth.com the token endpoint only; other hosts everything', () => {
    expect(unservedUnderBandwidthHost('messaging.bandwidth.com', '/api/v2/users/1/messages')).toBeUndefined();
    expect(unservedUnderBandwidthHost('messaging.bandwidth.com', '/api/v2')).toBeUndefined();
    expect(unservedUnderBandwidthHost('messaging.bandwidth.com', '/api/v2x')).toContain('/api/v2 only');
    expect(unservedUnderBandwidthHost('messaging.bandwidth.com', '/users/1/media')).toContain('use /api/v2/users/1/media');
    expect(unservedUnderBandwidthHost('api.bandwidth.com', '/api/v1/oauth2/token')).toBeUndefined();
    expect(unservedUnderBandwidthHost('api.bandwidth.com', '/api/v1/oauth2/token/')).toBeUndefined();
    expect(unservedUnderBandwidthHost('api.bandwidth.com', '/')).toContain('only the OAuth token endpoint');
    expect(unservedUnderBandwidthHost('127.0.0.1', '/users/1/messages')).toBeUndefined();
  });
});
