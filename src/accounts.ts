import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock.js';
import type { AccountConfig, ApplicationConfig, EmulatorConfig } from './config/resolve.js';
import { resolveRegistration, type NumberConfig } from './config/numbers.js';
import { newToken } from './ids.js';

/** The result of checking credentials against an account: 'ok', or the refusal (401 or 403) and which check failed. */
export type AuthResult = 'ok' | AuthRefusal;

/** A refused credential check: the answer to give and, for the log, why (never the secret that was sent). */
export interface AuthRefusal {
  refused: 'unauthorized' | 'forbidden';
  why: string;
}

const refusal = (refused: AuthRefusal['refused'], why: string): AuthRefusal => ({ refused, why });

interface IssuedToken {
  accountIds: Set<string>;
  expiresAt: number;
}

const digest = (secret: string) => createHash('sha256').update(secret).digest();

// Compare secrets in constant time; hashing first makes the lengths equal so length does not leak either.
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

// Issued tokens are bounded so a client minting tokens in a loop cannot grow memory without end.
const MAX_TOKENS = 10_000;
// Bounded, so a client trying many credentials cannot grow memory: the cache is dropped whole when full.
const MAX_BASIC_ANSWERS = 256;

/** Accounts, their credentials, applications and numbers; in permissive mode it also makes up what it does not know. */
export class AccountRegistry {
  private readonly accounts = new Map<string, AccountConfig>();
  private readonly tokens = new Map<string, IssuedToken>();
  // Digests of configured usernames and passwords only (never of what a request sent), so it stays small.
  private readonly digests = new Map<string, Buffer>();
  private readonly basicAnswers = new Map<string, AuthResult>();
  // The numbers as configured, per account: what a reset brings run-time provisioning back to.
  private readonly configuredNumbers = new Map<string, NumberConfig[]>();
  // Accounts added at run time (throwaway accounts), with their expiry in clock ms (Infinity: none).
  private readonly added = new Map<string, number>();

  constructor(
    private readonly config: EmulatorConfig,
    private readonly clock: Clock,
  ) {
    for (const account of config.accounts) {
      this.accounts.set(account.id, account);
      this.configuredNumbers.set(
        account.id,
        account.numbers.map((n) => structuredClone(n)),
      );
    }
  }

  /** The first configured account: the banner's, and the template for permissive ones. */
  get defaultAccount(): AccountConfig {
    return this.config.accounts[0]!;
  }

  /** The account with this id; in permissive mode an unknown id is served like the default account. */
  get(accountId: string): AccountConfig | undefined {
    const known = this.live(accountId);
    if (known || !this.config.permissive) return known;
    return { ...this.defaultAccount, id: accountId };
  }

  /** Check Basic credentials for an account: 401 for unknown users or another account's, 403 without messaging. */
  checkBasic(accountId: string, username: string, password: string): AuthResult {
    // Before the cache: an account that expired since its credentials were last checked is refused from then on.
    if (this.expired(accountId)) return refusal('unauthorized', `basic auth: account ${accountId} expired (its ttlSeconds ran out)`);
    if (this.config.permissive) return username.length > 0 ? 'ok' : refusal('unauthorized', 'basic auth: empty username (permissive mode takes any other)');
    // A client sends the same credentials on every request: remember the last few answers rather than hash each time.
    // Length-prefixed, so no other split of the same characters can share a key.
    const key = `${accountId.length}:${accountId}${username.length}:${username}${password}`;
    const known = this.basicAnswers.get(key);
    if (known) return known;
    const result = this.checkBasicUncached(accountId, username, password);
    if (this.basicAnswers.size >= MAX_BASIC_ANSWERS) this.basicAnswers.clear();
    this.basicAnswers.set(key, result);
    return result;
  }

  private checkBasicUncached(accountId: string, username: string, password: string): AuthResult {
    const account = this.live(accountId);
    // The request's secrets are hashed once, the configured ones once per process: not four hashes per request.
    const [givenUser, givenPassword] = [digest(username), digest(password)];
    const user = account?.users.find((u) => timingSafeEqual(this.configuredDigest(u.username), givenUser));
    if (!user) return refusal('unauthorized', this.whyNoUser(accountId, account, givenUser));
    // A configured username is no secret (the banner shows it); what was sent as one may be, so only these are named.
    if (!timingSafeEqual(this.configuredDigest(user.password), givenPassword))
      return refusal('unauthorized', `basic auth: wrong password for user '${user.username}'`);
    return user.messaging ? 'ok' : refusal('forbidden', `basic auth: user '${user.username}' has no messaging access (messaging: false)`);
  }

