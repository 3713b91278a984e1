import { pino, type Logger } from 'pino';
import { AccountRegistry } from './accounts.js';
import { CallbackDispatcher, type DeliveryBooks, type ResendBooks } from './callbacks/dispatcher.js';
import { TimelinePlayer } from './callbacks/timeline.js';
import { createClock, type Clock } from './clock.js';
import type { EmulatorConfig } from './config/resolve.js';
import { listenUrl } from './listen-url.js';
import { actAsCarrier, type CarrierRequest, type CarrierResult } from './messaging/carrier.js';
import { uploadMedia } from './messaging/commit.js';
import { InboundMessaging } from './messaging/inbound.js';
import { ExternalMediaFetches } from './messaging/media-checks.js';
import { MultiChannelMessaging } from './messaging/multichannel.js';
import { OutboundMessaging } from './messaging/outbound.js';
import { TrafficControl, type TrafficView } from './messaging/traffic-settings.js';
import { AccountQueues } from './messaging/account-queues.js';
import { StateHookSet, type CoreParts, type StateHooks } from './messaging/parts.js';
import { TollFreeVolume } from './messaging/toll-free-caps.js';
import { SearchRateLimit, type SearchRateLimitStats, type SearchRefusal } from './messaging/search-rate-limit.js';
import { WindowCounters } from './messaging/window-counters.js';
import { OnNetDelivery } from './messaging/on-net.js';
import { senderRegistration } from './messaging/provisioning-checks.js';
import { provisionNumber, releaseNumber, type ProvisionResult } from './messaging/number-provisioning.js';
import type { NumberConfig } from './config/numbers.js';
import type { TrafficSpec } from './config/traffic.js';
import { pendingReport, PendingWorkError, whenSettled, type PendingReport } from './messaging/settle.js';
import type { CloseReport, DrainReport, DurableStorage, EmulatorOptions, InboundRequest, MessageRequest } from './messaging/types.js';
import type { MultiChannelRequest } from './multichannel.js';
import type { CompiledScenario } from './scenarios/compile.js';
import { ScenarioEngine, type ApiFault, type ScenarioSummary } from './scenarios/engine.js';
import { ScenarioLifecycle } from './scenarios/lifecycle.js';
import { Journal } from './store/journal.js';
import { MediaStore } from './store/media.js';
import type { Problem } from './validation/schema-check.js';
import { MessageStore, type StoredMessage } from './store/messages.js';
import { OptOutStore, type OptOutEntry } from './store/opt-outs.js';
import { addOptOut, type AddOptOutResult } from './messaging/opt-out.js';
import { ThrowawayAccounts, type ThrowawayAccount, type ThrowawayAccountRequest } from './throwaway-accounts.js';

/**
 * One emulator: the core that wires the stores, scenarios, timeline, dispatcher and clock, and offers the use cases
 * (src/messaging/*) as methods. No module-level state; several may run side by side. Persistence and the HTTP
 * adapters sit above it (src/compose.ts, src/server.ts).
 */
export class Emulator {
  readonly log: Logger;
  /** The account registry: credentials, tokens, numbers and applications (the API's auth uses it). */
  readonly accounts: AccountRegistry;
  /** The wired parts, for persistence and metrics above the core and for white-box tests; adapters use the methods. */
  readonly parts: CoreParts;
  private readonly lifecycle: ScenarioLifecycle;
  private readonly fetches: ExternalMediaFetches;
  private readonly inboundMessaging: InboundMessaging;
  private readonly outbound: OutboundMessaging;
  private readonly multichannel: MultiChannelMessaging;
  private readonly throwaway: ThrowawayAccounts;
  private durable: DurableStorage | undefined;
  private closing: Promise<CloseReport> | undefined;
  private readonly closeHooks = new Set<() => void>();

