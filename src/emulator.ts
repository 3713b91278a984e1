import { pino, type Logger } from 'pino';
import { AccountRegistry } from './accounts.js';
import { CallbackDispatcher, type DeliveryBooks } from './callbacks/dispatcher.js';
import { TimelinePlayer } from './callbacks/timeline.js';
import { createClock, type Clock } from './clock.js';
import type { EmulatorConfig } from './config/resolve.js';
import { newMessageId } from './ids.js';
import { EmulatorConfigError } from './errors.js';
import { compileScenario, type CompiledScenario } from './scenarios/compile.js';
import { ScenarioEngine, type Rejection } from './scenarios/engine.js';
import type { OutboundPlan, PlannedReply } from './scenarios/plan.js';
import { ScenarioFiles, type ScenarioLoadState } from './scenarios/files.js';
import type { Problem } from './validation/schema-check.js';
import { countSegments } from './segments.js';
import { Journal } from './store/journal.js';
import { MediaStore } from './store/media.js';
import { MessageStore, type Channel, type LocationResponse, type StoredMessage, type SuggestionResponse } from './store/messages.js';
import { fetchExternalMedia } from './media-fetch.js';
import { channelFields, type MultiChannelRequest } from './multichannel.js';
import type { ApplicationConfig } from './config/resolve.js';
import { openDataDir, type DataDir } from './persistence/data-dir.js';
import { restoreState, type RestoreCounts, type StateDocument } from './persistence/state.js';

/** A create-message request that passed validation. */
export interface MessageRequest {
  applicationId: string;
  to: string[];
  from: string;
  text?: string;
  media?: string[];
  tag?: string;
  priority?: 'default' | 'high';
  expiration?: string;
}

/** An attachment a handset sends: stored by the emulator and linked from message-received. */
export interface InboundAttachment {
  filename: string;
  contentType: string;
  /** The bytes, base64-encoded (JSON-friendly for the control API). */
  contentBase64: string;
}

/** A handset sending to one or more of our numbers. */
export interface InboundRequest {
  from: string;
  to: string[];
  text?: string;
  /** URLs passed through as they are, or attachments the emulator stores and serves. */
  media?: Array<string | InboundAttachment>;
  /** Limit routing to this account; otherwise each number's owning account receives it. */
  accountId?: string;
  /** The channel it arrives on (multichannel); an RBM response implies RBM. */
  channel?: Channel;
  /** An RBM suggestion-response instead of a text message. */
  suggestionResponse?: SuggestionResponse;
  /** An RBM requested-location-response instead of a text message. */
  locationResponse?: LocationResponse;
}

/** Thrown when an inbound message names none of the emulator's numbers. */
export class NoOwnedRecipientError extends Error {
  constructor(readonly to: readonly string[]) {
    super(`none of ${to.join(', ')} is a number of a configured account; send to one of the numbers in the config (accounts[].numbers)`);
    this.name = 'NoOwnedRecipientError';
  }
}

/** What close() found still pending: reported, never silently dropped. */
export interface CloseReport {
  stepsNotFired: number;
  callbacks: DeliveryBooks;
  /** External media fetches (--fetch-external-media) still running, aborted: their messages get no outcome. */
  mediaFetchesAborted: number;
}

/** Observers of whole-state changes (persistence), called synchronously. */
export interface StateHooks {
  /** A message was accepted or received: what it changed must be durable before the answer goes out. */
  accepted?(): void;
  /** Everything, or one account, was forgotten. */
  reset?(accountId?: string): void;
  /** A scenario reply was scheduled (`key` is unique per reply) / has fired. */
  replyPlanned?(planned: { key: string; accountId: string; messageId: string; reply: PlannedReply; afterMs: number }): void;
  replyFired?(key: string): void;
  /** The state was replaced by an import. */
  imported?(doc: StateDocument): void;
}

/** What drain() saw: whether everything pending finished within the grace period, and what was left. */
export interface DrainReport {
  drained: boolean;
  waitedMs: number;
  pendingSteps: number;
  pendingCallbacks: number;
}

