// Every field the spec names for callbacks, where Bandwidth would send it (README "Callbacks"): the multichannel
// inbound `message.content` (multiChannelMessageContent), `carrierName` at envelope level on every status and inbound
// type for an account with the feature, and one time precision (milliseconds) on every callback. Messages go through
// the official bandwidth-sdk (only basePath changed) and the control API's inbound; every body is checked against the
// spec here and again at teardown.
import { beforeAll, describe, expect, it } from 'vitest';
import { Configuration, MessagesApi, MultiChannelApi, type MultiChannelMessageRequest } from 'bandwidth-sdk';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import type { CallbackSink } from '../helpers/sink.js';
import { assertCallbackMatchesSpec } from '../helpers/spec.js';

const ACCOUNT = '9908100';
const USER = { username: 'fields-user', password: 'fields-password' };
const APP = '5e000000-0000-4000-8000-000000000101';
const NUMBER = '+19195550900';
const HANDSET = '+19195558200';
const FAILING = '+19195558201';
const PHOTO = 'https://example.com/photo.jpg';
const SECOND = 'https://example.com/second.jpg';
const WAIT = { timeoutMs: 10_000 };
// One character past the spec's rbmMessageContentFile.fileUrl maxLength (1000).
const LONG_URL = `https://example.com/${'a'.repeat(1001 - 'https://example.com/'.length)}`;
// The spec's schema examples, the 202 body and the search's receiveTime: milliseconds, UTC.
const MILLISECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface Event {
  type: string;
  time: string;
  eventTime?: string;
  carrierName?: string;
  message: { id: string; time: string; text: string; media?: string[]; channel?: string; content?: unknown };
}

describe('callback fields', () => {
  const emulators = useEmulators();
  let running: RunningEmulator;
  let sink: CallbackSink;
  const bodies = () => sink.requests.flatMap((r) => r.body as Event[]);
  const inboundIds: Record<string, string> = {};

  beforeAll(async () => {
    sink = await emulators.newSink();
    running = await emulators.start({
      accounts: [
        {
          id: ACCOUNT,
          users: [USER],
          applications: [{ id: APP, callbackUrl: sink.url, callbackTypes: ['message-sending', 'message-sent', 'message-delivered', 'message-failed'] }],
          numbers: [{ number: NUMBER, applicationId: APP }],
          features: { carrierNameOnCallbacks: true },
        },
      ],
      carriers: [{ prefix: '+1', name: 'Emulated Wireless' }],
      callbacks: { sendingDelay: '5ms', deliveryDelay: '20ms', retryDelays: ['20ms'], timeout: '2s' },
    });
    await running.scenarios.use({
      version: 1,
      name: 'one failure',
      rules: [{ name: 'carrier rejects', match: { to: FAILING }, events: [{ type: 'message-failed', errorCode: 4720 }] }],
    });
    const config = new Configuration({ basePath: running.url, ...USER });
    const messages = new MessagesApi(config);
    const send = (to: string, media?: string[]) =>
      messages.createMessage(ACCOUNT, { applicationId: APP, from: NUMBER, to: new Set([to]), text: 'fields', ...(media ? { media } : {}) });
    await send(HANDSET, [PHOTO]);
    await send(FAILING);
    await new MultiChannelApi(config).createMultiChannelMessage(ACCOUNT, {
      to: HANDSET,
      channelList: [{ from: 'BandwidthRBM', applicationId: APP, channel: 'RBM', content: { text: 'Rate us' } }],
    } as unknown as MultiChannelMessageRequest);
    const inbound = async (name: string, request: Parameters<RunningEmulator['inbound']>[0]) => {
      inboundIds[name] = (await running.inbound(request))[0]!.id;
    };
    await inbound('plain', { from: HANDSET, to: [NUMBER], text: 'plain SMS' });
    await inbound('sms', { from: HANDSET, to: [NUMBER], text: 'SMS on a multichannel conversation', channel: 'SMS' });
    await inbound('mms', { from: HANDSET, to: [NUMBER], text: 'two photos', media: [PHOTO, SECOND], channel: 'MMS' });
    await inbound('rbmText', { from: HANDSET, to: [NUMBER], text: 'typed to the agent', channel: 'RBM' });
    await inbound('rbmFile', { from: HANDSET, to: [NUMBER], media: [PHOTO], channel: 'RBM' });
    await inbound('longUrl', { from: HANDSET, to: [NUMBER], text: 'a long URL', media: [LONG_URL], channel: 'MMS' });
    await inbound('suggestion', { from: HANDSET, to: [NUMBER], suggestionResponse: { text: 'Five stars', postbackData: 'NQ==' } });
    await inbound('location', { from: HANDSET, to: [NUMBER], locationResponse: { latitude: '35.7796', longitude: '-78.6382' } });
    await running.idle(WAIT);
  });

  it('produced every status and inbound type, each valid against the spec', () => {
    for (const event of bodies()) assertCallbackMatchesSpec([event]);
    expect(new Set(bodies().map((e) => e.type))).toEqual(
      new Set([
        'message-sending',
        'message-sent',
        'message-delivered',
        'message-failed',
        'message-read',
        'message-received',
        'suggestion-response',
        'requested-location-response',
      ]),
    );
  });

  it('carrierName at envelope level on every one of them (the account has the feature), never inside message', () => {
    for (const event of bodies()) {
      expect(event.carrierName, event.type).toBe('Emulated Wireless');
      expect(event.message).not.toHaveProperty('carrierName');
    }
  });

  it('every time is milliseconds in UTC: time, message.time and message-read’s eventTime', () => {
    const times = bodies().flatMap((e) => [e.time, e.message.time, ...(e.eventTime !== undefined ? [e.eventTime] : [])]);
    expect(times.length).toBeGreaterThan(20);
    for (const time of times) expect(time).toMatch(MILLISECONDS);
  });

  it('message.content on a multichannel inbound: text, and the first media file as {fileUrl}; none on a plain inbound', () => {
    const of = (name: string) => bodies().find((e) => e.message.id === inboundIds[name])!.message;
    expect(of('plain')).not.toHaveProperty('content');
    expect(of('sms')).toMatchObject({ channel: 'SMS', text: 'SMS on a multichannel conversation', content: { text: 'SMS on a multichannel conversation' } });
    // The spec's content.media is one file; the message's own media keeps the whole list.
    expect(of('mms')).toMatchObject({ channel: 'MMS', media: [PHOTO, SECOND], content: { text: 'two photos', media: { fileUrl: PHOTO } } });
    expect(of('rbmText').content).toEqual({ text: 'typed to the agent' });
    expect(of('rbmFile').content).toEqual({ media: { fileUrl: PHOTO } });
    // A file URL past the spec's 1000 characters stays in message.media only.
    expect(LONG_URL).toHaveLength(1001);
    expect(of('longUrl')).toMatchObject({ media: [LONG_URL], content: { text: 'a long URL' } });
    expect(of('longUrl').content).not.toHaveProperty('media');
    // An RBM response carries its own field (suggestionResponse, locationResponse) and no text: no content.
    expect(of('suggestion')).not.toHaveProperty('content');
    expect(of('location')).not.toHaveProperty('content');
  });
});
