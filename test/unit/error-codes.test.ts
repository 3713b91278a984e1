// The message-failed table (src/error-codes.ts) against Bandwidth's errors page as checked on ERROR_CODES_CHECKED_ON:
// the page's codes and billable column, the codes published since or elsewhere, the control API's schema for an
// entry, and docs/error-codes.md generated from it.
import { readFileSync, writeFileSync } from 'node:fs';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { ErrorCodeSchema } from '../../src/control/schemas.js';
import { errorCodesMarkdown } from '../../src/error-codes-doc.js';
import { describeErrorCode, ERROR_CODE_GROUPS, errorCodeInfo, isKnownErrorCode, MESSAGE_ERROR_CODES } from '../../src/error-codes.js';

// The errors page's five tables, code by code (api-docs site/docs/messaging/errors.mdx, 4753 added by commit 1a264fc).
const PAGE = {
  'bandwidth-client': [
    4001, 4301, 4302, 4303, 4350, 4360, 4401, 4403, 4404, 4405, 4406, 4407, 4408, 4409, 4410, 4411, 4412, 4420, 4421, 4431, 4432, 4433, 4434, 4435, 4451, 4452,
    4470, 4481, 4482, 4492, 4493,
  ],
  'carrier-client': [
    4700, 4701, 4702, 4711, 4712, 4720, 4721, 4730, 4740, 4750, 4751, 4752, 4753, 4770, 4771, 4772, 4773, 4774, 4775, 4780, 4781, 4785, 4790, 4791, 4792, 4793,
    4795,
  ],
  'bandwidth-service': [5100, 5101, 5106, 5111, 5201, 5211, 5220, 5231, 5500, 5501, 5999],
  'carrier-service': [5600, 5610, 5620, 5630, 5650],
  ambiguous: [9902, 9999],
} as const;
// The page's Billable column: YES for 4470, every carrier-reported code and the ambiguous ones.
const PAGE_BILLABLE = [4470, ...PAGE['carrier-client'], ...PAGE['carrier-service'], ...PAGE.ambiguous];

const all = Object.values(MESSAGE_ERROR_CODES);