  constructor(
    readonly config: EmulatorConfig,
    options: EmulatorOptions = {},
  ) {
    const scenarios = new ScenarioEngine();
    const log = options.logger ?? pino({ level: config.logLevel, base: undefined });
    // Scenario files are read first: a broken one stops start-up before any timer or socket exists.
    this.lifecycle = new ScenarioLifecycle(scenarios, log, config.scenarios, (inbound) =>
      timeline.after('*', inbound.afterMs, () =>
        this.inboundMessaging.tryReceive({
          from: inbound.from,
          to: inbound.to,
          text: inbound.text,
          media: inbound.media,
          suggestionResponse: inbound.suggestionResponse,
          locationResponse: inbound.locationResponse,
        }),
      ),
    );
    const clock = options.clock ?? createClock({ scale: config.timeScale });
    const store = new MessageStore(config.limits.maxMessages);
    const journal = new Journal(config.limits.maxJournalEntries);
    const dispatcher = new CallbackDispatcher({ timeoutMs: config.callbacks.timeoutMs, retryDelaysMs: config.callbacks.retryDelaysMs }, clock, journal, log);
    const timeline = new TimelinePlayer(clock, store, dispatcher);
    const fallbackUrl = listenUrl(config.host, null, config.port);
    this.log = log;
    this.accounts = new AccountRegistry(config, clock);
    const traffic = new TrafficControl(
      config.traffic,
      (accountId) => config.accounts.find((account) => account.id === accountId)?.traffic,
      (accountId) => scenarios.trafficSections(accountId),
    );
    this.parts = {
      config,
      clock,
      log,
      store,
      journal,
      dispatcher,
      timeline,
      scenarios,
      accounts: this.accounts,
      media: new MediaStore(config.media, clock),
      hooks: new StateHookSet(),
      tollFreeVolume: new TollFreeVolume(),
      contentVolume: new WindowCounters(clock),
      onNetVolume: new WindowCounters(clock),
      traffic,
      queue: new AccountQueues(clock, store, traffic, config.limits.maxMessages),
      searchRateLimit: new SearchRateLimit(clock),
      optOuts: new OptOutStore(),
      baseUrl: () => config.publicUrl ?? options.listenUrl?.() ?? fallbackUrl,
    };
    this.fetches = new ExternalMediaFetches(this.parts);
    this.inboundMessaging = new InboundMessaging(this.parts);
    this.outbound = new OutboundMessaging(this.parts, this.fetches, this.inboundMessaging);
    this.multichannel = new MultiChannelMessaging(this.parts, this.fetches, this.outbound);
    // Before anything plays, so a plan restored from a data dir delivers on-net too.
    new OnNetDelivery(this.parts, this.inboundMessaging).attach();
    this.throwaway = new ThrowawayAccounts(this.accounts, clock, (accountId) => this.reset(accountId), this.parts.baseUrl);
    // A scenario's traffic section applies while it is loaded: settings derived from it are worked out again.
    scenarios.onAnyChange(() => this.parts.traffic.scenariosChanged());
    this.lifecycle.start(config.hotReload);
  }

  /** Watch commits, resets and scheduled replies (persistence); returns the function that stops watching. */
  onState(hooks: StateHooks): () => void {
    return this.parts.hooks.add(hooks);
  }

  /** Attach durable storage (once, by the composition in src/compose.ts). */
  attachStorage(storage: DurableStorage): void {
    if (this.durable) throw new Error('durable storage is already attached');
    this.durable = storage;
  }

  /** The durable storage attached, if any (`--data-dir`). */
  get storage(): DurableStorage | undefined {
    return this.durable;
  }

  /** Accept a validated outbound message: store it (QUEUED), plan its callbacks, and return it for the 202. */
  acceptOutbound(accountId: string, request: MessageRequest): StoredMessage {
    return this.outbound.accept(accountId, request);
  }

  /** Put back in their account queues messages that were waiting there when the emulator stopped (restore, import). */
  requeueOutbound(messages: readonly StoredMessage[]): void {
    this.outbound.requeue(messages);
  }

  /** Accept a validated multichannel message (beta); see MultiChannelMessaging.accept for the fallback rules. */
  acceptMultiChannel(accountId: string, request: MultiChannelRequest): StoredMessage {
    return this.multichannel.accept(accountId, request);
  }

  /** A handset sends a message: one stored copy and inbound event per owned recipient (NoOwnedRecipientError if none). */
  inbound(request: InboundRequest, replyTo?: StoredMessage): StoredMessage[] {
    return this.inboundMessaging.receive(request, replyTo);
  }

