import { Type, type Static } from 'typebox';
import { DURATION_PATTERN } from '../validation/durations.js';
import { CarriersSchema } from './number-ranges.js';
import { RegistrationProperties } from './numbers.js';
import { TrafficSchema } from './traffic.js';

const E164_PATTERN = '^\\+[1-9]\\d{1,14}$';
// A host name (labels of letters, digits, '-' and '_'), optionally with a leading dot for "and its subdomains", or '*'.
const ALLOWED_HOST_PATTERN = '^(\\*|\\.?[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?)$';

/** The largest time scale (config `timeScale`, the control API's PUT /time): a million times slower than real time. */
export const MAX_TIME_SCALE = 1_000_000;

/** A duration: `250ms`, `2s`, `5m`, `1h`, or a number of milliseconds. */
export const Duration = Type.Union([Type.String({ pattern: DURATION_PATTERN }), Type.Number({ minimum: 0 })], {
  description: "a duration such as '250ms', '2s', '5m' or a number of milliseconds",
});

/** Status callback types an application may ask for. */
const StatusCallbackTypeSchema = Type.Union(
  [Type.Literal('message-sending'), Type.Literal('message-sent'), Type.Literal('message-delivered'), Type.Literal('message-failed')],
  {
    description: "'message-sending', 'message-sent', 'message-delivered' or 'message-failed'",
  },
);

// Each field's `title` says what it is for and `default` what applies when it is left out: the README's config
// reference is built from them (test/unit/readme-config-reference.test.ts), so documentation cannot drift.
// 4096 characters: the longest URL Bandwidth takes anywhere (a media URL), far past any webhook address.
const url = (title: string) =>
  Type.String({ pattern: '^https?://', maxLength: 4096, description: 'an http:// or https:// URL of at most 4096 characters', title });
const durationOf = (title: string, fallback?: string) =>
  Type.Union([Type.String({ pattern: DURATION_PATTERN }), Type.Number({ minimum: 0 })], {
    description: "a duration such as '250ms', '2s', '5m' or a number of milliseconds",
    title,
    ...(fallback !== undefined ? { default: fallback } : {}),
  });

const CallbackAuth = Type.Object(
  {
    mode: Type.Union([Type.Literal('none'), Type.Literal('preemptive'), Type.Literal('challenge')], {
      description: "'none', 'preemptive' (send Basic credentials at once) or 'challenge' (only after a 401 with WWW-Authenticate: Basic)",
      title: 'How callbacks authenticate to your receiver',
    }),
    username: Type.Optional(Type.String({ minLength: 1, title: 'Basic username sent with callbacks (needed unless mode is none)' })),
    password: Type.Optional(Type.String({ title: 'Basic password sent with callbacks' })),
  },
  { additionalProperties: false, title: "Credentials the emulator sends to the application's callback URLs", default: { mode: 'none' } },
);

const Application = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      description: 'the application id clients send as applicationId',
      title: 'Application id (what clients send as applicationId)',
    }),
    name: Type.Optional(Type.String({ title: 'A name for logs and the banner (defaults to the id)' })),
    callbackUrl: Type.Optional(url('Where inbound and status callbacks go (single-URL mode)')),
    inboundCallbackUrl: Type.Optional(url('Where message-received callbacks go (overrides callbackUrl)')),
    outboundCallbackUrl: Type.Optional(url('Where status callbacks go (overrides callbackUrl)')),
    callbackAuth: Type.Optional(CallbackAuth),
    callbackTypes: Type.Optional(
      Type.Array(StatusCallbackTypeSchema, {
        uniqueItems: true,
        title:
          "Status callback types the application wants; the others are journaled not-requested. 'message-sent' (the hand-off downstream, Bandwidth's since 2026-07-06) is opt-in as at Bandwidth: planned only for an application that lists it",
        default: ['message-sending', 'message-delivered', 'message-failed'],
      }),
    ),
  },
  { additionalProperties: false },
);

