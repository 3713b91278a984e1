import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { searchMessages } from '../../src/api/search-messages.js';
import { carrierOf, carrierTable, countryA3Of, DEFAULT_CARRIERS } from '../../src/config/number-ranges.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { EmulatorConfigError } from '../../src/errors.js';
import type { StoredMessage } from '../../src/store/messages.js';

// The pieces of "What Bandwidth fills in" that need no server: countries and carriers by number range, the config's
// bounds on carriers, countries and features (each refused naming the file, the field and the fix), and the
// Advanced Quality Metrics latencies computed from a message's timeline.
const dir = mkdtempSync(join(tmpdir(), 'bw-emulator-ranges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let seq = 0;
function configFile(lines: string[]): string {
  const path = join(dir, `config-${++seq}.yaml`);
  writeFileSync(path, ['accounts:', '  - id: "1"', '    users: [{ username: u, password: p }]', '    applications: [{ id: app }]', ...lines].join('\n'));
  return path;
}
function configError(path: string): string {
  try {
    resolveConfig({ flags: { config: path } });
  } catch (error) {
    expect(error).toBeInstanceOf(EmulatorConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a config error');
}

describe('countries and carriers by number', () => {
  it('countries by E.164 country code: +1 is the USA, unknown or shared codes and sender ids have none', () => {
    expect(countryA3Of('+19195550100')).toBe('USA');
    expect(countryA3Of('+16135550100')).toBe('USA'); // NANP: a Canadian number says so with `country: CAN`
    expect(countryA3Of('+447700900123')).toBe('GBR');
    expect(countryA3Of('+353861234567')).toBe('IRL');
    expect(countryA3Of('+74951234567')).toBeNull();
    expect(countryA3Of('+99912345')).toBeNull();
    expect(countryA3Of('MyBrand')).toBeNull();
  });

  it('the longest matching prefix names the carrier; a number no range covers has none', () => {
    const table = carrierTable([
      { prefix: '+1', name: 'Wide' },
      { prefix: '+1919', name: 'Narrow' },
    ]);
    expect(carrierOf(table, '+19195550100')).toBe('Narrow');
    expect(carrierOf(table, '+13125550100')).toBe('Wide');
    expect(carrierOf(table, '+447700900123')).toBeNull();
    expect(carrierOf(table, 'MyBrand')).toBeNull();
    expect(carrierOf(carrierTable(DEFAULT_CARRIERS), '+447700900123')).toBe('Emulated Global');
    expect(resolveConfig({}).carriers).toEqual(DEFAULT_CARRIERS);
  });
});

describe('config bounds', () => {
  it('carriers: a list replaces the default; prefix, name, count and duplicates are bounded', () => {
    expect(resolveConfig({ flags: { config: configFile(['carriers: [{ prefix: "+1", name: "AT&T" }]']) } }).carriers).toEqual([{ prefix: '+1', name: 'AT&T' }]);
    let path = configFile(['carriers: [{ prefix: "1919", name: x }]']);
    expect(configError(path)).toMatch(new RegExp(`${path}:\\d+: carriers\\[0\\]\\.prefix`));
    path = configFile(['carriers: [{ prefix: "+1234567890123456", name: x }]']);
    expect(configError(path)).toMatch(/carriers\[0\]\.prefix/);
    path = configFile([`carriers: [{ prefix: "+1", name: "${'n'.repeat(65)}" }]`]);
    expect(configError(path)).toMatch(/carriers\[0\]\.name/);
    path = configFile(['carriers: [{ prefix: "+1", name: "" }]']);
    expect(configError(path)).toMatch(/carriers\[0\]\.name/);
    path = configFile(['carriers: [{ prefix: "+1", name: a }, { prefix: "+1", name: b }]']);
    expect(configError(path)).toMatch(/carriers\[1\]\.prefix.*carriers\[0\] too.*distinct prefix/);
    const ranges = (n: number) => `carriers: [${Array.from({ length: n }, (_, i) => `{ prefix: "+${i}", name: c }`).join(', ')}]`;
    expect(configError(configFile([ranges(1001)]))).toMatch(/carriers/);
    expect(resolveConfig({ flags: { config: configFile([ranges(1000)]) } }).carriers).toHaveLength(1000);
  });

  it("a number's country is three capital letters", () => {
    const ok = resolveConfig({ flags: { config: configFile(['    numbers: [{ number: "+16135550100", country: CAN }]']) } });
    expect(ok.accounts[0]!.numbers[0]!.country).toBe('CAN');
    for (const bad of ['can', 'CA', 'CANA']) {
      const path = configFile([`    numbers: [{ number: "+16135550100", country: ${bad} }]`]);
      expect(configError(path)).toMatch(/accounts\[0\]\.numbers\[0\]\.country/);
    }
  });

  it('features: both off by default, each a boolean, no other name', () => {
    expect(resolveConfig({}).accounts[0]!.features).toEqual({ advancedQualityMetrics: false, carrierNameOnCallbacks: false });
    const on = resolveConfig({ flags: { config: configFile(['    features: { advancedQualityMetrics: true }']) } });
    expect(on.accounts[0]!.features).toEqual({ advancedQualityMetrics: true, carrierNameOnCallbacks: false });
    expect(configError(configFile(['    features: { advancedQualityMetrics: "yes" }']))).toMatch(/accounts\[0\]\.features\.advancedQualityMetrics/);
    expect(configError(configFile(['    features: { aqm: true }']))).toMatch(/accounts\[0\]\.features/);
  });
});

describe('Advanced Quality Metrics latencies', () => {
  const at = 1_800_000_000_000;
  const message = (timeline: StoredMessage['timeline'], to = ['+13125550100']): StoredMessage => ({
    id: 'm1',
    accountId: '1',
    direction: 'out',
    applicationId: 'app',
    owner: '+19195550100',
    from: '+19195550100',
    to,
    text: 'x',
    priority: 'default',
    time: at,
    segmentCount: 1,
    recipients: to.map((r) => ({ to: r, status: 'DELIVERED', errorCode: 0, updatedAt: at })),
    timeline,
  });
  const row = (m: StoredMessage, qualityMetrics = true) =>
    (
      searchMessages([m], { messageId: 'm1' }, new URL('http://127.0.0.1/'), { requireFilter: true, qualityMetrics }).messages as Array<Record<string, unknown>>
    )[0]!;

  it('bwLatency: acceptance to message-sending; carrierLatency: message-sending to the outcome, in whole seconds', () => {
    const m = message([
      { at, what: 'accepted' },
      { at: at + 2_400, what: 'message-sending', recipient: '+13125550100' },
      { at: at + 7_600, what: 'message-delivered', recipient: '+13125550100' },
    ]);
    expect(row(m)).toMatchObject({ bwLatency: 2, carrierLatency: 5 });
    expect(row(m, false)).toMatchObject({ bwLatency: null, carrierLatency: null });
  });

  it('without message-sending the outcome is the hand-off; nothing yet is null; each recipient its own', () => {
    const m = message(
      [
        { at, what: 'accepted' },
        { at: at + 3_000, what: 'message-failed', recipient: '+13125550100' },
      ],
      ['+13125550100', '+13125550101'],
    );
    m.recipients[1]!.status = 'QUEUED';
    const rows = searchMessages([m], { messageId: 'm1', sort: 'destinationTn:asc' }, new URL('http://127.0.0.1/'), {
      requireFilter: true,
      qualityMetrics: true,
    }).messages as Array<Record<string, unknown>>;
    expect(rows.map((r) => [r.bwLatency, r.carrierLatency])).toEqual([
      [3, 0],
      [null, null],
    ]);
  });
});
