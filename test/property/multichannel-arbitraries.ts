// Multichannel-shaped hostile bodies: a request that looks like `POST .../messages/multiChannel` (to, channelList,
// tag, priority, expiration) but with wrong types, oversized fields, too many or no channels, unknown channel names
// and broken RBM content (bad suggestions, cards, carousels, media URLs), mixed with valid pieces so some get a 202.
import fc from 'fast-check';
import { MULTICHANNEL_LIMITS } from '../../src/api/multichannel-request.js';
import { anyJson, nastyString } from './arbitraries.js';

const APPLICATION = '93de2206-9669-4e07-948d-329f4b722ee2';
const NUMBER = '+19195550100';
const RBM_SENDER = 'BandwidthRBM';
const HANDSET = '+19195557001';

const reply = { type: 'REPLY', text: 'Yes', postbackData: 'eWVz' };
const card = { title: 'Order 42', description: 'Shipped', media: { fileUrl: 'https://example.com/a.png', height: 'MEDIUM' }, suggestions: [reply] };

/** A valid content for each channel and RBM shape. */
const validContent: Record<'SMS' | 'MMS' | 'RBM', ReadonlyArray<Record<string, unknown>>> = {
  SMS: [{ text: 'hello' }],
  MMS: [{ text: 'look', media: [{ fileUrl: 'https://example.com/a.png' }] }, { media: [{ fileUrl: 'https://example.com/a.png' }] }],
  RBM: [
    { text: 'Your order shipped', suggestions: [reply, { type: 'DIAL_PHONE', text: 'Call', postbackData: 'Y2FsbA==', phoneNumber: NUMBER }] },
    { media: [{ fileUrl: 'https://example.com/v.mp4', thumbnailUrl: 'https://example.com/t.png' }] },
    { orientation: 'VERTICAL', thumbnailImageAlignment: 'LEFT', cardContent: card },
    { cardWidth: 'SMALL', cardContents: [card, { title: 'two' }] },
  ],
};

const long = (n: number) => 'x'.repeat(n);
const suggestionOf = (type: string, extra: Record<string, unknown> = {}) => ({ type, text: 'Tap', postbackData: 'dGFw', ...extra });

/** RBM content that Bandwidth refuses: each breaks one rule of the spec's rbm* schemas or one of Bandwidth's limits (MULTICHANNEL_LIMITS). */
const BROKEN_RBM_CONTENT: ReadonlyArray<Record<string, unknown>> = [
  {},
  { foo: 1 },
  { text: '' },
  { text: long(MULTICHANNEL_LIMITS.rbmText + 1) },
  { text: 'hi', suggestions: Array(MULTICHANNEL_LIMITS.suggestions + 1).fill(reply) },
  { text: 'hi', suggestions: [{ ...reply, text: long(MULTICHANNEL_LIMITS.suggestionText + 1) }] },
  { text: 'hi', suggestions: [{ ...reply, postbackData: 'not base64!' }] },
  { text: 'hi', suggestions: [{ ...reply, postbackData: long(MULTICHANNEL_LIMITS.postbackData + 4) }] },
  { text: 'hi', suggestions: [{ ...reply, type: 'TELEPORT' }] },
  { text: 'hi', suggestions: [suggestionOf('DIAL_PHONE')] },
  { text: 'hi', suggestions: [suggestionOf('DIAL_PHONE', { phoneNumber: '911' })] },
  { text: 'hi', suggestions: [suggestionOf('SHOW_LOCATION', { latitude: '91', longitude: 'east' })] },
  { text: 'hi', suggestions: [suggestionOf('CREATE_CALENDAR_EVENT', { title: long(101), startTime: 'soon' })] },
  { text: 'hi', suggestions: [suggestionOf('OPEN_URL', { url: 'javascript:alert(1)' })] },
  { text: 'hi', suggestions: 'REPLY' },
  { text: 'hi', suggestions: [null] },
  { media: [] },
  { media: [{ fileUrl: 'ftp://example.com/a.png' }] },
  { media: [{ fileUrl: `https://example.com/${long(MULTICHANNEL_LIMITS.fileUrl)}` }] },
  { media: { fileUrl: 'https://example.com/a.png' } },
  { orientation: 'DIAGONAL', cardContent: card },
  { orientation: 'VERTICAL' },
  { orientation: 'VERTICAL', cardContent: {} },
  { orientation: 'VERTICAL', cardContent: { title: long(MULTICHANNEL_LIMITS.cardTitle + 1) } },
  { orientation: 'VERTICAL', cardContent: { description: long(MULTICHANNEL_LIMITS.cardDescription + 1) } },
  { orientation: 'VERTICAL', cardContent: { media: { fileUrl: 'https://example.com/a.png', height: 'HUGE' } } },
  { orientation: 'VERTICAL', cardContent: { title: 't', suggestions: Array(MULTICHANNEL_LIMITS.cardSuggestions + 1).fill(reply) } },
  { cardWidth: 'SMALL', cardContents: [card] },
  { cardWidth: 'SMALL', cardContents: Array(MULTICHANNEL_LIMITS.carouselMax + 1).fill(card) },
  { cardWidth: 'WIDE', cardContents: [card, card] },
  { cardWidth: 'SMALL', cardContents: [card, {}] },
  { cardWidth: 'SMALL', cardContents: 'cards' },
];

