import type { Message, MessageRequest, MessagesApi } from 'bandwidth-sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import { checkList, defaultAccount, httpError, ISO_MS, list } from '../helpers/messages-sdk.js';
import { assertMatchesSpec } from '../helpers/spec.js';

// The Messaging v2 API through bandwidth-sdk@8 against a listening emulator: listMessages (search) by id, source and
// destination, one row per group recipient, and paging by token both ways (the spec's listMessages operation and its parameters).

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

  describe('listMessages', () => {
    let sent: Message;
    const searchTo = '+19195557001';

    beforeAll(async () => {
      ({ data: sent } = await api.createMessage(acct, request({ from: running.account.numbers[1]!, to: new Set([searchTo]), text: 'find me' })));
      assertMatchesSpec('message', sent);
    });

    it('finds a message by messageId with the spec row fields', async () => {
      const { status, data } = await list(api, acct, { messageId: sent.id });
      expect(status).toBe(200);
      checkList(data);
      expect(data.totalCount).toBe(1);
      expect(data.pageInfo).toEqual({});
      const row = data.messages![0]!;
      expect(row).toMatchObject({
        messageId: sent.id,
        accountId: acct,
        sourceTn: running.account.numbers[1],
        destinationTn: searchTo,
        messageDirection: 'OUTBOUND',
        messageType: 'sms',
        segmentCount: 1,
        errorCode: 0,
        recipientCount: 1,
        attachmentCount: 0,
        messageLength: 'find me'.length,
      });
      expect(row.receiveTime).toBe(sent.time);
      expect(row.receiveTime).toMatch(ISO_MS);
    });

    it('finds it by sourceTn and by destinationTn', async () => {
      const bySource = checkList((await list(api, acct, { sourceTn: running.account.numbers[1]! })).data);
      expect(bySource.messages?.map((m) => m.messageId)).toContain(sent.id);
      for (const row of bySource.messages ?? []) expect(row.sourceTn).toBe(running.account.numbers[1]);
      const byDest = checkList((await list(api, acct, { destinationTn: searchTo })).data);
      expect(byDest.messages?.map((m) => m.messageId)).toEqual([sent.id]);
      expect(byDest.totalCount).toBe(1);
      const none = checkList((await list(api, acct, { destinationTn: '+19195557999' })).data);
      expect(none.totalCount).toBe(0);
      expect(none.messages).toEqual([]);
    });

    it('refuses a search without any filter with 400', async () => {
      const { status, data } = await httpError(list(api, acct, {}));
      expect(status).toBe(400);
      assertMatchesSpec('messagingRequestError', data);
      expect(data).toMatchObject({ type: 'request-validation' });
      // Paging parameters alone are not filters either.
      const limited = await httpError(list(api, acct, { limit: 5 }));
      expect(limited.status).toBe(400);
      assertMatchesSpec('messagingRequestError', limited.data);
    });

    it('gives one row per recipient of a 3-recipient group, recipientCount 3 and type mms', async () => {
      const group = ['+19195557101', '+19195557102', '+19195557103'];
      const { data: message } = await api.createMessage(acct, request({ to: new Set(group), text: 'group hello' }));
      assertMatchesSpec('message', message);
      expect(message.segmentCount).toBe(1);
      const { data } = await list(api, acct, { messageId: message.id });
      checkList(data);
      expect(data.totalCount).toBe(3);
      expect(data.messages).toHaveLength(3);
      expect(data.messages!.map((m) => m.destinationTn).sort()).toEqual(group);
      for (const row of data.messages!) {
        expect(row).toMatchObject({ messageId: message.id, sourceTn: from, recipientCount: 3, messageType: 'mms', messageDirection: 'OUTBOUND' });
        expect(row).toHaveProperty('carrierName');
      }
    });

    it('pages through 250 messages with limit 100 by nextPageToken, and back by prevPageToken', async () => {
      const pagingFrom = running.account.numbers[4]!;
      const created = new Set<string>();
      for (let batch = 0; batch < 5; batch++) {
        const answers = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            api.createMessage(
              acct,
              request({ from: pagingFrom, to: new Set([`+1919556${String(batch * 50 + i).padStart(4, '0')}`]), text: `page test ${batch}-${i}` }),
            ),
          ),
        );
        for (const { status, data } of answers) {
          expect(status).toBe(202);
          assertMatchesSpec('message', data);
          created.add(data.id!);
        }
      }
      assertMatchesSpec('message', (await api.createMessage(acct, request({ from: running.account.numbers[3]!, text: 'not in the paged search' }))).data);
      expect(created.size).toBe(250);

      const pages: string[][] = [];
      const tokens: Array<Record<string, string>> = [];
      let pageToken: string | undefined;
      for (let guard = 0; guard < 10; guard++) {
        const { data } = await list(api, acct, { sourceTn: pagingFrom, limit: 100, pageToken });
        checkList(data);
        expect(data.totalCount).toBe(250);
        pages.push(data.messages!.map((m) => m.messageId!));
        tokens.push(data.pageInfo as Record<string, string>);
        pageToken = data.pageInfo?.nextPageToken;
        if (!pageToken) break;
        // nextPage is the absolute URL of the same search carrying the token.
        const next = new URL(data.pageInfo!.nextPage!);
        expect(`${next.protocol}//${next.host}`).toBe(running.url);
        expect(next.searchParams.get('pageToken')).toBe(pageToken);
        expect(next.searchParams.get('sourceTn')).toBe(pagingFrom);
      }
      expect(pages.map((p) => p.length)).toEqual([100, 100, 50]);
      const all = pages.flat();
      expect(new Set(all).size).toBe(250);
      expect(new Set(all)).toEqual(created);
      // First page: nothing before it; last page: nothing after it (members omitted, not null).
      expect(tokens[0]).not.toHaveProperty('prevPageToken');
      expect(tokens[0]).not.toHaveProperty('prevPage');
      expect(tokens[2]).not.toHaveProperty('nextPageToken');
      expect(tokens[2]).not.toHaveProperty('nextPage');

      // Back from the last page gives page 2, and back from page 2 gives page 1.
      const back2 = checkList((await list(api, acct, { sourceTn: pagingFrom, limit: 100, pageToken: tokens[2]!.prevPageToken })).data);
      expect(back2.messages!.map((m) => m.messageId)).toEqual(pages[1]);
      const back1 = checkList((await list(api, acct, { sourceTn: pagingFrom, limit: 100, pageToken: tokens[1]!.prevPageToken })).data);
      expect(back1.messages!.map((m) => m.messageId)).toEqual(pages[0]);

      // Default sort is newest first.
      const { data: first } = await list(api, acct, { sourceTn: pagingFrom, limit: 100 });
      const times = first.messages!.map((m) => Date.parse(m.receiveTime!));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
    });
  });
});
