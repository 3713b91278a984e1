import { TrafficSchema } from '../config/traffic.js';
import { Type, type Static } from 'typebox';
import { Duration } from '../config/schema.js';
import { apiFaults } from './faults/api-faults.js';
import { callbackFaults } from './faults/callback-faults.js';

/** A text matcher: exact string, `prefix*`, `/regex/flags`, an object form, or a list (any of). */
const TextMatcher = Type.Union(
  [
    Type.String(),
    Type.Object({ equals: Type.String() }, { additionalProperties: false }),
    Type.Object({ prefix: Type.String() }, { additionalProperties: false }),
    Type.Object({ regex: Type.String(), flags: Type.Optional(Type.String({ pattern: '^[imsu]*$' })) }, { additionalProperties: false }),
    Type.Array(Type.String(), { minItems: 1 }),
  ],
  {
    description:
      "an exact value, 'prefix*', '/regex/flags', {equals}, {prefix}, {regex, flags} or a list of values (a regex runs on RE2: no lookaround or backreferences)",
  },
);

const ChannelName = Type.Union([Type.Literal('RBM'), Type.Literal('SMS'), Type.Literal('MMS')]);

/** A channel matcher: one channel, or a list (any of). */
const ChannelMatcher = Type.Union([ChannelName, Type.Array(ChannelName, { minItems: 1 })], {
  description: "'RBM', 'SMS' or 'MMS', or a list of them: the channel a multichannel message is tried on (a plain message is SMS or MMS)",
});

const SuggestionResponseSchema = Type.Object(
  {
    text: Type.String({ description: "the tapped suggestion's text" }),
    postbackData: Type.String({ description: "the suggestion's postbackData (base64)" }),
    pairedMessageId: Type.Optional(
      Type.Union([Type.String(), Type.Null()], { description: 'the RBM message answered; a reply defaults to the outbound message' }),
    ),
  },
  { additionalProperties: false, description: 'an RBM suggestion-response instead of a text message' },
);

const LocationResponseSchema = Type.Object(
  {
    latitude: Type.String({ pattern: '^-?\\d+(\\.\\d+)?$', description: "e.g. '37.7749'" }),
    longitude: Type.String({ pattern: '^-?\\d+(\\.\\d+)?$', description: "e.g. '-122.4194'" }),
  },
  { additionalProperties: false, description: 'an RBM requested-location-response instead of a text message' },
);

const NumberTypeName = Type.Union([Type.Literal('local'), Type.Literal('tollFree'), Type.Literal('shortCode')]);
const VerificationName = Type.Union([Type.Literal('VERIFIED'), Type.Literal('PENDING'), Type.Literal('UNVERIFIED')]);

