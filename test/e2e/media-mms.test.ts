// Media in messages end to end: outbound MMS naming the account's own media (missing objects fail with 4410, external
// URLs are not fetched), and inbound MMS attachments stored and linked from message-received. Real callback
// receivers on 127.0.0.1:0; every body they get is checked against Bandwidth's spec.
import { describe, expect, it } from 'vitest';
import { Configuration, MessagesApi } from 'bandwidth-sdk';
import type { RunningEmulator } from '../../src/start.js';
import type { CallbackSink } from '../helpers/sink.js';
import {
  ACCT,
  APP,
  asFile,
  basic,
  download,
  HANDSET,
  json,
  mediaApi,
  NUMBER,
  NUMBER_2,
  PASS,
  PASS_B,
  png,
  raw,
  TO,
  useMediaEmulators,
  USER,
  USER_B,
} from '../helpers/media.js';
import { assertMatchesSpec } from '../helpers/spec.js';

const { start, newSink } = useMediaEmulators();

describe('MMS that name media', () => {
  interface Event {
    type: string;
    errorCode?: number;
    to: string;
    message: { id: string; media?: string[]; direction: string };
  }
  const eventsOf = (sink: CallbackSink, id: string): Event[] => sink.requests.flatMap((r) => r.body as Event[]).filter((e) => e.message.id === id);
  const finished = (sink: CallbackSink, id: string) =>
    sink.waitFor(() => eventsOf(sink, id).some((e) => e.type === 'message-delivered' || e.type === 'message-failed'), 5000);

  async function send(running: RunningEmulator, media: string[]): Promise<string> {
    const api = new MessagesApi(new Configuration({ basePath: running.url, username: USER, password: PASS }));
    const res = await api.createMessage(ACCT, { applicationId: APP, from: NUMBER, to: [TO] as unknown as Set<string>, media });
    expect(res.status).toBe(202);
    expect(res.data.media).toEqual(media);
    return res.data.id!;
  }

  it('a deleted own media object (emulator URL or messaging.bandwidth.com URL): message-sending, then message-failed 4410', async () => {
    const sink = await newSink();
    const running = await start({ callbackUrl: sink.url });
    const api = mediaApi(running.url);
    for (const name of ['gone.png', 'dir/gone.png']) {
      await api.uploadMedia(ACCT, name, asFile(png), 'image/png');
      await api.deleteMedia(ACCT, name);
    }
    const urls = [
      `${running.url}/api/v2/users/${ACCT}/media/gone.png`,
      `https://messaging.bandwidth.com/api/v2/users/${ACCT}/media/gone.png`,
      `https://messaging.bandwidth.com/api/v2/users/${ACCT}/media/dir/gone.png`,
      `${running.url}/users/${ACCT}/media/never-uploaded.png`,
    ];
    for (const url of urls) {
      const id = await send(running, [url]);
      await finished(sink, id);
      const events = eventsOf(sink, id);
      expect(
        events.map((e) => e.type),
        url,
      ).toEqual(['message-sending', 'message-failed']);
      expect(events[1]!.errorCode, url).toBe(4410);
      expect(events[1]!.message.media).toEqual([url]);
      const stored = await running.messages.get(id);
      expect(stored!.recipients).toEqual([expect.objectContaining({ to: TO, status: 'FAILED', errorCode: 4410 })]);
    }
  });

  it('one missing object among several fails the message; existing objects (both URL forms, slash ids) are delivered', async () => {
    const sink = await newSink();
    const running = await start({ callbackUrl: sink.url });
    const api = mediaApi(running.url);
    await api.uploadMedia(ACCT, 'here.png', asFile(png), 'image/png');
    await api.uploadMedia(ACCT, 'album/2024/here too.png', asFile(png), 'image/png');
    const present = [
      `${running.url}/api/v2/users/${ACCT}/media/here.png`,
      `https://messaging.bandwidth.com/api/v2/users/${ACCT}/media/album/2024/here%20too.png`,
    ];
    const delivered = await send(running, present);
    const failed = await send(running, [...present, `https://messaging.bandwidth.com/api/v2/users/${ACCT}/media/not-here.png`]);
    await Promise.all([finished(sink, delivered), finished(sink, failed)]);
    expect(eventsOf(sink, delivered).map((e) => e.type)).toEqual(['message-sending', 'message-delivered']);
    expect(eventsOf(sink, failed).map((e) => [e.type, e.errorCode])).toEqual([
      ['message-sending', undefined],
      ['message-failed', 4410],
    ]);
  });

  it('an external URL is not fetched and the MMS is delivered', async () => {
    const sink = await newSink();
    const external = await newSink(); // stands in for a web server: it must never be asked for anything
    const running = await start({ callbackUrl: sink.url });
    const urls = [['https://example.com/x.png'], [external.url.replace('/callbacks', '/pictures/x.png')]];
    for (const media of urls) {
      const id = await send(running, media);
      await finished(sink, id);
      expect(eventsOf(sink, id).map((e) => e.type)).toEqual(['message-sending', 'message-delivered']);
    }
    expect(external.requests).toEqual([]);
  });

  it('a media entry that is not an absolute http(s) URL is a 400 naming it (spec: format uri)', async () => {
    const running = await start();
    const post = (media: string[]) =>
      fetch(`${running.url}/users/${ACCT}/messages`, {
        method: 'POST',
        headers: { authorization: basic(USER, PASS), 'content-type': 'application/json' },
        body: JSON.stringify({ applicationId: APP, from: NUMBER, to: [TO], media }),
      });
    for (const bad of [`https://messaging.bandwidth.com/api/v2/users/${ACCT}/media/bad%ZZ.png`, 'not a url', 'ftp://example.com/a.png']) {
      const res = await post(['https://example.com/ok.png', bad]);
      const body = (await res.json()) as { fieldErrors?: Array<{ fieldName: string; description: string }> };
      expect(res.status).toBe(400);
      assertMatchesSpec('createMessageRequestError', body);
      expect(body.fieldErrors).toEqual([{ fieldName: 'media[1]', description: expect.stringContaining(bad) }]);
    }
  });
});