/** Options for an emulator beyond its config: a clock and a logger can be injected. */
export interface EmulatorOptions {
  clock?: Clock;
  logger?: Logger;
}

/** One emulator: its store, journal, callbacks and clock. No module-level state; several may run side by side. */
export class Emulator {
  readonly clock: Clock;
  readonly log: Logger;
  readonly accounts: AccountRegistry;
  readonly store: MessageStore;
  readonly journal: Journal;
  readonly media: MediaStore;
  readonly dispatcher: CallbackDispatcher;
  readonly timeline: TimelinePlayer;
  readonly scenarios = new ScenarioEngine();
  /** Problems of the last scenario file (re)load; the last good version of a broken file stays in force. */
  scenarioProblems: Problem[] = [];
  private readonly scenarioFiles: ScenarioFiles | undefined;
  private readonly started = new WeakSet<CompiledScenario>();
  private closing: Promise<CloseReport> | undefined;
  private readonly closeHooks = new Set<() => void>();
  // Aborts external media fetches in flight when the emulator closes.
  private readonly fetches = new AbortController();
  private fetchesInFlight = 0;
  private readonly stateHooks = new Set<StateHooks>();
  // The documents run-time scenarios were made from, for export and the data dir.
  private readonly scenarioDocuments = new WeakMap<CompiledScenario, unknown>();
  /** The SQLite data dir keeping state across restarts (--data-dir); undefined keeps everything in memory. */
  readonly dataDir: DataDir | undefined;
  /** Base URL for links the emulator hands out (inbound media); set from the listen address unless publicUrl is configured. */
  baseUrl: string;

  constructor(
    readonly config: EmulatorConfig,
    options: EmulatorOptions = {},
  ) {
    // Scenario files are read first: a broken one stops start-up before any timer or socket exists.
    let initial: ScenarioLoadState | undefined;
    if (config.scenarios.length > 0) {
      this.scenarioFiles = new ScenarioFiles(config.scenarios);
      initial = this.scenarioFiles.load();
      if (initial.problems.length > 0) throw new EmulatorConfigError(initial.problems);
    }
    this.baseUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
    this.clock = options.clock ?? createClock({ scale: config.timeScale });
    this.log = options.logger ?? pino({ level: config.logLevel, base: undefined });
    this.accounts = new AccountRegistry(config, this.clock);
    this.store = new MessageStore(config.limits.maxMessages);
    this.journal = new Journal(config.limits.maxJournalEntries);
    this.media = new MediaStore(config.media, this.clock);
    this.dispatcher = new CallbackDispatcher(
      { timeoutMs: config.callbacks.timeoutMs, retryDelaysMs: config.callbacks.retryDelaysMs },
      this.clock,
      this.journal,
      this.log,
    );
    this.timeline = new TimelinePlayer(this.clock, this.store, this.dispatcher);
    if (initial) {
      this.applyFileScenarios(initial);
      if (config.hotReload) this.scenarioFiles!.watch((state) => this.applyFileScenarios(state));
    }
    // Loaded only with a data dir: without one no SQLite module is touched.
    if (config.dataDir !== undefined) {
      const dataDir = openDataDir(config.dataDir);
      this.dataDir = dataDir;
      let counts: RestoreCounts;
      try {
        counts = restoreState(this, dataDir.load());
      } catch (error) {
        dataDir.close();
        this.clock.cancelAll();
        throw new EmulatorConfigError([{ source: dataDir.file, field: 'dataDir', problem: `could not be restored (${(error as Error).message})`, fix: 'move the file away to start empty, or start without --data-dir' }]);
      }
      dataDir.attach(this);
      this.log.info({ dataDir: dataDir.file, ...counts }, 'state restored from the data dir');
    }
  }

  /** Watch accepts, resets and imports (persistence); returns the function that stops watching. */
  onState(hooks: StateHooks): () => void {
    this.stateHooks.add(hooks);
    return () => this.stateHooks.delete(hooks);
  }

  /** The document a run-time scenario was added from (export, data dir). */
  scenarioDocument(scenario: CompiledScenario): unknown {
    return this.scenarioDocuments.get(scenario);
  }