const brokenRbmContent: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...BROKEN_RBM_CONTENT),
  // A valid RBM content with one field replaced by anything.
  fc.tuple(fc.constantFrom(...validContent.RBM), fc.nat(), anyJson).map(([valid, pick, value]) => {
    const keys = Object.keys(valid);
    return { ...valid, [keys[pick % keys.length]!]: value };
  }),
);

/** Any content: a valid one, a broken RBM one, or anything at all. */
const content: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<unknown>(...validContent.SMS, ...validContent.MMS, ...validContent.RBM) },
  { weight: 3, arbitrary: brokenRbmContent },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      { text: long(MULTICHANNEL_LIMITS.smsText + 1) },
      { text: '' },
      { media: [] },
      { text: 'x', media: [{ fileUrl: 'not a url' }] },
    ),
  },
  { weight: 1, arbitrary: anyJson },
);

/** One channelList item: mostly well-formed, with hostile channel names, senders, application ids or content. */
const channelItem: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        channel: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom('RBM', 'SMS', 'MMS') },
          { weight: 1, arbitrary: fc.constantFrom('FAX', 'rbm', 'sms', 'RCS', 'WHATSAPP', '', ' RBM') },
          { weight: 1, arbitrary: anyJson },
        ),
        from: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(NUMBER, RBM_SENDER) }, { weight: 1, arbitrary: nastyString }, { weight: 1, arbitrary: anyJson }),
        applicationId: fc.oneof({ weight: 4, arbitrary: fc.constant(APPLICATION) }, { weight: 1, arbitrary: nastyString }, { weight: 1, arbitrary: anyJson }),
        content,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: anyJson },
);

/** One valid channelList item: each channel with a sender it takes and a content of its own shape. */
const validItem: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.constantFrom(...validContent.RBM).map((c) => ({ from: RBM_SENDER, applicationId: APPLICATION, channel: 'RBM', content: c })),
  fc.constantFrom(...validContent.SMS).map((c) => ({ from: NUMBER, applicationId: APPLICATION, channel: 'SMS', content: c })),
  fc.constantFrom(...validContent.MMS).map((c) => ({ from: NUMBER, applicationId: APPLICATION, channel: 'MMS', content: c })),
);

