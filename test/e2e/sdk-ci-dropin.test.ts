import { MediaApi, MessagesApi, Configuration, PriorityEnum } from 'bandwidth-sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import { assertMatchesSpec } from '../helpers/spec.js';

// Bandwidth's Node SDK tests itself against a mock on 127.0.0.1:4010 with ids and secrets from its CI's environment
// (node_modules/bandwidth-sdk/tests/unit/api/{messages,media}-api.test.ts). These tests make the same calls, with
// invented ids like a CI's, against `--permissive`, and check that the answers are realistic rather than canned.
const BW_ACCOUNT_ID = '5551212';
const BW_MESSAGING_APPLICATION_ID = '1c7f3a2e-0d4b-4f6e-9a8b-112233445566';
const BW_NUMBER = '+19195551212';
const USER_NUMBER = '+19195553434';

describe("drop-in for the SDK unit tests' mock (--permissive)", () => {
  const emulators = useEmulators();
  let bw: RunningEmulator;
  let messagesApi: MessagesApi;
  let mediaApi: MediaApi;

  beforeAll(async () => {
    bw = await emulators.start({ permissive: true });
    const config = new Configuration({ username: 'ci-secret-user', password: 'ci-secret-pass', basePath: bw.url });
    messagesApi = new MessagesApi(config);
    mediaApi = new MediaApi(config);
  });

  it("createMessage with the SDK test's request echoes it realistically", async () => {
    const expiration = new Date(Date.now() + 86_400_000 + 60).toISOString();
    const { status, data } = await messagesApi.createMessage(BW_ACCOUNT_ID, {
      to: new Set([USER_NUMBER]),
      from: BW_NUMBER,
      text: 'nodejs sdk test SMS',
      applicationId: BW_MESSAGING_APPLICATION_ID,
      tag: 'nodejs sdk test SMS tag',
      priority: PriorityEnum.High,
      expiration,
    });
    expect(status).toBe(202);
    assertMatchesSpec('message', data);
    expect(data.id).toHaveLength(29);
    expect(data).toMatchObject({
      owner: BW_NUMBER,
      applicationId: BW_MESSAGING_APPLICATION_ID,
      from: BW_NUMBER,
      direction: 'out',
      priority: 'high',
      expiration,
    });
    expect(data.to).toEqual([USER_NUMBER]);
    // Prism answers its spec example here, media included; a message sent without media has none.
    expect(data.media).toBeUndefined();
  });

  it('listMessages(accountId) with no filter lists what was sent (permissive lifts the one-filter rule)', async () => {
    const { status, data } = await messagesApi.listMessages(BW_ACCOUNT_ID);
    expect(status).toBe(200);
    assertMatchesSpec('messagesList', data);
    expect(data.totalCount).toBe(1);
    expect(data.messages?.[0]).toMatchObject({ accountId: BW_ACCOUNT_ID, sourceTn: BW_NUMBER, destinationTn: USER_NUMBER, messageDirection: 'OUTBOUND' });
    expect(data.messages?.[0]?.messageId).toHaveLength(29);
  });

  it('createMessage({}) is a 400 and no credentials a 401, as the SDK tests expect', async () => {
    const empty = await messagesApi.createMessage(BW_ACCOUNT_ID, {} as never).catch((e: { response: { status: number; data: unknown } }) => e.response);
    expect(empty.status).toBe(400);
    assertMatchesSpec('createMessageRequestError', empty.data);
    const anonymous = new MessagesApi(new Configuration({ basePath: bw.url }));
    const denied = await anonymous.listMessages(BW_ACCOUNT_ID).catch((e: { response: { status: number; data: unknown } }) => e.response);
    expect(denied.status).toBe(401);
    assertMatchesSpec('messagingRequestError', denied.data);
  });

  it('media: upload text/plain, list, get the same bytes back, delete', async () => {
    const upload = await mediaApi.uploadMedia(BW_ACCOUNT_ID, 'nodejs_binary_media', '123456' as never, undefined, undefined, {
      headers: { 'Content-Type': 'text/plain', Accept: 'text/plain' },
    });
    expect(upload.status).toBe(204);
    const list = await mediaApi.listMedia(BW_ACCOUNT_ID);
    expect(list.status).toBe(200);
    expect(list.data).toEqual([
      { content: `${bw.url}/api/v2/users/${BW_ACCOUNT_ID}/media/nodejs_binary_media`, contentLength: 6, mediaName: 'nodejs_binary_media' },
    ]);
    const got = await mediaApi.getMedia(BW_ACCOUNT_ID, 'nodejs_binary_media');
    expect(got.status).toBe(200);
    expect(String(got.data)).toBe('123456');
    const deleted = await mediaApi.deleteMedia(BW_ACCOUNT_ID, 'nodejs_binary_media');
    expect(deleted.status).toBe(204);
    expect((await mediaApi.listMedia(BW_ACCOUNT_ID)).data).toEqual([]);
  });
});