  /** Replace all state with a checked state document (import): a full reset, then its contents. */
  loadState(doc: StateDocument): RestoreCounts {
    this.reset();
    this.scenarios.clear();
    this.scenarios.resetCounters();
    const counts = restoreState(this, doc);
    for (const hook of this.stateHooks) hook.imported?.(doc);
    return counts;
  }

  /**
   * Wait, up to `graceMs` of real time, until no timeline step or callback is pending (graceful shutdown). Resolves
   * with what was left; nothing is cancelled here, close() does that.
   */
  drain(graceMs: number): Promise<DrainReport> {
    const started = performance.now();
    const left = () => ({ pendingSteps: this.timeline.pendingSteps, pendingCallbacks: this.dispatcher.stats().pending });
    return new Promise((resolve) => {
      const check = (final: boolean) => {
        const now = left();
        const drained = now.pendingSteps === 0 && now.pendingCallbacks === 0;
        if (!drained && !final) return;
        clearInterval(poll);
        clearTimeout(deadline);
        off();
        resolve({ drained, waitedMs: Math.round(performance.now() - started), ...now });
      };
      // Every delivery ends in a journal entry; the interval catches steps that end without one (no-target & co).
      const off = this.journal.subscribe(() => queueMicrotask(() => check(false)));
      const poll = setInterval(() => check(false), 50);
      const deadline = setTimeout(() => check(true), graceMs);
      check(false);
    });
  }

  private applyFileScenarios(state: ScenarioLoadState): void {
    this.scenarioProblems = state.problems;
    for (const problem of state.problems) {
      this.log.error({ file: problem.source, line: problem.line, field: problem.field }, `scenario file problem: ${problem.problem}. Fix: ${problem.fix}; the last good version stays in force`);
    }
    this.scenarios.setFileScenarios(state.scenarios);
    for (const scenario of state.scenarios) this.startScenario(scenario);
    this.log.info({ scenarios: state.scenarios.map((s) => s.name) }, 'scenario files loaded');
  }

  // Each newly loaded scenario's 'start' inbound messages are scheduled once, when it comes into force.
  private startScenario(scenario: CompiledScenario): void {
    if (this.started.has(scenario)) return;
    this.started.add(scenario);
    for (const inbound of scenario.inbound) {
      if (inbound.trigger !== 'start') continue;
      this.timeline.after('*', inbound.afterMs, () => this.tryInbound({ from: inbound.from, to: inbound.to, text: inbound.text, media: inbound.media, suggestionResponse: inbound.suggestionResponse, locationResponse: inbound.locationResponse }));
    }
  }

  /** Check and add a scenario at run time, in front of the others, for one account or all (`'*'`). */
  useScenario(value: unknown, scope = '*', fallbackName = 'runtime'): CompiledScenario {
    const { scenario, problems } = compileScenario(value, `scenario for ${scope === '*' ? 'all accounts' : `account ${scope}`}`, fallbackName);
    if (!scenario) throw new EmulatorConfigError(problems);
    this.scenarioDocuments.set(scenario, structuredClone(value));
    this.scenarios.use(scenario, scope);
    this.startScenario(scenario);
    return scenario;
  }

  /** Fire a scenario's manual inbound messages (all, or the one named); returns how many were scheduled. */
  triggerInbound(scenarioName: string, inboundName?: string): number {
    let count = 0;
    for (const scenario of this.scenarios.filesAndRuntime()) {
      if (scenario.name !== scenarioName) continue;
      for (const inbound of scenario.inbound) {
        if (inbound.trigger !== 'manual' || (inboundName !== undefined && inbound.name !== inboundName)) continue;
        count++;
        this.timeline.after('*', inbound.afterMs, () => this.tryInbound({ from: inbound.from, to: inbound.to, text: inbound.text, media: inbound.media, suggestionResponse: inbound.suggestionResponse, locationResponse: inbound.locationResponse }));
      }
    }
    return count;
  }