/** What a rule matches on: every given field must match (for `to`, the recipient this outcome is for). */
const MatchSchema = Type.Object(
  {
    to: Type.Optional(TextMatcher),
    from: Type.Optional(TextMatcher),
    text: Type.Optional(TextMatcher),
    tag: Type.Optional(TextMatcher),
    applicationId: Type.Optional(TextMatcher),
    accountId: Type.Optional(TextMatcher),
    media: Type.Optional(Type.Boolean({ description: 'true: only messages with media; false: only without' })),
    group: Type.Optional(Type.Boolean({ description: 'true: only group messages (2+ recipients); false: only 1:1' })),
    channel: Type.Optional(ChannelMatcher),
    numberType: Type.Optional(
      Type.Union([NumberTypeName, Type.Array(NumberTypeName, { minItems: 1, maxItems: 3 })], {
        description: "the from number's type: 'local', 'tollFree' or 'shortCode', or a list of them",
      }),
    ),
    campaignClass: Type.Optional(
      Type.Union([Type.String({ pattern: '^[A-Z]$' }), Type.Array(Type.String({ pattern: '^[A-Z]$' }), { minItems: 1, maxItems: 26 })], {
        description: "the 10DLC campaign class of the from number (one capital letter, such as 'T'), or a list of them",
      }),
    ),
    verificationStatus: Type.Optional(
      Type.Union([VerificationName, Type.Array(VerificationName, { minItems: 1, maxItems: 3 })], {
        description: "the toll-free verification status of the from number: 'VERIFIED', 'PENDING' or 'UNVERIFIED', or a list of them",
      }),
    ),
    segments: Type.Optional(
      Type.Union(
        [
          Type.Integer({ minimum: 1 }),
          Type.Object({ min: Type.Optional(Type.Integer({ minimum: 1 })), max: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
        ],
        {
          description: 'a segment count, or {min, max}',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

/** One status event of an outcome's timeline; `after` counts from the previous event (the first from the 202). */
const EventSchema = Type.Object(
  {
    type: Type.Union(
      [
        Type.Literal('message-sending'),
        Type.Literal('message-sent'),
        Type.Literal('message-delivered'),
        Type.Literal('message-failed'),
        Type.Literal('message-read'),
      ],
      {
        description:
          "'message-sending', 'message-sent' (the hand-off, at most once, before the final event), 'message-delivered', 'message-failed', or (RBM only, after message-delivered) 'message-read'",
      },
    ),
    after: Type.Optional(Duration),
    errorCode: Type.Optional(Type.Integer({ description: "a code from Bandwidth's message-failed table, e.g. 4720" })),
    description: Type.Optional(Type.String({ maxLength: 1024, description: "the status callback's description (default: the error code table's)" })),
  },
  { additionalProperties: false },
);

// A media URL of a reply or inbound message: the create request's limit.
const MediaUrls = Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 10 });

const ReplySchema = Type.Object(
  {
    after: Type.Optional(Duration),
    text: Type.Optional(
      Type.String({
        description:
          'reply text, at most 2048 characters; up to 10 {{text}}, {{tag}}, {{from}}, {{to}} and {{id}} are replaced from the outbound message, and the result is cut at 8192 characters',
      }),
    ),
    media: Type.Optional(MediaUrls),
    suggestionResponse: Type.Optional(SuggestionResponseSchema),
    locationResponse: Type.Optional(LocationResponseSchema),
  },
  { additionalProperties: false },
);

/** A rule: what it matches, and what then happens (events, a reply, callback faults) or an API fault instead. */
export const RuleSchema = Type.Object(
  {
    name: Type.Optional(Type.String()),
    match: Type.Optional(MatchSchema),
    times: Type.Optional(Type.Integer({ minimum: 1, description: 'the rule applies to its first N matches only' })),
    events: Type.Optional(Type.Array(EventSchema, { maxItems: 20 })),
    reply: Type.Optional(ReplySchema),
    receipt: Type.Optional(
      Type.Union([Type.Literal('none'), Type.Literal('carrier-expired')], {
        description:
          "'none' (no delivery receipt comes back: message-failed 9902 after the receipt window) or 'carrier-expired' (the carrier reports it expired: 4794 after the window)",
      }),
    ),
    callbackFaults: Type.Optional(callbackFaults.schema),
    apiFault: Type.Optional(apiFaults.schema),
  },
  { additionalProperties: false },
);

const InboundSchema = Type.Object(
  {
    name: Type.Optional(Type.String()),
    trigger: Type.Optional(
      Type.Union([Type.Literal('start'), Type.Literal('manual')], {
        description: "'start' (when loaded, the default) or 'manual' (fired through the control API)",
      }),
    ),
    after: Type.Optional(Duration),
    from: Type.String({ description: 'the handset number, E.164' }),
    to: Type.Array(Type.String(), { minItems: 1, description: 'our numbers receiving it' }),
    text: Type.Optional(Type.String({ maxLength: 2048 })),
    media: Type.Optional(MediaUrls),
    suggestionResponse: Type.Optional(SuggestionResponseSchema),
    locationResponse: Type.Optional(LocationResponseSchema),
  },
  { additionalProperties: false },
);

/** A scenario file, version 1. */
export const ScenarioFileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    version: Type.Literal(1, { description: 'the format version: 1' }),
    name: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    seed: Type.Optional(Type.Integer({ description: 'seed for probabilistic faults, so a run can be replayed' })),
    rules: Type.Optional(Type.Array(RuleSchema, { maxItems: 1000 })),
    inbound: Type.Optional(Type.Array(InboundSchema, { maxItems: 1000 })),
    traffic: Type.Optional(
      Type.Object(TrafficSchema.properties, {
        additionalProperties: false,
        description:
          "traffic settings while this scenario is loaded, as the config's traffic section ({profile: production}); a file's apply to every account, a run-time scenario's to its scope",
      }),
    ),
  },
  {
    additionalProperties: false,
    title: 'bandwidth-emulator scenario',
    description: 'Scripts what the emulated carrier does: outcomes, replies, API and callback faults.',
  },
);

/** A scenario file as written. */
export type ScenarioFile = Static<typeof ScenarioFileSchema>;
/** One rule as written. */
export type RuleSpec = Static<typeof RuleSchema>;
/** A matcher block as written. */
export type MatchSpec = Static<typeof MatchSchema>;
/** A text matcher as written. */
export type TextMatcherSpec = Static<typeof TextMatcher>;
/** A scheduled inbound message as written. */
export type InboundSpec = Static<typeof InboundSchema>;