describe('inbound MMS attachments', () => {
  interface Received {
    type: string;
    to: string;
    message: { id: string; media?: string[]; text: string; direction: string };
  }

  it("are stored as {messageId}/{index}/{filename}, linked from message-received, and served only with the account's credentials", async () => {
    const sink = await newSink();
    const running = await start({ callbackUrl: sink.url });
    const copies = await running.inbound({
      from: HANDSET,
      to: [NUMBER],
      text: 'pic',
      media: ['https://example.com/passed-through.gif', { filename: 'cat.png', contentType: 'image/png', contentBase64: png.toString('base64') }],
    });
    expect(copies).toHaveLength(1);
    const id = copies[0]!.id;
    await sink.waitFor((rs) => rs.some((r) => (r.body as Received[]).some((e) => e.type === 'message-received')));
    const event = sink.requests.flatMap((r) => r.body as Received[]).find((e) => e.type === 'message-received')!;
    expect(event.message).toMatchObject({ id, text: 'pic', direction: 'in' });
    const link = `${running.url}/api/v2/users/${ACCT}/media/${id}/1/cat.png`;
    expect(event.message.media).toEqual(['https://example.com/passed-through.gif', link]);

    const ok = await raw(link);
    expect(ok.status).toBe(200);
    expect(ok.bytes.equals(png)).toBe(true);
    expect(ok.headers.get('content-type')).toBe('image/png');

    for (const auth of [null, [USER, 'wrong'], [USER_B, PASS_B]] as const) {
      const denied = await raw(link, { auth: auth === null ? null : [auth[0], auth[1]] });
      expect(denied.status, JSON.stringify(auth)).toBe(401);
      assertMatchesSpec('messagingRequestError', json(denied.bytes));
      expect(denied.bytes.includes(png)).toBe(false);
    }

    // The same object through the SDK (%2F-encoded id) and in the account's listing.
    const api = mediaApi(running.url);
    expect((await download(api, ACCT, `${id}/1/cat.png`)).bytes.equals(png)).toBe(true);
    expect((await api.listMedia(ACCT)).data).toEqual([{ mediaName: `${id}/1/cat.png`, contentLength: png.length, content: link }]);
  });

  it("a lone attachment is index 0, and each owned recipient's copy gets its own stored attachment", async () => {
    const sink = await newSink();
    const running = await start({ callbackUrl: sink.url });
    const attachment = { filename: 'cat.png', contentType: 'image/png', contentBase64: png.toString('base64') };
    const copies = await running.inbound({ from: HANDSET, to: [NUMBER, NUMBER_2], text: 'pic', media: [attachment] });
    expect(copies).toHaveLength(2);
    await sink.waitFor((rs) => rs.flatMap((r) => r.body as Received[]).filter((e) => e.type === 'message-received').length === 2);
    const events = sink.requests.flatMap((r) => r.body as Received[]).filter((e) => e.type === 'message-received');
    const links = events.map((e) => e.message.media![0]!).sort();
    expect(links).toEqual(copies.map((c) => `${running.url}/api/v2/users/${ACCT}/media/${c.id}/0/cat.png`).sort());
    expect(new Set(links).size).toBe(2);
    for (const link of links) expect((await raw(link)).bytes.equals(png)).toBe(true);
    expect((await running.health()).media).toMatchObject({ objects: 2, bytes: 2 * png.length });
  });
});