  /** Accept a validated outbound message: store it (QUEUED), plan its callbacks, and return it for the 202. */
  acceptOutbound(accountId: string, request: MessageRequest): StoredMessage {
    const now = this.clock.now();
    const account = this.accounts.get(accountId);
    const app = account && this.accounts.application(account, request.applicationId);
    const sender = account && this.accounts.numberApplication(account, request.from);
    const message: StoredMessage = {
      id: newMessageId(now),
      accountId,
      direction: 'out',
      applicationId: request.applicationId,
      owner: request.from,
      from: request.from,
      to: request.to,
      text: request.text ?? '',
      media: request.media,
      tag: request.tag,
      priority: request.priority ?? 'default',
      expiration: request.expiration,
      time: now,
      segmentCount: countSegments(request),
      recipients: request.to.map((to) => ({ to, status: 'QUEUED', errorCode: 0, updatedAt: now })),
      timeline: [{ at: now, what: 'accepted' }],
    };
    this.store.add(message);
    // Bandwidth accepts these with a 202 and fails them asynchronously (reference §3.2); no scenario overrides it.
    const rejection: Rejection | undefined = !app
      ? { errorCode: 4452, why: `applicationId ${request.applicationId} is not an application of account ${accountId}: message-failed 4452` }
      : !sender
        ? { errorCode: 4403, why: `from ${request.from} is not a number of account ${accountId}: message-failed 4403` }
        : this.missingMedia(accountId, request.media);
    const external = rejection ? [] : this.externalMedia(accountId, request.media);
    if (external.length === 0) this.planAndPlay(message, app, rejection);
    else void this.afterMediaFetch(message, [external], ([failure]) => this.planAndPlay(message, app, failure));
    for (const hook of this.stateHooks) hook.accepted?.();
    return message;
  }

  // Plan the message's timeline (per recipient) and its scripted replies, and start playing them.
  private planAndPlay(message: StoredMessage, app: ApplicationConfig | undefined, rejection: Rejection | undefined): void {
    this.play(message, this.scenarios.planOutbound(message, this.config.callbacks, rejection), app);
  }

  // Play a plan, `offsetMs` later than planned (after multichannel fallbacks), its explanations prefixed by `preface`.
  private play(message: StoredMessage, plan: OutboundPlan, app: ApplicationConfig | undefined, offsetMs = 0, preface = ''): void {
    if (offsetMs > 0 || preface) {
      for (const [to, steps] of plan.steps) plan.steps.set(to, steps.map((step) => ({ ...step, afterMs: step.afterMs + offsetMs })));
      for (const [to, why] of plan.explanations) plan.explanations.set(to, `${preface}${why}`);
    }
    // A line per message at info would cost more than the message itself under load; the plan is in the timeline.
    if (this.log.isLevelEnabled('debug')) this.log.debug({ messageId: message.id, accountId: message.accountId, to: message.to, plan: Object.fromEntries(plan.explanations) }, 'message accepted');
    this.timeline.playOutbound(message, plan, app);
    for (const [index, reply] of plan.replies.entries()) this.scheduleReply(message, `${message.id}/${index}`, reply, offsetMs + reply.afterMs);
  }

  /**
   * Accept a validated multichannel message (beta): one stored message whose channel fields follow the channel in
   * use. Channels are tried in order: when the plan for a channel ends in message-failed and another channel follows,
   * the message falls back to it at the moment of that failure (a `fallback` timeline note, no callback for the
   * failed channel); the last channel's outcome stands. Callbacks carry `message.channel` of the channel used.
   */
  acceptMultiChannel(accountId: string, request: MultiChannelRequest): StoredMessage {
    const now = this.clock.now();
    const message: StoredMessage = {
      id: newMessageId(now),
      accountId,
      direction: 'out',
      ...channelFields(request.channelList[0]!, request.to),
      to: [request.to],
      tag: request.tag,
      priority: request.priority ?? 'default',
      expiration: request.expiration,
      time: now,
      channelList: request.channelList,
      recipients: [{ to: request.to, status: 'QUEUED', errorCode: 0, updatedAt: now }],
      timeline: [{ at: now, what: 'accepted' }],
    };
    this.store.add(message);
    const external = request.channelList.map((item) => (item.channel === 'MMS' ? this.externalMedia(accountId, channelFields(item, request.to).media) : []));
    if (external.every((urls) => urls.length === 0)) this.playChannels(message, request, []);
    else void this.afterMediaFetch(message, external, (failures) => this.playChannels(message, request, failures));
    for (const hook of this.stateHooks) hook.accepted?.();
    return message;
  }