describe('message-failed error table', () => {
  it('holds every code of the errors page, 4794 from the support article and 4476 and 5229 from the CLI, and nothing else', () => {
    const expected = [...Object.values(PAGE).flat(), 4794, 4476, 5229].sort();
    expect(all.map((c) => c.code).sort()).toEqual(expected);
    for (const [group, codes] of Object.entries(PAGE)) for (const code of codes) expect(MESSAGE_ERROR_CODES[code]!.group, String(code)).toBe(group);
    for (const info of all) expect(MESSAGE_ERROR_CODES[info.code], 'keyed by its own code').toBe(info);
  });

  it('files each code in the group its digits say (4-7 carrier client, other 4 Bandwidth client, 5-6 carrier service, other 5 Bandwidth service, 9 ambiguous)', () => {
    const byDigits = (code: number) => {
      const [first, second] = String(code);
      if (first === '9') return 'ambiguous';
      if (first === '4') return second === '7' ? 'carrier-client' : 'bandwidth-client';
      return second === '6' ? 'carrier-service' : 'bandwidth-service';
    };
    for (const info of all) expect(info.group, String(info.code)).toBe(byDigits(info.code));
  });

  it("is billable exactly where the page's column says YES; the codes not on the page follow their group (inferred, and noted)", () => {
    for (const info of all) {
      if (info.source.kind === 'errors-page') expect(info.billable, String(info.code)).toBe(PAGE_BILLABLE.includes(info.code));
      else {
        expect(info.billable, String(info.code)).toBe(ERROR_CODE_GROUPS[info.group].billable);
        expect(info.note, `${info.code} says what is inferred`).toMatch(/inferred/);
      }
    }
  });

  it('gives each code retry advice with a reason: the group rule, or the code’s own where the page or the source says more', () => {
    for (const info of all) {
      expect(info.retryWhy.length, String(info.code)).toBeGreaterThan(10);
      if (info.retry !== ERROR_CODE_GROUPS[info.group].retry)
        expect(info.retryWhy, `${info.code} explains its exception`).not.toBe(ERROR_CODE_GROUPS[info.group].retryWhy);
    }
    expect(MESSAGE_ERROR_CODES[4785]).toMatchObject({ retry: 'later', retryWhy: expect.stringContaining('Please retry after some time') });
    expect(MESSAGE_ERROR_CODES[5101]!.retry).toBe('later');
    expect(MESSAGE_ERROR_CODES[5100]!.retry).toBe('yes');
    expect(MESSAGE_ERROR_CODES[5650]!.retry).toBe('once');
    expect(MESSAGE_ERROR_CODES[9902]).toMatchObject({ retry: 'not-advised', retryWhy: expect.stringContaining('delivered') });
    expect(MESSAGE_ERROR_CODES[4720]!.retry).toBe('no');
    // The CLI treats 5229 as provisioning, not a transient server error.
    expect(MESSAGE_ERROR_CODES[5229]!.retry).toBe('no');
  });

  it('names its sources: 4794 the support article, 4476 and 5229 the CLI guide (marked CLI only, with names of our own)', () => {
    expect(MESSAGE_ERROR_CODES[4794]).toMatchObject({
      name: 'destination-rejected-expired',
      text: 'Message expired with the mobile operator.',
      billable: true,
      source: { kind: 'support-article', url: expect.stringContaining('13566494') },
    });
    for (const code of [4476, 5229]) {
      expect(MESSAGE_ERROR_CODES[code], String(code)).toMatchObject({ source: { kind: 'cli', url: expect.stringContaining('Bandwidth/cli') } });
      expect(MESSAGE_ERROR_CODES[code]!.note, String(code)).toMatch(/emulator’s/);
    }
    expect(all.filter((c) => c.source.kind === 'errors-page')).toHaveLength(Object.values(PAGE).flat().length);
  });

  it('keeps the page’s names and texts, and the callback descriptions the emulator has always sent', () => {
    expect(MESSAGE_ERROR_CODES[4432]).toMatchObject({
      name: 'rejected-forbidden-country',
      text: 'Messaging to country forbidden',
      description: 'forbidden to country',
    });
    expect(MESSAGE_ERROR_CODES[4720]).toMatchObject({
      name: 'invalid-destination-address',
      text: 'Carrier Rejected as Invalid Destination Address',
      description: 'Invalid destination address',
    });
    expect(MESSAGE_ERROR_CODES[4470]).toMatchObject({ text: 'Rejected as SPAM', billable: true });
    expect(describeErrorCode(4794)).toBe('Message expired with the mobile operator');
    expect(describeErrorCode(4999)).toBe('Message failed');
    expect(isKnownErrorCode(4794)).toBe(true);
    expect(errorCodeInfo(4999)).toBeUndefined();
    // Inherited keys are not codes.
    expect(isKnownErrorCode('constructor' as unknown as number)).toBe(false);
  });

  it('every entry is what the control API documents (ErrorCodeSchema)', () => {
    for (const info of all) expect([...Value.Errors(ErrorCodeSchema, info)], String(info.code)).toEqual([]);
    expect(Value.Check(ErrorCodeSchema, { ...MESSAGE_ERROR_CODES[4720], retry: 'maybe' })).toBe(false);
  });

  it('docs/error-codes.md is generated from the table (run `npm run docs:error-codes` after changing it)', () => {
    const file = new URL('../../docs/error-codes.md', import.meta.url);
    // npm run docs:error-codes sets this to rewrite the file from the table (as UPDATE_SCREENSHOTS does for images).
    if (process.env.UPDATE_ERROR_CODES_DOC === '1') writeFileSync(file, errorCodesMarkdown());
    const doc = readFileSync(file, 'utf8');
    expect(doc).toBe(errorCodesMarkdown());
    for (const info of all) expect(doc).toContain(`| ${info.code} | \`${info.name}\` |`);
  });
});
