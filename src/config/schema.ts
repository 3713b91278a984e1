import { Type, type Static } from 'typebox';
import { DURATION_PATTERN } from '../validation/durations.js';

const E164_PATTERN = '^\\+[1-9]\\d{1,14}$';

/** A duration: `250ms`, `2s`, `5m`, `1h`, or a number of milliseconds. */
export const Duration = Type.Union([Type.String({ pattern: DURATION_PATTERN }), Type.Number({ minimum: 0 })], {
  description: "a duration such as '250ms', '2s', '5m' or a number of milliseconds",
});

/** Status callback types an application may ask for. */
export const StatusCallbackTypeSchema = Type.Union(
  [Type.Literal('message-sending'), Type.Literal('message-delivered'), Type.Literal('message-failed')],
  { description: "'message-sending', 'message-delivered' or 'message-failed'" },
);

const Url = Type.String({ pattern: '^https?://', description: 'an http:// or https:// URL' });

const CallbackAuth = Type.Object(
  {
    mode: Type.Union([Type.Literal('none'), Type.Literal('preemptive'), Type.Literal('challenge')], {
      description: "'none', 'preemptive' (send Basic credentials at once) or 'challenge' (only after a 401 with WWW-Authenticate: Basic)",
    }),
    username: Type.Optional(Type.String({ minLength: 1 })),
    password: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const Application = Type.Object(
  {
    id: Type.String({ minLength: 1, description: 'the application id clients send as applicationId' }),
    name: Type.Optional(Type.String()),
    callbackUrl: Type.Optional(Url),
    inboundCallbackUrl: Type.Optional(Url),
    outboundCallbackUrl: Type.Optional(Url),
    callbackAuth: Type.Optional(CallbackAuth),
    callbackTypes: Type.Optional(Type.Array(StatusCallbackTypeSchema, { uniqueItems: true })),
  },
  { additionalProperties: false },
);

const PhoneNumber = Type.Object(
  {
    number: Type.String({
      minLength: 1,
      description: 'an E.164 number such as +19195550100 or an alphanumeric sender id',
    }),
    applicationId: Type.String({ minLength: 1, description: 'the id of an application in this account' }),
  },
  { additionalProperties: false },
);

const User = Type.Object(
  {
    username: Type.String({ minLength: 1 }),
    password: Type.String({ minLength: 1 }),
    messaging: Type.Optional(Type.Boolean({ description: 'true (default) or false: false answers 403 forbidden' })),
  },
  { additionalProperties: false },
);

const OAuthClient = Type.Object(
  { clientId: Type.String({ minLength: 1 }), clientSecret: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
);

const Account = Type.Object(
  {
    id: Type.String({ minLength: 1, description: 'the account id used in /users/{accountId}/...' }),
    users: Type.Optional(Type.Array(User)),
    oauthClients: Type.Optional(Type.Array(OAuthClient)),
    applications: Type.Array(Application, { minItems: 1 }),
    numbers: Type.Optional(Type.Array(PhoneNumber)),
  },
  { additionalProperties: false },
);

/** The config file's schema: every field optional, the embedded default fills the rest. */
export const ConfigFileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    host: Type.Optional(Type.String({ minLength: 1 })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'a TCP port from 0 to 65535' })),
    permissive: Type.Optional(Type.Boolean()),
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
        },
      ),
    ),
    publicUrl: Type.Optional(Url),
    timeScale: Type.Optional(Type.Number({ minimum: 0, description: 'a number >= 0: 1 real time, 0.1 ten times faster' })),
    accounts: Type.Optional(Type.Array(Account, { minItems: 1 })),
    scenarios: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'scenario files or folders' })),
    hotReload: Type.Optional(Type.Boolean({ description: 'true (default): reload scenario files when they change' })),
    callbacks: Type.Optional(
      Type.Object(
        {
          timeout: Type.Optional(Duration),
          retryDelays: Type.Optional(Type.Array(Duration, { maxItems: 100 })),
          deliveryDelay: Type.Optional(Duration),
          sendingDelay: Type.Optional(Duration),
        },
        { additionalProperties: false },
      ),
    ),
    limits: Type.Optional(
      Type.Object(
        {
          maxMessages: Type.Optional(Type.Integer({ minimum: 1 })),
          maxJournalEntries: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    media: Type.Optional(
      Type.Object(
        {
          maxObjectBytes: Type.Optional(Type.Integer({ minimum: 1, description: 'largest upload in bytes (default 3.5 MiB, Bandwidth\'s per-file limit)' })),
          maxTotalBytes: Type.Optional(Type.Integer({ minimum: 1, description: 'bytes kept across accounts before the oldest objects are evicted' })),
          retention: Type.Optional(Duration),
        },
        { additionalProperties: false },
      ),
    ),
    control: Type.Optional(
      Type.Object(
        { token: Type.Optional(Type.String({ minLength: 8, description: 'a secret of 8+ characters required by /__emulator and the web inbox' })) },
        { additionalProperties: false },
      ),
    ),
    oauth: Type.Optional(
      Type.Object({ tokenTtlSeconds: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
    ),
    dataDir: Type.Optional(Type.String({ minLength: 1, description: 'a folder for the SQLite state file (created if missing)' })),
    shutdownGrace: Type.Optional(Duration),
  },
  { additionalProperties: false },
);

/** A config file as written by a user. */
export type ConfigFile = Static<typeof ConfigFileSchema>;
/** A status callback type an application can request. */
export type StatusCallbackType = Static<typeof StatusCallbackTypeSchema>;

/** Whether a string is an E.164 number. */
export const isE164 = (value: string): boolean => new RegExp(E164_PATTERN).test(value);