  // Walk the channel list: plan each channel until one does not fail (or the last), then play that one.
  private playChannels(message: StoredMessage, request: MultiChannelRequest, mediaFailures: ReadonlyArray<Rejection | undefined>): void {
    const account = this.accounts.get(message.accountId);
    let offsetMs = 0;
    let preface = '';
    for (const [index, item] of request.channelList.entries()) {
      const fields = channelFields(item, request.to);
      const app = account && this.accounts.application(account, item.applicationId);
      const rejection: Rejection | undefined = !app
        ? { errorCode: 4452, why: `applicationId ${item.applicationId} is not an application of account ${message.accountId}: message-failed 4452` }
        : item.channel !== 'RBM' && !(account && this.accounts.numberApplication(account, item.from))
          ? { errorCode: 4403, why: `from ${item.from} is not a number of account ${message.accountId}: message-failed 4403` }
          : (this.missingMedia(message.accountId, fields.media) ?? mediaFailures[index]);
      const next = request.channelList[index + 1];
      // Each channel is planned once; a channel that fails and is skipped still counts its rule's hit (it was tried).
      const plan = this.scenarios.planOutbound({ ...message, ...fields }, this.config.callbacks, rejection);
      const last = plan.steps.get(request.to)?.at(-1);
      if (next && last?.type === 'message-failed') {
        const at = offsetMs + last.afterMs;
        const detail = { from: item.channel, to: next.channel, errorCode: last.errorCode, why: plan.explanations.get(request.to) };
        this.timeline.after(message.accountId, at, () => this.store.note(message, { at: this.clock.now(), what: 'fallback', recipient: request.to, detail }));
        preface += `${item.channel} failed with ${last.errorCode} (${detail.why}), fell back to ${next.channel}; `;
        offsetMs = at;
        continue;
      }
      Object.assign(message, fields);
      this.play(message, plan, app, offsetMs, preface);
      return;
    }
  }

  // External media (not this emulator's, nor Bandwidth's media API) to fetch, when fetching is switched on.
  private externalMedia(accountId: string, media: readonly string[] | undefined): string[] {
    if (!this.config.media.fetchExternal) return [];
    return (media ?? []).filter((url) => ownMediaId(url, accountId, this.config.publicUrl) === undefined && !isOwnHost(url, this.baseUrl));
  }

  // Fetch each list of URLs (one per channel), then continue with what failed. Nothing is played when the emulator
  // closed or the account was reset meanwhile; a fetch in flight is aborted by close().
  private async afterMediaFetch(message: StoredMessage, lists: ReadonlyArray<readonly string[]>, then: (failures: Array<Rejection | undefined>) => void): Promise<void> {
    this.store.note(message, { at: this.clock.now(), what: 'fetching-media', detail: { urls: lists.flat() } });
    const options = { maxBytes: this.config.media.maxObjectBytes, timeoutMs: this.config.media.fetchTimeoutMs, signal: this.fetches.signal };
    let failures: Array<Rejection | undefined>;
    this.fetchesInFlight++;
    try {
      failures = await Promise.all(lists.map(async (urls) => {
        const failure = urls.length > 0 ? await fetchExternalMedia(urls, options) : undefined;
        return failure && { ...failure, afterSending: true };
      }));
    } catch (error) {
      if (this.fetches.signal.aborted) return;
      // Not a media problem but ours: the message still gets an outcome (4410) rather than none at all.
      this.log.error({ err: error, messageId: message.id }, 'external media fetch failed unexpectedly');
      failures = lists.map((urls) => (urls.length > 0 ? { errorCode: 4410, afterSending: true, why: `media could not be fetched (${(error as Error).message}): message-failed 4410` } : undefined));
    } finally {
      this.fetchesInFlight--;
    }
    if (this.closed || this.store.get(message.accountId, message.id) !== message) {
      this.log.info({ messageId: message.id }, 'media fetched after the message was reset or evicted: nothing more happens to it');
      return;
    }
    this.store.note(message, { at: this.clock.now(), what: 'fetched-media', detail: { failures: failures.filter(Boolean) } });
    then(failures);
  }

