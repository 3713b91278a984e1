// Bugs the property tests found, each pinned by a plain example so it stays fixed whatever the seed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { createEmulator } from '../../src/compose.js';
import { compileScenarioText } from '../../src/scenarios/compile.js';
import { buildApp } from '../../src/server.js';

// A "billion laughs" YAML: each anchor repeats the one before nine times.
const ALIAS_BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  ...'bcdefghij'.split('').map((c, i) => {
    const prev = 'abcdefghij'[i]!;
    return `${c}: &${c} [${Array(9).fill(`*${prev}`).join(',')}]`;
  }),
].join('\n');

describe('regressions found by the property tests', () => {
  it('a YAML alias bomb in a scenario file is a problem naming the file, not an exception', () => {
    const result = compileScenarioText(ALIAS_BOMB, 'bomb.yaml', 'bomb');
    expect(result.scenario).toBeUndefined();
    expect(result.problems).toEqual([
      expect.objectContaining({
        source: 'bomb.yaml',
        field: '(file)',
        problem: expect.stringMatching(/^cannot be read: .*alias/i),
        fix: expect.stringContaining('aliases'),
      }),
    ]);
  });

  it('…and at start-up it stops the emulator with a config error, not a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bwe-bomb-'));
    try {
      const file = join(dir, 'bomb.yaml');
      writeFileSync(file, ALIAS_BOMB);
      expect(() => createEmulator(resolveConfig({ overrides: { logLevel: 'silent', scenarios: [file] } }))).toThrow(`${file}: (file): cannot be read:`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a control API URL with broken percent-encoding gets the control API's error shape, not Bandwidth's", async () => {
    const app = await buildApp(createEmulator(resolveConfig({ overrides: { logLevel: 'silent' } })));
    try {
      const res = await app.inject({ method: 'GET', url: '/__emulator/messages/%' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'bad-request', message: expect.stringContaining('/__emulator/messages/%') });
      // Bandwidth's surface keeps Bandwidth's shape for the same mistake.
      const api = await app.inject({ method: 'GET', url: '/users/%/messages' });
      expect(api.statusCode).toBe(400);
      expect(api.json()).toMatchObject({ type: 'request-validation' });
    } finally {
      await app.close();
    }
  });

  it('a state document reserving an event number past 2^53 is refused: every later callback would share one event id', async () => {
    const app = await buildApp(createEmulator(resolveConfig({ overrides: { logLevel: 'silent' } })));
    try {
      const doc = { kind: 'bandwidth-emulator-state', version: 1, messages: [], media: [], journal: [], scenarios: [] };
      const huge = await app.inject({ method: 'POST', url: '/__emulator/state', payload: { ...doc, lastEventNumber: 2 ** 60 } });
      expect(huge.statusCode).toBe(400);
      expect(huge.json()).toMatchObject({ error: 'bad-request', problems: [expect.objectContaining({ field: 'lastEventNumber' })] });
      // A journal entry's id is free text: one far past the exact integers is kept but reserves nothing.
      const entry = {
        seq: 1,
        eventId: 'ev-99999999999999999999',
        accountId: '9900000',
        messageId: 'm',
        applicationId: 'a',
        type: 'message-delivered',
        recipient: '+19196660001',
        attempt: 0,
        at: 0,
        durationMs: 0,
        request: { headers: {}, body: [] },
        outcome: 'no-target',
      };
      expect((await app.inject({ method: 'POST', url: '/__emulator/state', payload: { ...doc, journal: [entry] } })).statusCode).toBe(200);
      const auth = { authorization: 'Basic ' + Buffer.from('bw-user:bw-password').toString('base64') };
      for (let i = 0; i < 2; i++) {
        const sent = await app.inject({
          method: 'POST',
          url: '/api/v2/users/9900000/messages',
          headers: auth,
          payload: { applicationId: '93de2206-9669-4e07-948d-329f4b722ee2', from: '+19195550100', to: ['+19196660001'], text: 'x' },
        });
        expect(sent.statusCode).toBe(202);
      }
      await app.inject({ method: 'POST', url: '/__emulator/time/flush', headers: { 'content-type': 'application/json' } });
      const ids = (await app.inject({ method: 'GET', url: '/__emulator/callbacks' })).json().entries.map((e: { eventId: string }) => e.eventId);
      expect(ids).toEqual(['ev-99999999999999999999', 'ev-1', 'ev-2']);
    } finally {
      await app.close();
    }
  });

  describe('multichannel', () => {
    const auth = { authorization: 'Basic ' + Buffer.from('bw-user:bw-password').toString('base64'), 'content-type': 'application/json' };
    const url = '/users/9900000/messages/multiChannel';
    const item = (channel: string, content: unknown) => ({
      from: channel === 'RBM' ? 'BandwidthRBM' : '+19195550100',
      applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
      channel,
      content,
    });

    it('an SMS or MMS content with a `suggestions: [null]` key is not read as RBM suggestions (it was a 500)', async () => {
      const app = await buildApp(createEmulator(resolveConfig({ overrides: { logLevel: 'silent' } })));
      try {
        for (const channel of ['SMS', 'MMS']) {
          const res = await app.inject({
            method: 'POST',
            url,
            headers: auth,
            payload: JSON.stringify({ to: '+19195557001', channelList: [item(channel, { text: 'hi', suggestions: [null] })] }),
          });
          expect(res.statusCode, res.body).toBe(202);
        }
      } finally {
        await app.close();
      }
    });

    it("a bad expiration's description names the field, and a malformed URL is answered in the multichannel envelope", async () => {
      const app = await buildApp(createEmulator(resolveConfig({ overrides: { logLevel: 'silent' } })));
      try {
        const past = await app.inject({
          method: 'POST',
          url,
          headers: auth,
          payload: JSON.stringify({ to: '+19195557001', channelList: [item('SMS', { text: 'hi' })], expiration: '2001-01-01T00:00:00Z' }),
        });
        expect(past.json()).toEqual({
          links: [],
          data: null,
          errors: [
            { type: 'request-validation', description: expect.stringMatching(/^The 'expiration' field is invalid: .*future/), source: { field: 'expiration' } },
          ],
        });
        const broken = await app.inject({ method: 'POST', url: '/api/v2/users/%/messages/multiChannel', headers: auth, payload: '{}' });
        expect(broken.statusCode).toBe(400);
        expect(broken.json()).toEqual({
          links: [],
          data: null,
          errors: [{ type: 'request-validation', description: expect.stringContaining('not a valid url component'), source: {} }],
        });
      } finally {
        await app.close();
      }
    });
  });
});
