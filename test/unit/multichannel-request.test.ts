import { describe, expect, it } from 'vitest';
import { multiChannelSemanticErrors } from '../../src/api/multichannel-request.js';

const NOW = Date.parse('2026-11-27T00:00:00Z');
const APP = 'app-1';
const fields = (channelList: unknown[], extra: Record<string, unknown> = {}) =>
  multiChannelSemanticErrors({ to: '+19195551234', channelList, ...extra }, NOW).map((e) => e.fieldName);
const rbm = (content: unknown) => ({ from: 'BandwidthRBM', applicationId: APP, channel: 'RBM', content });

describe('multichannel content rules', () => {
  it('accepts each RBM shape, SMS and MMS as the spec describes them', () => {
    const card = { title: 'Bandwidth', media: { fileUrl: 'https://example.test/a.png', height: 'SHORT' } };
    expect(
      fields([
        rbm({ text: 'hi', suggestions: [{ type: 'OPEN_URL', text: 'Open', postbackData: 'b3Blbg==', url: 'https://example.test' }] }),
        rbm({ media: [{ fileUrl: 'https://example.test/v.mp4', thumbnailUrl: 'https://example.test/t.png' }] }),
        rbm({ orientation: 'HORIZONTAL', thumbnailImageAlignment: 'LEFT', cardContent: card }),
        { from: '+19195550100', applicationId: APP, channel: 'MMS', content: { media: [{ fileUrl: 'https://example.test/a.png' }] } },
      ]),
    ).toEqual([]);
    expect(fields([rbm({ cardWidth: 'SMALL', cardContents: [card, { description: 'two' }] })], { expiration: '2026-11-28T00:00:00Z' })).toEqual([]);
  });

  it('names each broken field: card without content, missing action fields, bad base64, empty MMS, long carousel, past expiration', () => {
    expect(
      fields(
        [
          rbm({ orientation: 'VERTICAL', cardContent: {} }),
          rbm({
            text: 'hi',
            suggestions: [
              { type: 'OPEN_URL', text: 'Open', postbackData: 'not base64!' },
              { type: 'SHOW_LOCATION', text: 'Map', postbackData: 'bWFw', latitude: '91', longitude: '0' },
            ],
          }),
          { from: '+19195550100', applicationId: APP, channel: 'MMS', content: { text: '' } },
          rbm({ cardWidth: 'MEDIUM', cardContents: Array.from({ length: 11 }, () => ({ title: 't' })) }),
        ],
        { expiration: '2020-01-01T00:00:00Z' },
      ),
    ).toEqual([
      'channelList[0].content.cardContent',
      'channelList[1].content.suggestions[0].postbackData',
      'channelList[1].content.suggestions[0].url',
      'channelList[1].content.suggestions[1].latitude',
      'channelList[2].content',
      'channelList[3].content.cardContents',
      'expiration',
    ]);
  });

  it('checks SMS/MMS senders but takes any RBM sender id', () => {
    expect(fields([{ from: 'Not A Sender!!', applicationId: APP, channel: 'SMS', content: { text: 'x' } }])).toEqual(['channelList[0].from']);
    expect(fields([{ from: 'My Brand RBM Agent', applicationId: APP, channel: 'RBM', content: { text: 'x' } }])).toEqual([]);
  });
});