// The top-level fields of a request, each mostly valid and sometimes hostile.
const fields = {
  to: fc.oneof(
    { weight: 4, arbitrary: fc.constant(HANDSET) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>([HANDSET], '', '+1', '19195557001', `+1${'9'.repeat(30)}`) },
    { weight: 1, arbitrary: nastyString },
    { weight: 1, arbitrary: anyJson },
  ),
  channelList: fc.oneof(
    { weight: 6, arbitrary: fc.array(channelItem, { minLength: 1, maxLength: MULTICHANNEL_LIMITS.channels }) },
    { weight: 2, arbitrary: fc.array(channelItem, { minLength: MULTICHANNEL_LIMITS.channels + 1, maxLength: 12 }) },
    // Too many channels, each of them valid: only the count is wrong.
    { weight: 2, arbitrary: fc.array(validItem, { minLength: MULTICHANNEL_LIMITS.channels + 1, maxLength: 8 }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>([], {}, 'RBM', null) },
    { weight: 1, arbitrary: anyJson },
  ),
  tag: fc.oneof(fc.constant('order-42'), fc.nat({ max: 2000 }).map(long), anyJson),
  priority: fc.oneof(fc.constantFrom<unknown>('default', 'high', 'HIGH', 'urgent', ''), anyJson),
  expiration: fc.oneof(fc.constantFrom<unknown>('2001-01-01T00:00:00Z', '2999-01-01T00:00:00Z', 'tomorrow', ''), anyJson),
};

/** A request Bandwidth accepts: one to four valid channels, and the optional fields valid when present. */
export const multiChannelValidBody: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    to: fc.constantFrom(HANDSET, '+15551234567'),
    channelList: fc.array(validItem, { minLength: 1, maxLength: MULTICHANNEL_LIMITS.channels }),
    tag: fc.constantFrom('order-42', '', '€'.repeat(100)),
    priority: fc.constantFrom('default', 'high'),
    expiration: fc.constant('2999-01-01T00:00:00Z'),
  },
  { requiredKeys: ['to', 'channelList'] },
);

/**
 * A valid request with one part made hostile: a top-level field, the whole channel list (or too many valid channels),
 * one of its items, that item's content, or (most often) an RBM item with broken RBM content.
 */
const oneHostilePart: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    multiChannelValidBody,
    fc.constantFrom('to', 'channelList', 'tooMany', 'item', 'content', 'rbm', 'rbm', 'rbm', 'tag', 'priority', 'expiration'),
    fc.nat(),
  )
  .chain(([valid, part, pick]) => {
    const items = valid.channelList as Array<Record<string, unknown>>;
    const at = pick % items.length;
    const withItem = (item: unknown) => ({ ...valid, channelList: items.map((old, i) => (i === at ? item : old)) });
    if (part === 'tooMany')
      return fc.array(validItem, { minLength: MULTICHANNEL_LIMITS.channels + 1, maxLength: 8 }).map((list) => ({ ...valid, channelList: list }));
    if (part === 'item') return channelItem.map(withItem);
    if (part === 'content') return content.map((c) => withItem({ ...items[at], content: c }));
    if (part === 'rbm') return brokenRbmContent.map((c) => withItem({ from: RBM_SENDER, applicationId: APPLICATION, channel: 'RBM', content: c }));
    return fields[part as keyof typeof fields].map((value) => ({ ...valid, [part]: value }));
  });

/**
 * A multichannel-shaped request body (always a JSON object): valid ones (which must get a 202), valid ones with one
 * part made hostile, and ones hostile throughout, now and then without `to` or `channelList`.
 */
export const multiChannelBody: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 2, arbitrary: multiChannelValidBody },
  { weight: 5, arbitrary: oneHostilePart },
  { weight: 2, arbitrary: fc.record(fields, { requiredKeys: ['to', 'channelList'] }) },
  { weight: 1, arbitrary: fc.record(fields, { requiredKeys: [] }) },
);

/** A body that must be refused, and the field its every error must blame (a prefix of each error's source.field). */
export interface Refusal {
  body: Record<string, unknown>;
  blames: string;
}

const rbmItem = (content: unknown) => ({ from: RBM_SENDER, applicationId: APPLICATION, channel: 'RBM', content });

/** A valid request with one channel's content replaced by broken RBM content: refused, blaming only that content. */
export const multiChannelBrokenRbm: fc.Arbitrary<Refusal> = fc
  .tuple(multiChannelValidBody, fc.constantFrom(...BROKEN_RBM_CONTENT), fc.nat())
  .map(([valid, broken, pick]) => {
    const items = valid.channelList as unknown[];
    const at = pick % items.length;
    return { body: { ...valid, channelList: items.map((item, i) => (i === at ? rbmItem(broken) : item)) }, blames: `channelList[${at}].content` };
  });

/** Every broken RBM content once, first of an RBM-then-SMS request: each must be refused, whatever the seed. */
export const MULTICHANNEL_BROKEN_RBM_EXAMPLES: readonly Refusal[] = BROKEN_RBM_CONTENT.map((broken) => ({
  body: { to: HANDSET, channelList: [rbmItem(broken), { from: NUMBER, applicationId: APPLICATION, channel: 'SMS', content: { text: 'hello' } }] },
  blames: 'channelList[0].content',
}));
