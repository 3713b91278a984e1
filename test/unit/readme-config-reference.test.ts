import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReference, configReferenceTable } from '../../src/config/reference.js';
import { resolveConfig, type EmulatorConfig } from '../../src/config/resolve.js';
import { parseDuration } from '../../src/validation/durations.js';

// The README's config-file reference is generated from the TypeBox schema (titles and defaults): it must be in the
// README exactly, every field must say what it is for, and every documented default must be what the resolver applies.
describe('README config file reference', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('is the table generated from src/config/schema.ts (paste the expected table below into README.md on a change)', () => {
    const table = configReferenceTable();
    expect(readme.includes(table), `README.md must contain, under "### Config file reference":\n\n${table}\n`).toBe(true);
  });

  it('gives every field of the schema a meaning', () => {
    const fields = configReference();
    expect(fields.length).toBeGreaterThan(40);
    for (const field of fields) expect(field.meaning.replace(' (required)', ''), `${field.field} needs a title in the schema`).not.toBe('');
  });

  it('documents the defaults the resolver really applies', () => {
    const app = { id: 'app-1' };
    const resolved = resolveConfig({ overrides: { accounts: [{ id: '1', users: [{ username: 'u', password: 'p' }], applications: [app] }] } });
    // Permissive, the one mode where an account may list no credentials at all (strict refuses it).
    const bare = resolveConfig({ overrides: { permissive: true, accounts: [{ id: '1', applications: [app] }] } });
    const ms = (v: unknown) => parseDuration(v as string);
    const actual: Record<string, (c: EmulatorConfig) => unknown> = {
      host: (c) => c.host,
      port: (c) => c.port,
      permissive: (c) => c.permissive,
      logLevel: (c) => c.logLevel,
      allowedHosts: (c) => c.allowedHosts,
      timeScale: (c) => c.timeScale,
      scenarios: (c) => c.scenarios,
      hotReload: (c) => c.hotReload,
      'callbacks.timeout': (c) => c.callbacks.timeoutMs,
      'callbacks.retryDelays': (c) => c.callbacks.retryDelaysMs,
      'callbacks.deliveryDelay': (c) => c.callbacks.deliveryDelayMs,
      'callbacks.sendingDelay': (c) => c.callbacks.sendingDelayMs,
      'limits.maxMessages': (c) => c.limits.maxMessages,
      'limits.maxJournalEntries': (c) => c.limits.maxJournalEntries,
      'media.maxObjectBytes': (c) => c.media.maxObjectBytes,
      'media.maxTotalBytes': (c) => c.media.maxTotalBytes,
      'media.retention': (c) => c.media.retentionMs,
      'media.fetchExternal': (c) => c.media.fetchExternal,
      'media.fetchTimeout': (c) => c.media.fetchTimeoutMs,
      'oauth.tokenTtlSeconds': (c) => c.oauth.tokenTtlSeconds,
      shutdownGrace: (c) => c.shutdownGraceMs,
      'proxy.enabled': (c) => c.proxy.enabled,
      carriers: (c) => c.carriers,
      'accounts[].features.advancedQualityMetrics': (c) => c.accounts[0]!.features.advancedQualityMetrics,
      'accounts[].features.carrierNameOnCallbacks': (c) => c.accounts[0]!.features.carrierNameOnCallbacks,
      'accounts[].users': () => bare.accounts[0]!.users,
      'accounts[].oauthClients': () => bare.accounts[0]!.oauthClients,
      'accounts[].numbers': () => bare.accounts[0]!.numbers,
      'accounts[].users[].messaging': (c) => c.accounts[0]!.users[0]!.messaging,
      'accounts[].applications[].callbackAuth': (c) => c.accounts[0]!.applications[0]!.callbackAuth,
      'accounts[].applications[].callbackTypes': (c) => c.accounts[0]!.applications[0]!.callbackTypes,
    };
    const withDefaults = configReference().filter((f) => f.default !== '');
    expect(withDefaults.map((f) => f.field).sort()).toEqual(Object.keys(actual).sort());
    for (const field of withDefaults) {
      const documented = JSON.parse(field.default.replace(/'/g, '"')) as unknown;
      const expected = field.type === 'duration' ? ms(documented) : field.type === 'list of duration' ? (documented as string[]).map(ms) : documented;
      expect(actual[field.field]!(resolved), `${field.field}: documented default ${field.default}`).toEqual(expected);
    }
  });
});
