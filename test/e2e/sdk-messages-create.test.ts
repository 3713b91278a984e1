import { Configuration, MessagesApi, PriorityEnum, type MessageRequest } from 'bandwidth-sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import { checkList, defaultAccount, httpError, ISO_MS, list, MESSAGE_ID } from '../helpers/messages-sdk.js';
import { assertMatchesSpec } from '../helpers/spec.js';

// The Messaging v2 API through Bandwidth's own Node SDK (bandwidth-sdk@8) against a listening emulator: createMessage,
// its answer field by field and every request rule with its limit. Expected values come from the official spec
// (bandwidth-sdk's bandwidth.yml) and Bandwidth's public docs (https://dev.bandwidth.com/docs/messaging/errors); every JSON body received is validated
// against the spec's schema for that status. Search is in sdk-messages-list, credentials in sdk-messages-auth.

describe('Messaging v2 through bandwidth-sdk (default config)', () => {
  const emulators = useEmulators();
  let running: RunningEmulator;
  let api: MessagesApi;
  let acct: string;
  let appId: string;
  let from: string;

  const request = (over: Partial<Record<keyof MessageRequest, unknown>> = {}): MessageRequest =>
    ({ applicationId: appId, to: new Set(['+19195553434']), from, text: 'hello from the SDK test', ...over }) as MessageRequest;

  beforeAll(async () => {
    running = await emulators.start();
    ({ acct, appId, from, api } = defaultAccount(running));
  });

  describe('createMessage', () => {
    it("answers 202 with every field of the spec's message, computed or echoed", async () => {
      const expiration = new Date(Date.now() + 3_600_000).toISOString();
      const text = 'x'.repeat(161); // 161 GSM-7 characters: two segments (160 fit in one, 153 per concatenated part)
      const media = ['https://example.com/cat.png'];
      const before = Date.now();
      const { status, data, headers } = await api.createMessage(acct, request({ to: new Set(['+19195553434']), text, tag: 'order-77', media, expiration }));
      const after = Date.now();
      expect(status).toBe(202);
      expect(String(headers['content-type'])).toMatch(/^application\/json/);
      assertMatchesSpec('message', data);
      expect(data.id).toHaveLength(29);
      expect(data.id).toMatch(MESSAGE_ID);
      expect(data.owner).toBe(from);
      expect(data.applicationId).toBe(appId);
      expect(data.time).toMatch(ISO_MS);
      const time = Date.parse(data.time!);
      expect(time).toBeGreaterThanOrEqual(before);
      expect(time).toBeLessThanOrEqual(after);
      // The id starts with the acceptance time in epoch milliseconds.
      expect(Math.abs(Number(data.id!.slice(0, 13)) - time)).toBeLessThan(1000);
      expect(data.direction).toBe('out');
      expect(data.to).toEqual(['+19195553434']);
      expect(data.from).toBe(from);
      expect(data.text).toBe(text);
      expect(data.tag).toBe('order-77');
      expect(data.priority).toBe('default');
      expect(data.media).toEqual(media);
      expect(data.expiration).toBe(expiration);
      // Media makes it an MMS: one segment whatever the text length.
      expect(data.segmentCount).toBe(1);
    });

    it('counts SMS segments and omits media/tag/expiration when not sent', async () => {
      const { status, data } = await api.createMessage(acct, request({ text: 'y'.repeat(161) }));
      expect(status).toBe(202);
      assertMatchesSpec('message', data);
      expect(data.segmentCount).toBe(2);
      expect(data).not.toHaveProperty('media');
      expect(data).not.toHaveProperty('tag');
      expect(data).not.toHaveProperty('expiration');
      expect(data.priority).toBe('default');
    });

    it('echoes priority high and gives each message its own id', async () => {
      const a = await api.createMessage(acct, request({ priority: PriorityEnum.High }));
      const b = await api.createMessage(acct, request());
      assertMatchesSpec('message', a.data);
      assertMatchesSpec('message', b.data);
      expect(a.data.priority).toBe('high');
      expect(a.data.id).not.toBe(b.data.id);
    });

    it('works the same under /api/v2 (basePath + /api/v2)', async () => {
      const v2 = new MessagesApi(
        new Configuration({ basePath: `${running.url}/api/v2`, username: running.account.username, password: running.account.password }),
      );
      const { status, data } = await v2.createMessage(acct, request({ tag: 'via-api-v2' }));
      expect(status).toBe(202);
      assertMatchesSpec('message', data);
      expect(data.tag).toBe('via-api-v2');
      const found = await list(v2, acct, { messageId: data.id });
      checkList(found.data);
      expect(found.data.messages?.map((m) => m.messageId)).toEqual([data.id]);
    });

    it("rejects a non-E.164 `to` with Bandwidth's live-confirmed fieldErrors wording", async () => {
      const { status, data } = await httpError(api.createMessage(acct, request({ to: new Set(['+1invalid']) })));
      expect(status).toBe(400);
      assertMatchesSpec('createMessageRequestError', data);
      const body = data as { type: string; fieldErrors?: Array<{ fieldName: string; description: string }> };
      expect(body.type).toBe('request-validation');
      const error = body.fieldErrors?.find((e) => e.fieldName === 'to[0]');
      expect(error, JSON.stringify(body)).toBeDefined();
      expect(error!.description).toContain("'+1invalid' must be replaced with a valid E164 formatted telephone number");
    });

    const elevenNumbers = Array.from({ length: 11 }, (_, i) => `+1919555${String(1000 + i)}`);
    const syncRules: Array<[string, Partial<Record<keyof MessageRequest, unknown>> | ((r: Record<string, unknown>) => void), string[]]> = [
      ['11 recipients', { to: elevenNumbers }, ['to']],
      ['a duplicate recipient', { to: ['+19195553434', '+19195553434'] }, ['to']],
      ['text of 2049 characters', { text: 'a'.repeat(2049) }, ['text']],
      ['a tag of 1025 characters', { tag: 't'.repeat(1025) }, ['tag']],
      ['11 media URLs', { media: Array.from({ length: 11 }, (_, i) => `https://example.com/${i}.png`) }, ['media']],
      ['a media URL over 4096 characters', { media: [`https://example.com/${'m'.repeat(4100)}.png`] }, ['media[0]', 'media']],
      ['a bad priority', { priority: 'urgent' }, ['priority']],
      ['an expiration in the past', { expiration: new Date(Date.now() - 60_000).toISOString() }, ['expiration']],
      ['a malformed expiration', { expiration: 'tomorrow at noon' }, ['expiration']],
      ['neither text nor media', (r) => delete r.text, ['text', 'media']],
      ['no applicationId', (r) => delete r.applicationId, ['applicationId']],
    ];

    it.each(syncRules)('rejects %s with 400 request-validation naming the field', async (_name, change, fields) => {
      const body = request() as unknown as Record<string, unknown>;
      if (typeof change === 'function') change(body);
      else Object.assign(body, change);
      const stored = running.emulator.parts.store.stats().messages;
      const { status, data } = await httpError(api.createMessage(acct, body as unknown as MessageRequest));
      expect(status).toBe(400);
      assertMatchesSpec('createMessageRequestError', data);
      const error = data as { type: string; description: string; fieldErrors?: Array<{ fieldName: string; description: string }> };
      expect(error.type).toBe('request-validation');
      expect(error.fieldErrors?.length ?? 0).toBeGreaterThan(0);
      const named = error.fieldErrors!.filter((e) => fields.includes(e.fieldName));
      expect(named.length, JSON.stringify(error.fieldErrors)).toBeGreaterThan(0);
      for (const e of named) expect(e.description.length).toBeGreaterThan(0);
      // A 4xx means nothing was accepted.
      expect(running.emulator.parts.store.stats().messages).toBe(stored);
    });

    it('accepts the limits themselves: 10 recipients, text 2048, tag 1024, 10 media, 4096-char URL', async () => {
      const url4096 = `https://example.com/${'u'.repeat(4096 - 'https://example.com/'.length)}`;
      expect(url4096).toHaveLength(4096);
      const { status, data } = await api.createMessage(
        acct,
        request({
          to: new Set(elevenNumbers.slice(0, 10)),
          text: 'a'.repeat(2048),
          tag: 't'.repeat(1024),
          media: [url4096, ...Array.from({ length: 9 }, (_, i) => `https://example.com/${i}.png`)],
        }),
      );
      expect(status).toBe(202);
      assertMatchesSpec('message', data);
      expect(data.to).toHaveLength(10);
      expect(data.media).toHaveLength(10);
    });
  });
});
