import type { Logger } from 'pino';
import type { AccountRegistry } from '../accounts.js';
import type { CallbackDispatcher } from '../callbacks/dispatcher.js';
import type { TimelinePlayer } from '../callbacks/timeline.js';
import type { Clock } from '../clock.js';
import type { EmulatorConfig } from '../config/resolve.js';
import type { PlannedReply } from '../model/plan.js';
import type { ScenarioEngine } from '../scenarios/engine.js';
import type { Journal } from '../store/journal.js';
import type { MediaStore } from '../store/media.js';
import type { MessageStore } from '../store/messages.js';
import type { OptOutStore } from '../store/opt-outs.js';
import type { AccountQueues } from './account-queues.js';
import type { TollFreeVolume } from './toll-free-caps.js';
import type { SearchRateLimit } from './search-rate-limit.js';
import type { TrafficControl } from './traffic-settings.js';
import type { WindowCounters } from './window-counters.js';

/** Observers of whole-state changes (persistence), called synchronously. */
export interface StateHooks {
  /** What was just accepted or changed must be durable before the answer goes out (202, a carrier action). */
  committed?(): void;
  /** Everything, or one account, was forgotten. */
  reset?(accountId?: string): void;
  /** A scenario reply was scheduled (`key` is unique per reply) / has fired. */
  replyPlanned?(planned: { key: string; accountId: string; messageId: string; reply: PlannedReply; afterMs: number }): void;
  replyFired?(key: string): void;
}

/** The state hooks registered on one emulator, told in registration order. */
export class StateHookSet {
  private readonly hooks = new Set<StateHooks>();

  /** Register hooks; returns the function that unregisters them. */
  add(hooks: StateHooks): () => void {
    this.hooks.add(hooks);
    return () => this.hooks.delete(hooks);
  }

  /** Tell every registered hook of one kind. */
  emit<K extends keyof StateHooks>(kind: K, ...args: Parameters<NonNullable<StateHooks[K]>>): void {
    for (const hooks of this.hooks) (hooks[kind] as ((...a: typeof args) => void) | undefined)?.(...args);
  }
}

/** The wired parts of one emulator that its use cases work on. Only the core and the layers above it hold these. */
export interface CoreParts {
  readonly config: EmulatorConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly accounts: AccountRegistry;
  readonly store: MessageStore;
  readonly journal: Journal;
  readonly media: MediaStore;
  readonly dispatcher: CallbackDispatcher;
  readonly timeline: TimelinePlayer;
  readonly scenarios: ScenarioEngine;
  readonly hooks: StateHookSet;
  /** Messages per toll-free number in the current day, week and month (the 2023 caps policy). */
  readonly tollFreeVolume: TollFreeVolume;
  /** Messages with the same content per account in the current window (content filter, 4785). */
  readonly contentVolume: WindowCounters;
  /** On-net messages per pair of the emulator's numbers in the current window (the on-net loop bound, 4401). */
  readonly onNetVolume: WindowCounters;
  /** The traffic settings in force per account (profile and parts, README "Traffic"): every traffic part asks it. */
  readonly traffic: TrafficControl;
  /** Searches counted per source IP (the search rate limit, when an account's `searchRateLimit` is on). */
  readonly searchRateLimit: SearchRateLimit;
  /** The toll-free network's opt-out list per account (README "Toll-free opt-out"). */
  readonly optOuts: OptOutStore;
  /** The account queues of the production profile's throughput (README "Throughput and the queue"). */
  readonly queue: AccountQueues;
  /** Base URL for links the emulator hands out (inbound media): the public URL, or the listen address. */
  baseUrl(): string;
}
