import { Type } from 'typebox';
import { MAX_TIME_SCALE } from '../config/schema.js';
import { MAX_CONVERSATION_KEY_CHARS, MAX_CURSOR_CHARS, MAX_SEARCH_CHARS } from './message-query.js';

/** The longest long-poll or idle wait, in real ms: the same bound in-process and over HTTP (a timer past 2^31-1 ms would fire at once). */
export const MAX_WAIT_MS = 300_000;
/** The most entries one journal page holds (GET /callbacks?limit=). */
export const MAX_PAGE_LIMIT = 1000;
/** The longest resend target URL. */
export const MAX_RESEND_TARGET = 2048;

// Search and paging fields GET /__emulator/messages and /conversations share; a function so each schema gets its own objects.
function SEARCH_FIELDS() {
  return {
    q: Type.Optional(Type.String({ maxLength: MAX_SEARCH_CHARS, description: 'a number (3+ digits), words of the text, a tag or an id; case-insensitive' })),
    errorCode: Type.Optional(Type.Integer({ minimum: 0, maximum: 9999, description: 'a recipient failed with this code' })),
    since: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'ISO time: messages at or after it' })),
    until: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'ISO time: messages before it' })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_CURSOR_CHARS, description: "the previous page's nextCursor" })),
  };
}

/** Query filters for GET /__emulator/messages. */
export const MessageFilterQuery = Type.Object(
  {
    accountId: Type.Optional(Type.String()),
    to: Type.Optional(Type.String()),
    from: Type.Optional(Type.String()),
    tag: Type.Optional(Type.String()),
    direction: Type.Optional(Type.Union([Type.Literal('out'), Type.Literal('in')])),
    status: Type.Optional(Type.Union(['RECEIVED', 'QUEUED', 'SENDING', 'SENT', 'FAILED', 'DELIVERED', 'ACCEPTED', 'UNDELIVERED'].map((s) => Type.Literal(s)))),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    ...SEARCH_FIELDS(),
    conversation: Type.Optional(
      Type.String({ minLength: 1, maxLength: MAX_CONVERSATION_KEY_CHARS, description: 'only the messages of this conversation (its key)' }),
    ),
  },
  { additionalProperties: false },
);

/** Query for GET /__emulator/conversations: the message filters and search, paged by conversation (default 50). */
export const ConversationQuery = Type.Object(
  {
    accountId: Type.Optional(Type.String()),
    direction: Type.Optional(Type.Union([Type.Literal('out'), Type.Literal('in')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    ...SEARCH_FIELDS(),
  },
  { additionalProperties: false },
);

/** GET /__emulator/idle: how long to wait, in real milliseconds, for nothing to be pending. */
export const IdleQuery = Type.Object(
  {
    timeoutMs: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_WAIT_MS,
        description: 'answer 200 as soon as nothing is pending, or 408 with what still is after this many ms (default 5000)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Query filters for GET /__emulator/callbacks, plus the long-poll `wait` in milliseconds. */
export const JournalQuery = Type.Object(
  {
    accountId: Type.Optional(Type.String()),
    messageId: Type.Optional(Type.String()),
    eventId: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    recipient: Type.Optional(Type.String()),
    target: Type.Optional(Type.String()),
    outcome: Type.Optional(
      Type.Union(
        ['delivered', 'retrying', 'exhausted', 'no-target', 'not-requested', 'dropped', 'cancelled', 'network', 'failing'].map((s) => Type.Literal(s)),
        { description: "one outcome, or 'failing': every attempt that did not deliver (retrying, exhausted, no-target, dropped, cancelled)" },
      ),
    ),
    replayOf: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'only resends of this entry' })),
    afterSeq: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_PAGE_LIMIT,
        description: 'paging: at most this many entries, newest first, answered as {entries, total, nextBeforeSeq}',
      }),
    ),
    beforeSeq: Type.Optional(
      Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'paging: only entries below this seq (the nextBeforeSeq of the page before)' }),
    ),
    wait: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_WAIT_MS, description: 'long-poll: answer as soon as a matching entry exists, or 408 after this many ms' }),
    ),
  },
  { additionalProperties: false },
);

