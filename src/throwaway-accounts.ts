import { randomUUID } from 'node:crypto';
import { Type, type Static } from 'typebox';
import type { AccountRegistry } from './accounts.js';
import type { Clock } from './clock.js';
import { moveUrlCredentials } from './config/callback-credentials.js';
import type { AccountConfig } from './config/resolve.js';
import { AccountFeaturesSchema, isE164 } from './config/schema.js';
import { newToken } from './ids.js';
import { compileSchemaCheck, type Problem } from './validation/schema-check.js';
import { resolveRegistration } from './config/numbers.js';

/** The most throwaway accounts one emulator holds at once: past it, creating one is refused (429). */
export const MAX_THROWAWAY_ACCOUNTS = 1000;
/** The most numbers one throwaway account may own. */
const MAX_THROWAWAY_NUMBERS = 10;
/** The longest time to live of a throwaway account, in seconds: one day. */
const MAX_TTL_SECONDS = 86_400;

/** What POST /__emulator/accounts (and `createAccount`) takes; every field is optional. */
export const ThrowawayAccountRequestSchema = Type.Object(
  {
    id: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9_-]{1,64}$',
        description: 'the account id (the {accountId} of /users/{accountId}/...): 1 to 64 letters, digits, _ or -; default: a fresh 7-digit id',
      }),
    ),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "a name for the account's application (logs, the inbox)" })),
    callbackUrl: Type.Optional(
      Type.String({
        pattern: '^https?://',
        maxLength: 4096,
        description: "the application's callback URL (inbound and status callbacks), as in the config; user:password@ in it is sent as Basic",
      }),
    ),
    numbers: Type.Optional(
      Type.Union(
        [
          Type.Integer({
            minimum: 1,
            maximum: MAX_THROWAWAY_NUMBERS,
            description: 'how many numbers to make up (fictional +1NPA55501XX numbers no account owns)',
          }),
          Type.Array(Type.String({ pattern: '^\\+[1-9]\\d{1,14}$', description: 'an E.164 number no other account owns' }), {
            minItems: 1,
            maxItems: MAX_THROWAWAY_NUMBERS,
            uniqueItems: true,
          }),
        ],
        { description: `a count (1 to ${MAX_THROWAWAY_NUMBERS}) or a list of E.164 numbers; default: one made-up number` },
      ),
    ),
    ttlSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_TTL_SECONDS,
        description: `remove the account and everything it owns this many seconds after it was made (1 to ${MAX_TTL_SECONDS}); default: kept until deleted`,
      }),
    ),
    features: Type.Optional(
      Type.Object(AccountFeaturesSchema.properties, {
        additionalProperties: false,
        description:
          '{advancedQualityMetrics, carrierNameOnCallbacks, mmsDeliveryReceipts}: account features, as in the config; default: off, but MMS delivery receipts on',
      }),
    ),
  },
  { additionalProperties: false },
);

/** The request for a throwaway account: every field optional (see ThrowawayAccountRequestSchema for the bounds). */
export type ThrowawayAccountRequest = Static<typeof ThrowawayAccountRequestSchema>;

/** A throwaway account as created: its credentials (shown this once), application and numbers. */
export interface ThrowawayAccount {
  accountId: string;
  /** HTTP Basic credentials of its one API user (messaging allowed). */
  username: string;
  password: string;
  /** An OAuth2 client of the account, for Bearer tokens (POST /api/v1/oauth2/token). */
  clientId: string;
  clientSecret: string;
  applicationId: string;
  numbers: string[];
  /** The emulator's base URL: bandwidth-sdk's basePath. */
  basePath: string;
  /** Ready values for `new Configuration(...)` of bandwidth-sdk. */
  sdkConfig: { basePath: string; username: string; password: string };
  createdAt: string;
  /** When it is removed with everything it owns (ISO time), or null: kept until deleted. */
  expiresAt: string | null;
}

/** A throwaway account refused: `invalid` input (400), a `conflict` with an existing account or number (409), or the `limit` of accounts (429). */
export class ThrowawayAccountError extends Error {
  constructor(
    readonly kind: 'invalid' | 'conflict' | 'limit',
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'ThrowawayAccountError';
  }
}