const NumberText = Type.String({
  minLength: 1,
  maxLength: 32,
  description: 'an E.164 number such as +19195550100, a short code or an alphanumeric sender id',
  title: 'A number the account owns (a valid from; inbound to it is routed here)',
});

// A plain string is a number with every default (src/config/numbers.ts); the object form adds its registration.
const PhoneNumber = Type.Union([NumberText, Type.Object({ number: NumberText, ...RegistrationProperties }, { additionalProperties: false })], {
  description: 'a number as a string, or {number, applicationId, type, location, campaign, tollFreeVerification}',
});

const User = Type.Object(
  {
    username: Type.String({ minLength: 1, title: 'API username (HTTP Basic)' }),
    password: Type.String({ minLength: 1, title: 'API password (HTTP Basic)' }),
    messaging: Type.Optional(
      Type.Boolean({
        description: 'true (default) or false: false answers 403 forbidden',
        title: 'Whether the user has the messaging role (false answers 403)',
        default: true,
      }),
    ),
  },
  { additionalProperties: false },
);

const OAuthClient = Type.Object(
  {
    clientId: Type.String({ minLength: 1, title: 'OAuth2 client id (client credentials grant)' }),
    clientSecret: Type.String({ minLength: 1, title: 'OAuth2 client secret' }),
  },
  { additionalProperties: false },
);

/**
 * Account features Bandwidth enables per account, where the spec says a field exists only with one: "Only available
 * for accounts with the Advanced Quality Metrics feature enabled" (listMessageItem.bwLatency, carrierLatency) and
 * "This field is present only when this account feature has been enabled" (the callbacks' carrierName).
 */
export const AccountFeaturesSchema = Type.Object(
  {
    advancedQualityMetrics: Type.Optional(
      Type.Boolean({
        title: 'Advanced Quality Metrics: search rows carry bwLatency and carrierLatency (seconds), and fromBwLatency/fromCarrierLatency filter on them',
        default: false,
      }),
    ),
    carrierNameOnCallbacks: Type.Optional(
      Type.Boolean({
        title: "Status and inbound callbacks carry carrierName, the carrier of the handset's number (the spec's account feature)",
        default: false,
      }),
    ),
    mmsDeliveryReceipts: Type.Optional(
      Type.Boolean({
        // No `default` key: on unless set to false (the title says it); the resolver leaves it undefined for on.
        title:
          "MMS delivery receipts (Bandwidth's Feature_MMS_DLR, on by default as for most accounts): false sends an MMS no message-sending and reports message-delivered at the hand-off to Bandwidth's MMSC, never the handset's outcome",
      }),
    ),
  },
  { additionalProperties: false, title: 'Account features (off unless enabled, as at Bandwidth; MMS delivery receipts on unless disabled)' },
);

const Account = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      description: 'the account id used in /users/{accountId}/...',
      title: 'Account id (the {accountId} in /users/{accountId}/...)',
    }),
    users: Type.Optional(Type.Array(User, { title: 'API users of the account', default: [] })),
    oauthClients: Type.Optional(Type.Array(OAuthClient, { title: 'OAuth2 clients that can get Bearer tokens for the account', default: [] })),
    applications: Type.Array(Application, { minItems: 1, title: 'Messaging applications (at least one)' }),
    numbers: Type.Optional(Type.Array(PhoneNumber, { maxItems: 10_000, title: 'Numbers the account owns', default: [] })),
    tollFreeUnverified: Type.Optional(
      Type.Union([Type.Literal('block'), Type.Literal('caps2023')], {
        description: "'block' (since 2024-01-31) or 'caps2023' (the 2023 day/week/month caps)",
        // No `default` key: the README's reference lists defaults the resolver applies to one account; the title says it.
        title: "What a toll-free number that is not VERIFIED may send: 'block' (default) fails every message with 4795; 'caps2023' the 2023 caps, then 4795",
      }),
    ),
    statusCallbackApplication: Type.Optional(
      Type.Union([Type.Literal('fromNumber'), Type.Literal('request')], {
        description: "'fromNumber' (the from number's application) or 'request' (the application named by the request's applicationId)",
        // No `default` key: the default depends on permissive (the resolver applies it; the title says it).
        title:
          "Whose callback URL, credentials and callbackTypes a message's status callbacks follow when its applicationId is another application of the account than the from number's: 'fromNumber' (default) or 'request' (default in permissive mode)",
      }),
    ),
    features: Type.Optional(AccountFeaturesSchema),
    traffic: Type.Optional(TrafficSchema),
  },
  { additionalProperties: false },
);