  // Why no user of the account matched: the account is unknown, the user is another account's, or nobody's.
  private whyNoUser(accountId: string, account: AccountConfig | undefined, givenUser: Buffer): string {
    let elsewhere = '';
    for (const other of this.accounts.values()) {
      const user = other.users.find((u) => timingSafeEqual(this.configuredDigest(u.username), givenUser));
      if (user) elsewhere = `user '${user.username}' belongs to account ${other.id}`;
    }
    // The account id is the path's, so no secret; bounded all the same.
    if (!account) return `basic auth: unknown account ${accountId.slice(0, 64)}${elsewhere ? ` (${elsewhere})` : ''}`;
    return elsewhere ? `basic auth: ${elsewhere}, not to this one` : 'basic auth: unknown username';
  }

  private configuredDigest(secret: string): Buffer {
    let known = this.digests.get(secret);
    if (!known) this.digests.set(secret, (known = digest(secret)));
    return known;
  }

  /** Check a Bearer token for an account. */
  checkBearer(accountId: string, token: string): AuthResult {
    if (this.config.permissive) return token.length > 0 ? 'ok' : refusal('unauthorized', 'bearer: empty token');
    const issued = this.tokens.get(token);
    if (!issued) return refusal('unauthorized', 'bearer: unknown token (not issued by this emulator, or from before a restart)');
    if (issued.expiresAt <= this.clock.now()) return refusal('unauthorized', `bearer: token expired at ${new Date(issued.expiresAt).toISOString()}`);
    if (this.expired(accountId)) return refusal('unauthorized', `bearer: account ${accountId} expired (its ttlSeconds ran out)`);
    return issued.accountIds.has(accountId) ? 'ok' : refusal('unauthorized', 'bearer: token not issued for this account');
  }

  /** The accounts an OAuth client belongs to, or why the credentials are refused. */
  clientAccounts(clientId: string, clientSecret: string): Set<string> | AuthRefusal {
    const accountIds = new Set<string>();
    let knownClient = false;
    for (const account of this.accounts.values()) {
      if (this.expired(account.id)) continue;
      for (const c of account.oauthClients) {
        if (!sameSecret(c.clientId, clientId)) continue;
        knownClient = true;
        if (sameSecret(c.clientSecret, clientSecret)) accountIds.add(account.id);
      }
    }
    if (accountIds.size > 0 || (this.config.permissive && clientId.length > 0)) return accountIds;
    // A configured client id is no secret (the banner shows it); an unknown one may be a mistyped secret: not named.
    if (this.config.permissive) return refusal('unauthorized', 'oauth: empty client id');
    return refusal('unauthorized', knownClient ? `oauth: wrong client secret for client '${clientId}'` : 'oauth: unknown client id');
  }

  /** Mint an access token valid for the given accounts. */
  issueToken(accountIds: Set<string>): { accessToken: string; expiresIn: number } {
    const expiresIn = this.config.oauth.tokenTtlSeconds;
    const accessToken = newToken(48);
    this.tokens.set(accessToken, { accountIds, expiresAt: this.clock.now() + expiresIn * 1000 });
    if (this.tokens.size > MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value as string);
    return { accessToken, expiresIn };
  }

  /** The application with this id in the account; permissive mode serves unknown ids as the default application. */
  application(account: AccountConfig, applicationId: string): ApplicationConfig | undefined {
    const known = account.applications.find((app) => app.id === applicationId);
    if (known || !this.config.permissive) return known;
    return { ...account.applications[0]!, id: applicationId };
  }

  /** The application an owned number (or sender id) routes to, if the account owns it. */
  numberApplication(account: AccountConfig, number: string): ApplicationConfig | undefined {
    const entry = account.numbers.find((n) => n.number === number);
    if (!entry) return this.config.permissive ? account.applications[0] : undefined;
    return account.applications.find((app) => app.id === entry.applicationId);
  }

  /** The account that owns a number, searching every configured account (inbound routing). */
  ownerOf(number: string, accountId?: string): AccountConfig | undefined {
    if (accountId !== undefined) {
      const account = this.get(accountId);
      return account && (this.config.permissive || account.numbers.some((n) => n.number === number)) ? account : undefined;
    }
    for (const account of this.accounts.values()) if (!this.expired(account.id) && account.numbers.some((n) => n.number === number)) return account;
    return undefined;
  }