const checkRequest = compileSchemaCheck(ThrowawayAccountRequestSchema);
const SOURCE = 'account request';
// The longest wait setTimeout honours; a later expiry is re-armed when this one fires.
const MAX_TIMER_MS = 2 ** 31 - 1;
// Made-up numbers: 555-0100 to 555-0199 are the fictional NANP numbers, in every area code from 201 to 999.
const FIRST_AREA = 201;
const AREAS = 799;

/**
 * Accounts made at run time for one test or one CI worker: credentials, one application and numbers, with an
 * optional time to live. They live in the registry beside the configured ones (in memory only: neither GET /state
 * nor the data dir holds them). Removing one forgets what it owns through `forget` (the emulator's reset of it).
 */
export class ThrowawayAccounts {
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private nextNumber = 0;
  private closed = false;

  constructor(
    private readonly registry: AccountRegistry,
    private readonly clock: Clock,
    private readonly forget: (accountId: string) => void,
    private readonly baseUrl: () => string,
  ) {}

  /** Create an account (ThrowawayAccountError when the request is refused); expired ones are removed first. */
  create(given?: ThrowawayAccountRequest | null): ThrowawayAccount {
    // No request (undefined, or a JSON null) is the empty one: every field has its default.
    const request = given ?? {};
    const problems = checkRequest(request, SOURCE);
    if (problems.length > 0) throw new ThrowawayAccountError('invalid', `the account request is not valid: ${describe(problems)}`, problems);
    this.sweep();
    if (this.registry.addedCount >= MAX_THROWAWAY_ACCOUNTS)
      throw new ThrowawayAccountError(
        'limit',
        `this emulator holds ${MAX_THROWAWAY_ACCOUNTS} throwaway accounts, the most it takes: delete some (DELETE /__emulator/accounts/{id}) or give them a ttlSeconds`,
      );
    const id = request.id ?? this.freshId();
    if (this.registry.isAdded(id) || this.registry.isConfigured(id))
      throw new ThrowawayAccountError(
        'conflict',
        `account ${id} exists already${this.registry.isAdded(id) ? '' : ' (it is configured)'}: pick another id, or leave id out`,
      );
    const callbacks =
      request.callbackUrl === undefined ? { urls: {}, callbackAuth: { mode: 'none' as const }, problems: [] } : this.callbacks(request.callbackUrl);
    const numbers = Array.isArray(request.numbers) ? this.requested(request.numbers) : this.madeUp(request.numbers ?? 1);
    const applicationId = randomUUID();
    const username = this.unique(() => `tw-${newToken(16)}`);
    const password = newToken(32);
    const clientId = `tw-client-${newToken(16)}`;
    const clientSecret = newToken(32);
    const account: AccountConfig = {
      id,
      users: [{ username, password, messaging: true }],
      oauthClients: [{ clientId, clientSecret }],
      tollFreeUnverified: 'block', // Bandwidth's rule since 2024-01-31, as for a configured account by default
      // One application, so both settings agree (a permissive stand-in application copies it): a configured account's default.
      statusCallbackApplication: 'fromNumber',
      features: {
        advancedQualityMetrics: request.features?.advancedQualityMetrics ?? false,
        carrierNameOnCallbacks: request.features?.carrierNameOnCallbacks ?? false,
        ...(request.features?.mmsDeliveryReceipts !== undefined ? { mmsDeliveryReceipts: request.features.mmsDeliveryReceipts } : {}),
      },
      applications: [
        {
          id: applicationId,
          name: request.name ?? `throwaway ${id}`,
          ...callbacks.urls,
          callbackAuth: callbacks.callbackAuth,
          callbackTypes: ['message-sending', 'message-delivered', 'message-failed'],
        },
      ],
      // Each number registered with every default (a local one on an active campaign, a toll-free one verified), as
      // the embedded config's are: a throwaway account sends at once; PUT .../numbers/{number} changes that.
      numbers: numbers.map((number) => resolveRegistration(number, {}, [applicationId], id).entry!),
    };
    const now = this.clock.now();
    const expiresAt = request.ttlSeconds === undefined ? Number.POSITIVE_INFINITY : now + request.ttlSeconds * 1000;
    // A fresh account starts empty: what an earlier account of this id left (before a restart with a data dir, or
    // from an imported state document) is forgotten first, so it never sees another run's messages.
    this.forget(id);
    this.registry.add(account, expiresAt);
    this.arm();
    const basePath = this.baseUrl();
    return {
      accountId: id,
      username,
      password,
      clientId,
      clientSecret,
      applicationId,
      numbers,
      basePath,
      sdkConfig: { basePath, username, password },
      createdAt: new Date(now).toISOString(),
      expiresAt: Number.isFinite(expiresAt) ? new Date(expiresAt).toISOString() : null,
    };
  }

