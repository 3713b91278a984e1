import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN, numberTypeOf } from '../../src/config/numbers.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { EmulatorConfigError } from '../../src/errors.js';

// Numbers with a type and a registration (README "Provisioning"): the plain forms keep working with every default,
// the object form adds the fields, and every field has a bound with an error naming the file, the field and the fix.
const dir = mkdtempSync(join(tmpdir(), 'bw-emulator-numbers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;
function configWith(numbers: string[], extra: string[] = []): string {
  const path = join(dir, `config-${++seq}.yaml`);
  const lines = [
    'accounts:',
    '  - id: "1234567"',
    '    users: [{ username: u, password: p }]',
    '    applications:',
    '      - id: app-1',
    '      - id: app-2',
    ...extra.map((l) => `    ${l}`),
    '    numbers:',
    ...numbers.map((l) => `      ${l}`),
  ];
  writeFileSync(path, lines.join('\n'));
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

const numbersOf = (path: string) => resolveConfig({ flags: { config: path } }).accounts[0]!;

describe('number types by prefix (as Bandwidth’s CLI reads them)', () => {
  it('toll-free area codes, short codes and the rest', () => {
    for (const code of ['800', '888', '877', '866', '855', '844', '833']) expect(numberTypeOf(`+1${code}5550100`)).toBe('tollFree');
    expect(numberTypeOf('+18995550100')).toBe('local');
    expect(numberTypeOf('+19195550100')).toBe('local');
    expect(numberTypeOf('12345')).toBe('shortCode');
    expect(numberTypeOf('+123456')).toBe('shortCode');
    expect(numberTypeOf('+1234567')).toBe('local');
    expect(numberTypeOf('MyBrand')).toBe('local');
  });
});

describe('numbers in the config', () => {
  it('the default config: every number local, on an active campaign, on a location and the default application', () => {
    const account = resolveConfig({}).accounts[0]!;
    expect(account.tollFreeUnverified).toBe('block');
    expect(account.numbers).toHaveLength(5);
    for (const n of account.numbers) {
      expect(n).toMatchObject({ type: 'local', location: 'default-location', applicationId: account.applications[0]!.id });
      expect(n.campaign).toEqual(DEFAULT_CAMPAIGN);
    }
  });

  it('a plain string, the {number, applicationId} form and the full object form', () => {
    const account = numbersOf(
      configWith([
        '- "+18005550100"',
        '- { number: "+19195550100", applicationId: app-2 }',
        '- { number: "+19195550101", campaign: null, location: sip-peer-7 }',
        '- { number: "+19195550102", campaign: { id: CJEUMDK, class: W, mnoStatus: SUSPENDED } }',
        '- { number: "+18885550100", tollFreeVerification: { status: UNVERIFIED, denial: { denialStatusCode: 511, declineReasonDescription: opt-in unclear } } }',
        '- "+12345"',
      ]),
    );
    const [tollFree, plainObject, noCampaign, suspended, denied, shortCode] = account.numbers;
    expect(tollFree).toEqual({
      number: '+18005550100',
      applicationId: 'app-1',
      type: 'tollFree',
      location: 'default-location',
      tollFreeVerification: { status: 'VERIFIED' },
    });
    expect(plainObject).toMatchObject({ applicationId: 'app-2', type: 'local', campaign: DEFAULT_CAMPAIGN });
    expect(noCampaign).toMatchObject({ type: 'local', campaign: null, location: 'sip-peer-7' });
    expect(suspended!.campaign).toEqual({ id: 'CJEUMDK', class: 'W', status: 'ACTIVE', mnoStatus: 'SUSPENDED' });
    expect(denied!.tollFreeVerification).toEqual({
      status: 'UNVERIFIED',
      denial: { denialStatusCode: 511, declineReasonDescription: 'opt-in unclear', resubmitAllowed: true },
    });
    expect(shortCode).toEqual({ number: '+12345', applicationId: 'app-1', type: 'shortCode', location: 'default-location' });
  });

  it('tollFreeUnverified takes block or caps2023', () => {
    expect(numbersOf(configWith(['- "+18005550100"'], ['tollFreeUnverified: caps2023'])).tollFreeUnverified).toBe('caps2023');
    const path = configWith(['- "+18005550100"'], ['tollFreeUnverified: cap']);
    expect(configError(path)).toMatch(new RegExp(`${path}:\\d+: accounts\\[0\\]\\.tollFreeUnverified`));
  });

  // Each bound, one past it: the message names the file, the field and what to write instead.
  it.each([
    ['a campaign id over 32 characters', `- { number: "+19195550100", campaign: { id: ${'C'.repeat(33)}, class: T } }`, 'numbers[0].campaign'],
    ['a campaign id with punctuation', '- { number: "+19195550100", campaign: { id: "CJ-EU", class: T } }', 'numbers[0].campaign'],
    ['a campaign class of two letters', '- { number: "+19195550100", campaign: { id: CJEUMDK, class: TT } }', 'numbers[0].campaign'],
    ['a lower-case campaign class', '- { number: "+19195550100", campaign: { id: CJEUMDK, class: t } }', 'numbers[0].campaign'],
    ['an unknown campaign status', '- { number: "+19195550100", campaign: { id: CJEUMDK, class: T, status: PENDING } }', 'numbers[0].campaign'],
    ['an unknown mnoStatus', '- { number: "+19195550100", campaign: { id: CJEUMDK, class: T, mnoStatus: OK } }', 'numbers[0].campaign'],
    [
      'a DENIED verification status (not in the spec)',
      '- { number: "+18005550100", tollFreeVerification: { status: DENIED } }',
      'numbers[0].tollFreeVerification.status',
    ],
    [
      'a denial code past 99999',
      '- { number: "+18005550100", tollFreeVerification: { status: UNVERIFIED, denial: { denialStatusCode: 100000 } } }',
      'denialStatusCode',
    ],
    [
      'a decline reason over 1024 characters',
      `- { number: "+18005550100", tollFreeVerification: { status: UNVERIFIED, denial: { denialStatusCode: 511, declineReasonDescription: ${'x'.repeat(1025)} } } }`,
      'declineReasonDescription',
    ],
    ['a location over 64 characters', `- { number: "+19195550100", location: ${'l'.repeat(65)} }`, 'numbers[0].location'],
    ['an unknown type', '- { number: "+19195550100", type: landline }', 'numbers[0].type'],
    ['an unknown field', '- { number: "+19195550100", campaignId: CJEUMDK }', 'numbers[0]'],
    ['a number over 32 characters', `- "+1${'9'.repeat(32)}"`, 'numbers[0]'],
  ])('refuses %s', (_what, line, field) => {
    const path = configWith([line]);
    const message = configError(path);
    expect(message).toContain(path);
    expect(message).toContain(field);
  });

  it('refuses what a schema cannot say: a campaign off a local number, a denial not UNVERIFIED, an unknown application', () => {
    const path = configWith([
      '- { number: "+18005550100", campaign: { id: CJEUMDK, class: T } }',
      '- { number: "+19195550100", tollFreeVerification: { status: VERIFIED } }',
      '- { number: "+18885550100", tollFreeVerification: { status: PENDING, denial: { denialStatusCode: 511 } } }',
      '- { number: "+19195550101", applicationId: ghost }',
      '- "not a number!"',
    ]);
    const message = configError(path);
    expect(message).toContain(
      `${path}: accounts[0].numbers[0].campaign: a tollFree number is on no 10DLC campaign. Fix: remove campaign, or set type: 'local'`,
    );
    expect(message).toContain('accounts[0].numbers[1].tollFreeVerification: a local number has no toll-free verification');
    expect(message).toContain(
      "accounts[0].numbers[2].tollFreeVerification.denial: a denied request reports UNVERIFIED, not PENDING. Fix: set status: 'UNVERIFIED'",
    );
    expect(message).toContain("accounts[0].numbers[3].applicationId: 'ghost' names no application of account 1234567. Fix: use one of: app-1, app-2");
    expect(message).toContain("accounts[0].numbers[4]: 'not a number!' is neither E.164 nor an alphanumeric sender id");
  });
});