  /** Schedule a scenario's reply to `message` in `afterMs` emulated ms (also used to resume one after a restart). */
  scheduleReply(...args: Parameters<InboundMessaging['scheduleReply']>): void {
    this.inboundMessaging.scheduleReply(...args);
  }

  /** Act as the carrier on an outbound message in flight (CarrierRefusal when it cannot). */
  carrier(messageId: string, request: CarrierRequest): CarrierResult {
    return actAsCarrier(this.parts, messageId, request);
  }

  /** The API fault a scenario rule scripts for a request of this account, if one applies now. */
  apiFaultFor(accountId: string, subject: Parameters<ScenarioEngine['apiFault']>[1]): ApiFault | undefined {
    const sender = (from: string) => {
      const account = this.accounts.get(accountId);
      return senderRegistration(account && this.accounts.number(account, from));
    };
    return this.parts.scenarios.apiFault(accountId, subject, sender);
  }

  /** The API fault a scenario rule scripts for a search or a media request of this account, if one applies now. */
  operationFaultFor(accountId: string, operation: 'search' | 'media'): ApiFault | undefined {
    return this.parts.scenarios.operationFault(accountId, operation);
  }

  /** Count a search of this account from a source IP: undefined when allowed, else the rate limit's refusal (Retry-After). */
  searchRateLimited(accountId: string, ip: string): SearchRefusal | undefined {
    return this.parts.searchRateLimit.take(ip, this.parts.traffic.for(accountId));
  }

  /** The traffic settings in force globally or for one account, and their layers; undefined for an unknown account. */
  trafficView(accountId?: string): TrafficView | undefined {
    if (accountId !== undefined && !this.accounts.find(accountId)) return undefined;
    return this.parts.traffic.view(accountId);
  }

  /** What waits in one account's queue (production profile), undefined for an unknown account. */
  queueStats(accountId: string): ReturnType<CoreParts['queue']['accountStats']> | undefined {
    if (!this.accounts.find(accountId)) return undefined;
    return this.parts.queue.accountStats(accountId);
  }

  /** Change traffic settings at run time, globally or for one account (checked by the caller: TrafficSchema). */
  setTraffic(spec: TrafficSpec, accountId?: string): void {
    this.parts.traffic.set(spec, accountId);
  }

  /** An account's numbers with their registrations (live objects: read only), or undefined for an unknown account. */
  numbers(accountId: string): readonly NumberConfig[] | undefined {
    return this.accounts.find(accountId)?.numbers;
  }

  /** Add a number to an account or change its registration; it applies from the next message on (see provisionNumber). */
  provisionNumber(accountId: string, number: string, registration: unknown): ProvisionResult {
    return provisionNumber(this.parts, accountId, number, registration);
  }

  /** Remove a number from an account; false when the account does not own it. */
  releaseNumber(accountId: string, number: string): boolean {
    return releaseNumber(this.parts, accountId, number);
  }

  /** An account's toll-free opt-outs (live objects: read only), or undefined for an unknown account. */
  optOuts(accountId: string): readonly OptOutEntry[] | undefined {
    return this.accounts.find(accountId) && this.parts.optOuts.list(accountId);
  }

  /** Add an opt-out as if the handset had texted STOP to the toll-free number (see addOptOut). */
  addOptOut(accountId: string, request: { number?: unknown; handset?: unknown }): AddOptOutResult {
    return addOptOut(this.parts, accountId, request);
  }

  /** Remove one opt-out; false when the account has none for that number and handset. */
  removeOptOut(accountId: string, number: string, handset: string): boolean {
    return this.parts.optOuts.remove(accountId, number, handset);
  }

  /** Forget an account's opt-outs; how many went, or undefined for an unknown account. */
  clearOptOuts(accountId: string): number | undefined {
    return this.accounts.find(accountId) ? this.parts.optOuts.clear(accountId) : undefined;
  }

  /** Check and add a scenario at run time, in front of the others, for one account or all (`'*'`): a document or its YAML/JSON text. */
  useScenario(value: unknown, scope = '*', options: { name?: string } = {}): CompiledScenario {
    return this.lifecycle.use(value, scope, options);
  }