  /** The account with this id as configured (or added at run time): never a permissive stand-in. */
  find(accountId: string): AccountConfig | undefined {
    return this.live(accountId);
  }

  /** An owned number with its registration; in permissive mode an unknown number is registered with every default. */
  number(account: AccountConfig, number: string): NumberConfig | undefined {
    const entry = account.numbers.find((n) => n.number === number);
    if (entry || !this.config.permissive) return entry;
    return resolveRegistration(
      number,
      {},
      account.applications.map((app) => app.id),
      account.id,
    ).entry;
  }

  /** Add a number to an account, or replace its registration (run-time provisioning; takes effect on the next message). */
  setNumber(account: AccountConfig, entry: NumberConfig): 'added' | 'changed' {
    const at = account.numbers.findIndex((n) => n.number === entry.number);
    if (at === -1) account.numbers.push(entry);
    else account.numbers[at] = entry;
    return at === -1 ? 'added' : 'changed';
  }

  /** Remove a number from an account; false when the account does not own it. */
  removeNumber(account: AccountConfig, number: string): boolean {
    const at = account.numbers.findIndex((n) => n.number === number);
    if (at !== -1) account.numbers.splice(at, 1);
    return at !== -1;
  }

  /** Bring the numbers of one configured account, or of all, back to the config (a reset undoes run-time provisioning). */
  restoreNumbers(accountId?: string): void {
    for (const [id, numbers] of this.configuredNumbers) {
      if (accountId !== undefined && id !== accountId) continue;
      const account = this.accounts.get(id);
      if (account) account.numbers.splice(0, account.numbers.length, ...numbers.map((n) => structuredClone(n)));
    }
  }

  // Run-time accounts: added and removed by ThrowawayAccounts (src/throwaway-accounts.ts), which owns their bounds.

  /** Add an account at run time (a throwaway account), valid until `expiresAt` (clock ms; Infinity for ever). */
  add(account: AccountConfig, expiresAt = Number.POSITIVE_INFINITY): void {
    if (this.accounts.has(account.id)) throw new Error(`account ${account.id} exists already`);
    this.accounts.set(account.id, account);
    this.added.set(account.id, expiresAt);
    this.basicAnswers.clear();
  }

  /** Remove an account added at run time, and every token issued for it; false for a configured or unknown one. */
  remove(accountId: string): boolean {
    if (!this.added.delete(accountId)) return false;
    this.accounts.delete(accountId);
    // Answers cached for its credentials must not outlive it, nor the digests of its secrets.
    this.basicAnswers.clear();
    this.digests.clear();
    for (const [token, issued] of this.tokens) {
      issued.accountIds.delete(accountId);
      if (issued.accountIds.size === 0) this.tokens.delete(token);
    }
    return true;
  }

  /** True for an account added at run time (expired or not) rather than configured. */
  isAdded(accountId: string): boolean {
    return this.added.has(accountId);
  }

  /** True for an account of the config (never removed at run time). */
  isConfigured(accountId: string): boolean {
    return this.accounts.has(accountId) && !this.added.has(accountId);
  }

  /** When a run-time account expires (clock ms; Infinity for never), undefined for any other. */
  expiresAt(accountId: string): number | undefined {
    return this.added.get(accountId);
  }

  /** The accounts added at run time that have expired by now, for removal. */
  expiredIds(): string[] {
    const now = this.clock.now();
    return [...this.added].filter(([, at]) => at <= now).map(([id]) => id);
  }

  /** The earliest expiry of the accounts added at run time (expired ones included), Infinity for none. */
  earliestExpiry(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const at of this.added.values()) if (at < earliest) earliest = at;
    return earliest;
  }

  /** How many accounts were added at run time (expired ones not yet removed included). */
  get addedCount(): number {
    return this.added.size;
  }

  /** Every account served, configured ones first, without the expired ones. */
  list(): AccountConfig[] {
    return [...this.accounts.values()].filter((a) => !this.expired(a.id));
  }

  /** Whether a username is taken by any account (run-time credentials must be unique). */
  hasUsername(username: string): boolean {
    for (const account of this.accounts.values()) if (account.users.some((u) => u.username === username)) return true;
    return false;
  }

  // A run-time account past its time to live is unknown from that moment, before anything removes it.
  private expired(accountId: string): boolean {
    const at = this.added.get(accountId);
    return at !== undefined && at <= this.clock.now();
  }

  private live(accountId: string): AccountConfig | undefined {
    return this.expired(accountId) ? undefined : this.accounts.get(accountId);
  }
}
