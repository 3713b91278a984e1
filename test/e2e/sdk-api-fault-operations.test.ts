// Scenario API faults on the search and the media API as well as the create (`apiFault.operation`), observed through
// bandwidth-sdk (MessagesApi.listMessages, MediaApi) with their bodies checked against the spec; the create's faults
// unchanged by a rule on another operation.
import { MessagesApi, Configuration, type MessageRequest } from 'bandwidth-sdk';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useEmulators } from '../helpers/fixture.js';
import { ACCT, asFile, config, download, failure, mediaApi, png } from '../helpers/media.js';
import { checkList, list } from '../helpers/messages-sdk.js';
import { assertMatchesSpec } from '../helpers/spec.js';

const LIMITED = { type: 'rate_limit_exceeded', description: 'Rate limit exceeded. Wait for Retry-After time before sending another request.' };

describe('scenario API faults by operation, through bandwidth-sdk', () => {
  const emulators = useEmulators();
  const start = () => emulators.start(config());
  const messagesApi = (url: string) => new MessagesApi(new Configuration({ basePath: url, username: 'media-user', password: 'media-password' }));

  it("search: a 429 is the spec's rate_limit_exceeded with Retry-After, then 500 and 503; the create is not faulted", async () => {
    const running = await start();
    const api = messagesApi(running.url);
    await running.scenarios.use({
      version: 1,
      name: 'search-faults',
      rules: [
        { name: 'busy', apiFault: { status: 429, retryAfter: 30, times: 1, operation: 'search' } },
        { name: 'broken', apiFault: { status: 500, times: 1, operation: ['search'] } },
        { name: 'down', apiFault: { status: 503, times: 1, operation: 'search' } },
      ],
    });
    const busy = await failure(list(api, ACCT, { messageId: 'x' }));
    expect(busy.status).toBe(429);
    assertMatchesSpec('messagingRequestError', busy.data);
    expect(busy.data).toEqual(LIMITED);
    expect(busy.headers['retry-after']).toBe('30');
    const broken = await failure(list(api, ACCT, { messageId: 'x' }));
    expect(broken.status).toBe(500);
    assertMatchesSpec('messagingRequestError', broken.data);
    expect(broken.data).toMatchObject({ type: 'internal-server-error' });
    const down = await failure(list(api, ACCT, { messageId: 'x' }));
    expect(down.status).toBe(503);
    expect(down.data).toMatchObject({ type: 'service-unavailable' });
    checkList((await list(api, ACCT, { messageId: 'x' })).data);
    // The create answers 202 all along: these rules are on search.
    const sent = await api.createMessage(ACCT, {
      applicationId: '0a1b2c3d-0000-4000-8000-00000000a001',
      to: new Set(['+19195557001']),
      from: '+19195550400',
      text: 'hi',
    } as unknown as MessageRequest);
    expect(sent.status).toBe(202);
  });

  it('media: upload, download, list and delete each faulted (429 messagingRequestError with Retry-After, 500, 503), a drop is a network error', async () => {
    const running = await start();
    const api = mediaApi(running.url);
    await api.uploadMedia(ACCT, 'a.png', asFile(png), 'image/png');
    await running.scenarios.use({
      version: 1,
      name: 'media-faults',
      rules: [{ name: 'busy', match: { accountId: ACCT }, apiFault: { status: 429, retryAfter: 2, times: 4, operation: 'media' } }],
    });
    for (const call of [
      () => api.uploadMedia(ACCT, 'b.png', asFile(png), 'image/png'),
      () => api.getMedia(ACCT, 'a.png'),
      () => api.listMedia(ACCT),
      () => api.deleteMedia(ACCT, 'a.png'),
    ]) {
      const answer = await failure(call());
      expect(answer.status).toBe(429);
      assertMatchesSpec('messagingRequestError', answer.data);
      expect(answer.data).toEqual(LIMITED);
      expect(answer.headers['retry-after']).toBe('2');
    }
    // Used up: the media API serves again, and nothing was changed by the faulted calls.
    expect((await download(api, ACCT, 'a.png')).bytes.equals(png)).toBe(true);
    expect((await api.listMedia(ACCT)).data.map((m) => m.mediaName)).toEqual(['a.png']);

    await running.scenarios.use({
      version: 1,
      name: 'media-faults',
      rules: [
        { apiFault: { status: 500, times: 1, operation: 'media' } },
        { apiFault: { status: 503, times: 1, operation: 'media' } },
        { apiFault: { drop: true, times: 1, operation: 'media' } },
      ],
    });
    const broken = await failure(api.listMedia(ACCT));
    expect(broken.status).toBe(500);
    assertMatchesSpec('messagingRequestError', broken.data);
    expect((await failure(api.getMedia(ACCT, 'a.png'))).status).toBe(503);
    await expect(api.listMedia(ACCT)).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|ERR_|socket hang up/i) });
    expect((await api.listMedia(ACCT)).status).toBe(200);
  });

  it("the README's example: search busy once, media down for the default account", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const marker = readme.indexOf('<!-- snippet: checked-by test/e2e/sdk-api-fault-operations.test.ts');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme.slice(marker))![1]!;
    const running = await emulators.start();
    await running.scenarios.use(yaml);
    const api = new MessagesApi(new Configuration(running.sdkConfig));
    const busy = await failure(list(api, running.account.id, { messageId: 'x' }));
    expect(busy.status).toBe(429);
    expect(busy.headers['retry-after']).toBe('30');
    expect(busy.data).toEqual(LIMITED);
    expect((await list(api, running.account.id, { messageId: 'x' })).status).toBe(200);
    expect(running.account.id).toBe('9900000');
    const down = await failure(mediaApi(running.url, running.account.username, running.account.password).listMedia(running.account.id));
    expect(down.status).toBe(503);
    assertMatchesSpec('messagingRequestError', down.data);
  });

  it('create faults are unchanged: a rule without operation faults the create only, one with a list faults each', async () => {
    const running = await start();
    const api = messagesApi(running.url);
    const create = () =>
      api.createMessage(ACCT, {
        applicationId: '0a1b2c3d-0000-4000-8000-00000000a001',
        to: new Set(['+19195557001']),
        from: '+19195550400',
        text: 'hi',
      } as unknown as MessageRequest);
    await running.scenarios.use({ version: 1, name: 'create', rules: [{ apiFault: { status: 429, retryAfter: 4, times: 1 } }] });
    const queueFull = await failure(create());
    expect(queueFull.status).toBe(429);
    assertMatchesSpec('messagingRequestError', queueFull.data);
    expect(queueFull.data).toMatchObject({ type: 'max-message-queue-size-exceeded' });
    expect(queueFull.headers['retry-after']).toBe('4');
    checkList((await list(api, ACCT, { messageId: 'x' })).data);

    await running.scenarios.use({ version: 1, name: 'create', rules: [{ apiFault: { status: 503, operation: ['create', 'search', 'media'] } }] });
    expect((await failure(create())).status).toBe(503);
    expect((await failure(list(api, ACCT, { messageId: 'x' }))).status).toBe(503);
    expect((await failure(mediaApi(running.url).listMedia(ACCT))).status).toBe(503);
    const listed = (await running.scenarios.list()).scenarios.find((s) => s.name === 'create')!;
    expect(listed.rules[0]!.explain).toContain('API fault 503 on create and search and media');
  });
});