  /** Put a run-time scenario compiled and checked beforehand in force (a restore), with the document it was made from. */
  restoreScenario(scenario: CompiledScenario, scope: string, document: unknown): void {
    this.lifecycle.install(scenario, scope, document);
  }

  /** Remove run-time scenarios: of one scope (or all), or only the one named. */
  clearScenarios(scope?: string, name?: string): void {
    this.parts.scenarios.clear(scope, name);
  }

  /** Fire a scenario's manual inbound messages (all, or the one named); returns how many were scheduled. */
  triggerInbound(scenarioName: string, inboundName?: string): number {
    return this.lifecycle.trigger(scenarioName, inboundName);
  }

  /** Problems of the last scenario file (re)load; the last good version of a broken file stays in force. */
  get scenarioProblems(): Problem[] {
    return this.lifecycle.problems;
  }

  /** Every scenario in force, with its rules, hit counts and explain() lines. */
  scenarioSummaries(): ScenarioSummary[] {
    return this.parts.scenarios.summaries();
  }

  /** The document a run-time scenario was added from (export, data dir). */
  scenarioDocument(scenario: CompiledScenario): unknown {
    return this.lifecycle.document(scenario);
  }

  // Narrow views for the adapters: what they may read or do, never the parts themselves.

  /** Stored messages: one by id, an account's (oldest first; live objects, read only), which accounts hold any, changes. */
  get messages(): Pick<MessageStore, 'find' | 'list' | 'accounts' | 'subscribe'> {
    return this.parts.store;
  }

  /** The callback journal: list, wait for an entry (JournalWaitTimeout), watch entries as they are recorded. */
  get callbackJournal(): Pick<Journal, 'list' | 'waitFor' | 'subscribe' | 'get' | 'page'> {
    return this.parts.journal;
  }

  /** Store an uploaded media object, durable before the answer (StorageWriteError, with nothing changed, when it cannot be). */
  uploadMedia(object: Parameters<MediaStore['put']>[0]): ReturnType<MediaStore['put']> {
    return uploadMedia(this.parts, object);
  }

  /** The media store's operations for the media API (upload, download, list, delete). */
  get mediaLibrary(): Pick<MediaStore, 'put' | 'get' | 'remove' | 'list' | 'limits'> {
    return this.parts.media;
  }

  /** The clock: now, sleep (API fault delays), its scale (settable), how many timers wait, flush. */
  get time(): Pick<Clock, 'scale' | 'now' | 'sleep' | 'pending' | 'flush'> {
    return this.parts.clock;
  }

  /** Sizes and books of the stores, the journal, the media and the callbacks (health). */
  stats(): {
    messages: ReturnType<MessageStore['stats']>;
    journal: ReturnType<Journal['stats']>;
    media: ReturnType<MediaStore['stats']>;
    callbacks: DeliveryBooks;
    resends: ResendBooks;
    pendingSteps: number;
    searchRateLimit: SearchRateLimitStats;
  } {
    const { store, journal, media, dispatcher, timeline, searchRateLimit } = this.parts;
    return {
      messages: store.stats(),
      journal: journal.stats(),
      media: media.stats(),
      callbacks: dispatcher.stats(),
      resends: dispatcher.resendStats(),
      pendingSteps: timeline.pendingSteps,
      searchRateLimit: searchRateLimit.stats(),
    };
  }

  /** What is pending right now: counts and the first few items. */
  pending(): PendingReport {
    return pendingReport(this.parts, this.fetches.running);
  }