/** POST /__emulator/callbacks/{seq}/resend: the journal entry's sequence number. */
export const ResendParams = Type.Object(
  { seq: Type.String({ pattern: '^[1-9][0-9]{0,15}$', maxLength: 16, description: "a journal entry's seq" }) },
  { additionalProperties: false },
);

/** Body of POST /__emulator/callbacks/{seq}/resend: optionally another target than the entry's. */
export const ResendBody = Type.Object(
  {
    target: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_RESEND_TARGET,
        pattern: '^https?://',
        description: "an http(s) URL to send to instead of the entry's target",
      }),
    ),
  },
  { additionalProperties: false },
);

/** Body of POST /__emulator/inbound: a handset message to one or more of our numbers. */
export const InboundBody = Type.Object(
  {
    from: Type.String({ pattern: '^\\+[1-9]\\d{1,14}$', description: 'the handset number, E.164' }),
    to: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 100 }),
    text: Type.Optional(Type.String({ maxLength: 2048 })),
    media: Type.Optional(
      Type.Array(
        Type.Union([
          Type.String({ maxLength: 4096, description: 'a media URL, passed through as is' }),
          Type.Object(
            {
              filename: Type.String({ minLength: 1, maxLength: 255 }),
              contentType: Type.String({ minLength: 1, maxLength: 255 }),
              contentBase64: Type.String({ description: 'the bytes, base64; at most media.maxObjectBytes once decoded' }),
            },
            { additionalProperties: false, description: 'an attachment the emulator stores and links as .../media/{messageId}/{index}/{filename}' },
          ),
        ]),
        { maxItems: 10 },
      ),
    ),
    accountId: Type.Optional(Type.String()),
    channel: Type.Optional(
      Type.Union([Type.Literal('RBM'), Type.Literal('SMS'), Type.Literal('MMS')], {
        description: 'multichannel: the channel it arrives on (shown as message.channel)',
      }),
    ),
    suggestionResponse: Type.Optional(
      Type.Object(
        { text: Type.String(), postbackData: Type.String(), pairedMessageId: Type.Optional(Type.Union([Type.String(), Type.Null()])) },
        {
          additionalProperties: false,
          description: "RBM: the user tapped a suggestion (a suggestion-response event); with pairedMessageId, `to` may be the RBM message's sender id",
        },
      ),
    ),
    locationResponse: Type.Optional(
      Type.Object(
        { latitude: Type.String({ pattern: '^-?\\d+(\\.\\d+)?$' }), longitude: Type.String({ pattern: '^-?\\d+(\\.\\d+)?$' }) },
        { additionalProperties: false, description: 'RBM: the user shared a location (a requested-location-response event)' },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Body of POST /__emulator/messages/{id}/carrier: the carrier delivers now, or fails with an error code. */
export const CarrierBody = Type.Object(
  {
    action: Type.Union([Type.Literal('deliver'), Type.Literal('fail')]),
    errorCode: Type.Optional(Type.Integer({ description: "required for 'fail': a code of Bandwidth's message-failed table, e.g. 4720" })),
    recipient: Type.Optional(Type.String({ minLength: 1, description: 'one recipient; without it, every recipient still in flight' })),
  },
  { additionalProperties: false },
);

/** `?accountId=` alone. */
export const AccountQuery = Type.Object({ accountId: Type.Optional(Type.String()) }, { additionalProperties: false });

const timeScaleNumber = (description: string, extra: object = {}) => Type.Number({ minimum: 0, maximum: MAX_TIME_SCALE, description, ...extra });

/** Body of PUT /__emulator/time: `timeScale` as the config names it; `scale`, its old name, still works (not both). */
export const TimeBody = Type.Object(
  {
    timeScale: Type.Optional(
      timeScaleNumber(`multiplier for every emulated delay, 0 to ${MAX_TIME_SCALE}: 1 real time, 0.1 ten times faster (config timeScale)`),
    ),
    scale: Type.Optional(timeScaleNumber('deprecated: the old name of timeScale', { deprecated: true })),
  },
  { additionalProperties: false },
);

/** Body of POST /__emulator/scenarios/{name}/trigger. */
export const TriggerBody = Type.Object({ inbound: Type.Optional(Type.String()) }, { additionalProperties: false });

const literals = (values: readonly string[], description: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description },
  );

/** GET /__emulator/error-codes/{code}: a message-failed code is four digits (a longer or other path parameter is refused). */
export const ErrorCodeParams = Type.Object(
  { code: Type.String({ pattern: '^[0-9]{4}$', minLength: 4, maxLength: 4, description: 'a message-failed error code, four digits: 4720' }) },
  { additionalProperties: false },
);

/** One code of the emulator's message-failed table (src/error-codes.ts), as the control API answers it. */
export const ErrorCodeSchema = Type.Object(
  {
    code: Type.Integer({ minimum: 1000, maximum: 9999 }),
    name: Type.String({ description: "the errors page's Description column: the code's type string" }),
    text: Type.String({ description: "the errors page's Friendly Description" }),
    description: Type.String({ description: 'what the emulator sends as the message-failed description' }),
    group: literals(['bandwidth-client', 'carrier-client', 'bandwidth-service', 'carrier-service', 'ambiguous'], 'who reported it, and what kind it is'),
    billable: Type.Boolean({ description: 'whether Bandwidth bills the message' }),
    retry: literals(['no', 'yes', 'once', 'later', 'not-advised'], 'whether sending the same message again can help'),
    retryWhy: Type.String(),
    source: Type.Object(
      {
        kind: literals(['errors-page', 'support-article', 'cli'], "where it is published ('cli': only in Bandwidth's CLI guide)"),
        url: Type.String(),
      },
      { additionalProperties: false },
    ),
    note: Type.Optional(Type.String({ description: 'what is inferred rather than published, or where sources disagree' })),
  },
  { additionalProperties: false },
);

/** GET /__emulator/error-codes: the whole table, with where and when it was checked. */
export const ErrorCodeList = Type.Object(
  {
    source: Type.String({ description: "Bandwidth's errors page" }),
    checkedOn: Type.String({ description: 'the day the table was last checked against the sources (YYYY-MM-DD)' }),
    errorCodes: Type.Array(ErrorCodeSchema),
  },
  { additionalProperties: false },
);

/** The control API's error body. */
export const ControlError = Type.Object({
  error: Type.String({ description: 'bad-request, unauthorized, not-found or timeout' }),
  message: Type.String(),
  problems: Type.Optional(
    Type.Array(Type.Object({ source: Type.String(), field: Type.String(), problem: Type.String(), fix: Type.String(), line: Type.Optional(Type.Integer()) })),
  ),
});

/** Bounds of a lint request: Bandwidth's text maximum, and as many media and recipients as a send may have. */
const LINT_BOUNDS = { text: 2048, media: 10, to: 100 } as const;

/** Body of POST /__emulator/lint: a text to check before sending, with the media and recipients that make an MMS. */
export const LintBody = Type.Object(
  {
    text: Type.String({ maxLength: LINT_BOUNDS.text, description: "the message text (Bandwidth's maximum: 2048 characters)" }),
    media: Type.Optional(
      Type.Array(Type.String({ maxLength: 4096 }), { maxItems: LINT_BOUNDS.media, description: 'media URLs: any makes it an MMS (1 segment)' }),
    ),
    to: Type.Optional(
      Type.Array(Type.String({ maxLength: 32 }), { maxItems: LINT_BOUNDS.to, description: 'recipients: more than one makes a group MMS (1 segment)' }),
    ),
  },
  { additionalProperties: false },
);