  // Each owned recipient's copy gets its own stored attachments under {messageId}/{index}/{filename}, as Bandwidth does.
  private storeAttachments(accountId: string, messageId: string, media: ReadonlyArray<string | InboundAttachment>): string[] {
    return media.map((item, index) => {
      if (typeof item === 'string') return item;
      const filename = item.filename.replace(/[/\\]/g, '_') || 'attachment';
      const mediaId = `${messageId}/${index}/${filename}`;
      this.media.put({ accountId, mediaId, bytes: Buffer.from(item.contentBase64, 'base64'), contentType: item.contentType });
      return `${this.baseUrl}/api/v2/users/${encodeURIComponent(accountId)}/media/${messageId}/${index}/${encodeURIComponent(filename)}`;
    });
  }

  // Media URLs that point at this emulator's media API must exist; Bandwidth fails such an MMS with 4410 after
  // message-sending. External URLs are not fetched: the emulator works offline.
  private missingMedia(accountId: string, media: readonly string[] | undefined): Rejection | undefined {
    for (const url of media ?? []) {
      const mediaId = ownMediaId(url, accountId, this.config.publicUrl);
      if (mediaId !== undefined && !this.media.get(accountId, mediaId)) {
        return { errorCode: 4410, afterSending: true, why: `media ${url} does not exist in account ${accountId}'s media: message-failed 4410` };
      }
    }
    return undefined;
  }

  /** Schedule a scenario's reply to `message` in `afterMs` emulated ms (also used to resume one after a restart). */
  scheduleReply(message: StoredMessage, key: string, reply: PlannedReply, afterMs: number): void {
    for (const hook of this.stateHooks) hook.replyPlanned?.({ key, accountId: message.accountId, messageId: message.id, reply, afterMs });
    this.timeline.after(message.accountId, afterMs, () => {
      for (const hook of this.stateHooks) hook.replyFired?.(key);
      this.tryInbound({ ...reply, accountId: message.accountId }, message);
    });
  }

  // A scripted reply or scheduled inbound that names none of our numbers is explained, not thrown into a timer.
  private tryInbound(request: InboundRequest, cause?: StoredMessage): void {
    try {
      // A reply to a multichannel message comes back on the channel it was delivered on.
      this.inbound(cause?.channel && !request.channel ? { ...request, channel: cause.channel } : request, cause);
    } catch (error) {
      if (!(error instanceof NoOwnedRecipientError)) throw error;
      if (cause) this.store.note(cause, { at: this.clock.now(), what: 'reply-not-routed', detail: { reason: error.message } });
      this.log.warn({ messageId: cause?.id, to: request.to }, error.message);
    }
  }