  /** Resolve once nothing is pending; reject with PendingWorkError (what still is) after `timeoutMs` of real time. */
  async idle(options: { timeoutMs?: number } = {}): Promise<PendingReport> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const { settled, report } = await whenSettled(this.parts, () => this.pending(), timeoutMs);
    if (!settled) throw new PendingWorkError(report, `still pending after ${timeoutMs} ms`);
    return report;
  }

  /** Throw PendingWorkError unless nothing is pending right now. */
  assertNoPending(): void {
    const report = this.pending();
    if (report.total > 0) throw new PendingWorkError(report, 'expected nothing pending');
  }

  /** Wait, up to `graceMs` of real time, until nothing is pending (graceful shutdown); nothing is cancelled here. */
  async drain(graceMs: number): Promise<DrainReport> {
    const { settled, waitedMs, report } = await whenSettled(this.parts, () => this.pending(), graceMs);
    return { drained: settled, waitedMs, pendingSteps: report.steps, pendingCallbacks: report.callbacks };
  }

  /**
   * Reset: forget the messages, callback journal, media, pending steps and callbacks, and run-time scenarios of one
   * account, or of all, and bring back the configured numbers (run-time provisioning and the toll-free caps' counts);
   * the toll-free opt-out list goes too;
   * a full reset also rewinds the file scenarios' rule counters. Scenario files and config stay.
   * The one meaning of reset, for the library, the control API, the inbox and an import (which resets, then restores).
   */
  reset(accountId?: string): void {
    const { timeline, dispatcher, store, journal, media, scenarios, hooks, accounts, tollFreeVolume, contentVolume, onNetVolume, traffic, optOuts, queue } =
      this.parts;
    timeline.cancel(accountId);
    // Before the traffic settings are reset: switching throughput off would release what waits instead.
    queue.cancel(accountId);
    dispatcher.cancel(accountId);
    store.clear(accountId);
    journal.clear(accountId);
    media.clear(accountId);
    scenarios.clear(accountId);
    // Run-time provisioning is run-time state, as run-time scenarios are: the configured numbers come back.
    accounts.restoreNumbers(accountId);
    tollFreeVolume.clear(accountId);
    contentVolume.clear(accountId);
    onNetVolume.clear(accountId);
    // Traffic settings changed at run time go too, so one test's profile does not leak into the next.
    traffic.reset(accountId);
    optOuts.clear(accountId);
    // The search rate limit counts per source IP, not per account: only a full reset forgets its windows.
    if (accountId === undefined) {
      scenarios.resetCounters();
      this.parts.searchRateLimit.reset();
    }
    hooks.emit('reset', accountId);
  }

  /** Create a throwaway account: credentials, one application, numbers, an optional time to live (ThrowawayAccountError if refused). */
  createAccount(request?: ThrowawayAccountRequest): ThrowawayAccount {
    if (this.closed) throw new Error('the emulator is closed');
    return this.throwaway.create(request);
  }

  /**
   * Remove a throwaway account and everything it owns (its reset, then its credentials, tokens and numbers): true.
   * A configured account (or an unknown id) cannot be removed, since the config defines it: it is reset, and false.
   */
  removeAccount(accountId: string): boolean {
    if (this.throwaway.remove(accountId)) return true;
    this.reset(accountId);
    return false;
  }

  /** Remove the throwaway accounts whose time to live has run out by the clock's now; returns their ids. */
  sweepExpiredAccounts(): string[] {
    return this.throwaway.sweep();
  }

  /** True once close() has begun: nothing new is accepted after that. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Run `hook` when the emulator closes (open event streams end there); returns the function that unregisters it. */
  onClose(hook: () => void): () => void {
    this.closeHooks.add(hook);
    return () => this.closeHooks.delete(hook);
  }

  /** Cancel every timer and in-flight callback; report what was still pending. Safe to call twice. */
  close(): Promise<CloseReport> {
    this.closing ??= (async () => {
      const { timeline, clock, dispatcher, journal, log } = this.parts;
      this.lifecycle.close();
      this.throwaway.close();
      const mediaFetchesAborted = this.fetches.abortAll();
      for (const hook of this.closeHooks) hook();
      this.closeHooks.clear();
      // A queued message's steps were never planned: each recipient waiting counts as a step not fired.
      const stepsNotFired = timeline.cancel() + this.parts.queue.cancel();
      clock.cancelAll();
      const callbacks = await dispatcher.close();
      journal.close();
      if (stepsNotFired > 0 || callbacks.cancelled > 0 || mediaFetchesAborted > 0) {
        log.warn({ stepsNotFired, callbacksCancelled: callbacks.cancelled, mediaFetchesAborted }, 'closed with events still pending');
      }
      return { stepsNotFired, callbacks, mediaFetchesAborted };
    })();
    return this.closing;
  }
}