/** The config file's schema: every field optional, the embedded default fills the rest. */
export const ConfigFileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String({ title: "This file's JSON Schema, for editor completion (not read by the emulator)" })),
    host: Type.Optional(Type.String({ minLength: 1, title: 'Interface to listen on (0.0.0.0 inside a container)', default: '127.0.0.1' })),
    port: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 65535, description: 'a TCP port from 0 to 65535', title: 'TCP port (0 picks a free one)', default: 4010 }),
    ),
    permissive: Type.Optional(Type.Boolean({ title: 'Accept any non-empty credentials, account, applicationId and from number', default: false })),
    logLevel: Type.Optional(
      Type.Union(
        [
          Type.Literal('fatal'),
          Type.Literal('error'),
          Type.Literal('warn'),
          Type.Literal('info'),
          Type.Literal('debug'),
          Type.Literal('trace'),
          Type.Literal('silent'),
        ],
        {
          description: 'fatal, error, warn, info, debug, trace or silent',
          title: 'Log level',
          default: 'info',
        },
      ),
    ),
    publicUrl: Type.Optional(url('Base URL used in links the emulator hands out (paging, media); default: the listen URL')),
    allowedHosts: Type.Optional(
      Type.Array(
        Type.String({
          pattern: ALLOWED_HOST_PATTERN,
          maxLength: 253,
          description: "a host name without port: 'emulator', '.example.com' (it and every subdomain) or '*' (any)",
        }),
        {
          maxItems: 100,
          title: "Host names (Host header) answered besides loopback, IP addresses and publicUrl's host; '.example.com' allows its subdomains, '*' any",
          default: [],
        },
      ),
    ),
    timeScale: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: MAX_TIME_SCALE,
        description: `a number from 0 to ${MAX_TIME_SCALE}: 1 real time, 0.1 ten times faster, 0 at once`,
        title: 'Multiplier for every emulated delay',
        default: 1,
      }),
    ),
    accounts: Type.Optional(
      Type.Array(Account, { minItems: 1, title: 'Accounts served; a list here replaces the embedded default account (see Default account)' }),
    ),
    carriers: Type.Optional(CarriersSchema),
    traffic: Type.Optional(TrafficSchema),
    scenarios: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: 'scenario files or folders',
        title: 'Scenario files or folders (relative to the config file)',
        default: [],
      }),
    ),
    hotReload: Type.Optional(
      Type.Boolean({ description: 'true (default): reload scenario files when they change', title: 'Reload scenario files when they change', default: true }),
    ),
    callbacks: Type.Optional(
      Type.Object(
        {
          timeout: Type.Optional(durationOf('Per-attempt timeout of a callback POST (real time)', '10s')),
          retryDelays: Type.Optional(
            Type.Array(Duration, {
              maxItems: 100,
              title: 'Waits before each retry of a callback that failed; its length is the number of retries',
              default: ['250ms', '500ms', '1s', '2s', '4s'],
            }),
          ),
          deliveryDelay: Type.Optional(durationOf('Delay before the default message-delivered', '100ms')),
          sendingDelay: Type.Optional(durationOf('Delay before message-sending (MMS and groups)', '20ms')),
        },
        { additionalProperties: false, title: 'Callback delivery and default timing' },
      ),
    ),
    limits: Type.Optional(
      Type.Object(
        {
          // A million of each: what a data dir restores in seconds and a few hundred MB of heap; memory stays bounded.
          maxMessages: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 1_000_000, title: 'Messages kept before the oldest are evicted (counted in health)', default: 10_000 }),
          ),
          maxJournalEntries: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 1_000_000, title: 'Callback journal entries kept before the oldest are evicted', default: 10_000 }),
          ),
        },
        { additionalProperties: false, title: 'Store caps (bounded memory, and the same caps in a data dir)' },
      ),
    ),
    media: Type.Optional(
      Type.Object(
        {
          maxObjectBytes: Type.Optional(
            Type.Integer({
              minimum: 1,
              description: "largest upload in bytes (default 3.5 MiB, Bandwidth's per-file limit)",
              title: 'Largest media upload in bytes',
              default: 3_670_016,
            }),
          ),
          maxTotalBytes: Type.Optional(
            Type.Integer({
              minimum: 1,
              description: 'bytes kept across accounts before the oldest objects are evicted',
              title: 'Media bytes kept across accounts before the oldest objects are evicted',
              default: 268_435_456,
            }),
          ),
          retention: Type.Optional(durationOf('How long a media object is kept after upload', '48h')),
          fetchExternal: Type.Optional(
            Type.Boolean({
              description: 'fetch outbound MMS media on other hosts (off by default: the emulator works offline)',
              title: 'Fetch outbound MMS media on other hosts and check it (4410/4411/4412); off by default, the emulator works offline',
              default: false,
            }),
          ),
          fetchTimeout: Type.Optional(durationOf('How long an external media fetch may take', '10s')),
        },
        { additionalProperties: false, title: 'Media store limits' },
      ),
    ),
    control: Type.Optional(
      Type.Object(
        {
          token: Type.Optional(
            Type.String({
              minLength: 8,
              description: 'a secret of 8+ characters required by /__emulator and the web inbox',
              title: 'Token required (Authorization: Bearer) by /__emulator and the web inbox',
            }),
          ),
        },
        { additionalProperties: false, title: 'The control API' },
      ),
    ),
    oauth: Type.Optional(
      Type.Object(
        { tokenTtlSeconds: Type.Optional(Type.Integer({ minimum: 1, title: 'Lifetime of issued Bearer tokens in seconds', default: 3600 })) },
        { additionalProperties: false, title: 'OAuth2 token endpoint' },
      ),
    ),
    dataDir: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'a folder for the SQLite state file (created if missing)',
        title: 'Keep state in DIR/emulator.sqlite across restarts (relative to the config file); default: in memory only',
      }),
    ),
    proxy: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(
            Type.Boolean({ title: "Answer as a forward proxy for Bandwidth's hostnames (HTTPS_PROXY=http://127.0.0.1:4010)", default: true }),
          ),
          port: Type.Optional(
            Type.Integer({
              minimum: 0,
              maximum: 65535,
              description: 'a TCP port from 0 to 65535',
              title: 'A port of its own for the proxy; default: the API port',
            }),
          ),
          httpsPort: Type.Optional(
            Type.Integer({
              minimum: 0,
              maximum: 65535,
              description: 'a TCP port from 0 to 65535',
              title: 'Also serve everything over HTTPS on this port, with certificates from the local CA; default: off',
            }),
          ),
          caDir: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 4096,
              description: 'a folder (created if missing, mode 0700)',
              title: 'Folder of the local certificate authority, ca.pem and ca-key.pem (relative to the config file); default: ~/.config/bandwidth-emulator/ca',
            }),
          ),
        },
        { additionalProperties: false, title: 'Proxy mode: Bandwidth\'s real hostnames answered by the emulator (README "Proxy mode")' },
      ),
    ),
    shutdownGrace: Type.Optional(durationOf('On SIGTERM/SIGINT, how long pending callbacks may finish before the emulator closes', '5s')),
  },
  { additionalProperties: false },
);

/** A config file as written by a user. */
export type ConfigFile = Static<typeof ConfigFileSchema>;
/** A status callback type an application can request. */
export type StatusCallbackType = Static<typeof StatusCallbackTypeSchema>;

/** Whether a string is an E.164 number. */
export const isE164 = (value: string): boolean => new RegExp(E164_PATTERN).test(value);