  /**
   * A handset sends a message: each owned recipient gets its own copy, id and `message-received` event (or, for an
   * RBM response, `suggestion-response` / `requested-location-response`). An RBM response to a sender id that is not
   * one of our numbers is routed to the account and application of the message it answers (`replyTo`, or the
   * suggestion's `pairedMessageId`).
   */
  inbound(request: InboundRequest, replyTo?: StoredMessage): StoredMessage[] {
    const now = this.clock.now();
    const copies: StoredMessage[] = [];
    const rbmResponse = request.suggestionResponse !== undefined || request.locationResponse !== undefined;
    const channel = rbmResponse ? 'RBM' : request.channel;
    const pairedId = request.suggestionResponse?.pairedMessageId;
    const answered = replyTo ?? (pairedId ? this.store.find(pairedId) : undefined);
    for (const number of new Set(request.to)) {
      let account = this.accounts.ownerOf(number, request.accountId);
      let app: ApplicationConfig | undefined;
      if (account) app = this.accounts.numberApplication(account, number);
      else if (channel === 'RBM' && answered?.direction === 'out' && answered.from === number && (request.accountId === undefined || request.accountId === answered.accountId)) {
        account = this.accounts.get(answered.accountId);
        app = account && this.accounts.application(account, answered.applicationId);
      }
      if (!account) continue;
      const id = newMessageId(now);
      const message: StoredMessage = {
        id,
        accountId: account.id,
        direction: 'in',
        applicationId: app?.id ?? '',
        owner: number,
        from: request.from,
        to: request.to,
        text: request.text ?? '',
        media: request.media && this.storeAttachments(account.id, id, request.media),
        priority: 'default',
        time: now,
        segmentCount: countSegments({ ...request, media: request.media?.map(String) }),
        recipients: [{ to: number, status: 'RECEIVED', errorCode: 0, updatedAt: now }],
        timeline: [{ at: now, what: 'received' }],
      };
      if (channel) message.channel = channel;
      if (request.suggestionResponse) message.suggestionResponse = { ...request.suggestionResponse, pairedMessageId: request.suggestionResponse.pairedMessageId ?? null };
      if (request.locationResponse) message.locationResponse = request.locationResponse;
      this.store.add(message);
      this.timeline.playInbound(message, app);
      copies.push(message);
    }
    if (copies.length === 0) throw new NoOwnedRecipientError(request.to);
    for (const hook of this.stateHooks) hook.accepted?.();
    return copies;
  }

  /** Forget messages, journal entries and pending steps: all of them, or one account's. */
  reset(accountId?: string): void {
    this.timeline.cancel(accountId);
    this.dispatcher.cancel(accountId);
    this.store.clear(accountId);
    this.journal.clear(accountId);
    this.media.clear(accountId);
    for (const hook of this.stateHooks) hook.reset?.(accountId);
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
      this.scenarioFiles?.close();
      const mediaFetchesAborted = this.fetchesInFlight;
      this.fetches.abort();
      for (const hook of this.closeHooks) hook();
      this.closeHooks.clear();
      const stepsNotFired = this.timeline.cancel();
      this.clock.cancelAll();
      const callbacks = await this.dispatcher.close();
      this.journal.close();
      if (stepsNotFired > 0 || callbacks.cancelled > 0 || mediaFetchesAborted > 0) {
        this.log.warn({ stepsNotFired, callbacksCancelled: callbacks.cancelled, mediaFetchesAborted }, 'closed with events still pending');
      }
      return { stepsNotFired, callbacks, mediaFetchesAborted };
    })();
    return this.closing;
  }
}

const LOCAL_HOSTS = new Set(['messaging.bandwidth.com', 'localhost', '127.0.0.1', '[::1]']);

// Whether a URL is on Bandwidth's media host or this emulator's own (public or listen) host: never fetched as external media.
function isOwnHost(url: string, publicUrl?: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.hostname === 'messaging.bandwidth.com' || (publicUrl !== undefined && parsed.host === new URL(publicUrl).host);
  } catch {
    return false;
  }
}

/** The media id a URL names in this account's media store, when the URL points at Bandwidth's or this emulator's media API. */
function ownMediaId(url: string, accountId: string, publicUrl?: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const ours = LOCAL_HOSTS.has(parsed.hostname) || (publicUrl !== undefined && parsed.host === new URL(publicUrl).host);
  if (!ours) return undefined;
  const match = /^(?:\/api\/v2)?\/users\/([^/]+)\/media\/(.+)$/.exec(parsed.pathname);
  // Broken percent-encoding (`%ZZ`) is kept as written rather than thrown: a create must never answer 500 for it.
  const decode = (part: string) => { try { return decodeURIComponent(part); } catch { return part; } };
  if (!match || decode(match[1]!) !== accountId) return undefined;
  return match[2]!.split('/').map(decode).join('/');
}

/** Make an emulator from a resolved config. */
export function createEmulator(config: EmulatorConfig, options: EmulatorOptions = {}): Emulator {
  return new Emulator(config, options);
}