  /** Remove a throwaway account and everything it owns; false (nothing done) when it is not one. */
  remove(accountId: string): boolean {
    if (!this.registry.isAdded(accountId)) return false;
    this.forget(accountId);
    this.registry.remove(accountId);
    this.arm();
    return true;
  }

  /** Remove every throwaway account whose time to live has run out (on the clock's now); returns their ids. */
  sweep(): string[] {
    const expired = this.registry.expiredIds();
    for (const id of expired) this.remove(id);
    return expired;
  }

  /** Stop the expiry timer (the emulator closes). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  // One real timer for the earliest expiry, unref'd so it never keeps a process alive. Not the Clock's schedule: a
  // time to live is wall-clock time on the clock's now, which the time scale must not shorten nor a flush run early.
  // Expiry does not depend on it: an expired account is unknown to the registry at once, and every create sweeps.
  private arm(): void {
    const earliest = this.registry.earliestExpiry();
    if (this.closed || earliest === this.timerAt) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = earliest;
    if (!Number.isFinite(earliest)) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.sweep();
        this.arm();
      },
      Math.min(Math.max(0, earliest - this.clock.now()), MAX_TIMER_MS),
    );
    this.timer.unref();
  }

  private callbacks(callbackUrl: string): ReturnType<typeof moveUrlCredentials> {
    const problem = (what: string) => [
      { source: SOURCE, field: 'callbackUrl', problem: what, fix: 'give an http:// or https:// URL such as http://127.0.0.1:3000/webhooks' },
    ];
    if (!URL.canParse(callbackUrl) || !/^https?:\/\/[^\s/]+/.test(callbackUrl))
      throw new ThrowawayAccountError('invalid', 'callbackUrl is not a valid URL', problem('is not a valid URL'));
    const moved = moveUrlCredentials({ callbackUrl }, (field) => ({ source: SOURCE, field }));
    if (moved.problems.length > 0) throw new ThrowawayAccountError('invalid', `callbackUrl is not valid: ${describe(moved.problems)}`, moved.problems);
    return moved;
  }

  private requested(numbers: string[]): string[] {
    for (const number of numbers) {
      const owner = this.registry.ownerOf(number);
      if (owner) throw new ThrowawayAccountError('conflict', `number ${number} is owned by account ${owner.id}: give another, or leave numbers out`);
    }
    return numbers;
  }

  // Made-up numbers in the fictional 555-01XX block, walking through the area codes; owned ones are skipped.
  private madeUp(count: number): string[] {
    const out: string[] = [];
    for (let tried = 0; out.length < count && tried < AREAS * 100; tried++) {
      const n = this.nextNumber;
      this.nextNumber = (n + 1) % (AREAS * 100);
      const number = `+1${FIRST_AREA + Math.floor(n / 100)}55501${String(n % 100).padStart(2, '0')}`;
      if (!isE164(number) || this.registry.ownerOf(number) || out.includes(number)) continue;
      out.push(number);
    }
    if (out.length < count) throw new ThrowawayAccountError('limit', 'no made-up number is free: delete some throwaway accounts');
    return out;
  }

  // 7 digits as Bandwidth's account ids are, starting 98 (the default account is 9900000); retried on a collision.
  private freshId(): string {
    for (;;) {
      const id = `98${String(Math.floor(Math.random() * 100_000)).padStart(5, '0')}`;
      if (!this.registry.isConfigured(id) && !this.registry.isAdded(id)) return id;
    }
  }

  private unique(make: () => string): string {
    for (;;) {
      const value = make();
      if (!this.registry.hasUsername(value)) return value;
    }
  }
}

const describe = (problems: readonly Problem[]) =>
  problems
    .slice(0, 5)
    .map((p) => `${p.field} ${p.problem} (${p.fix})`)
    .join('; ');
