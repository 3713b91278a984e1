import { TrafficSchema, trafficProblems, type TrafficSpec } from '../config/traffic.js';
import type { Emulator } from '../emulator.js';
import { queueCapacity } from '../messaging/throughput.js';
import type { TrafficView } from '../messaging/traffic-settings.js';
import { compileSchemaCheck, type Problem } from '../validation/schema-check.js';

const checkTraffic = compileSchemaCheck(TrafficSchema);

/** What waits in one account's queue (production profile, README "Throughput and the queue"), read-only. */
export interface QueueView {
  accountId: string;
  /** Messages waiting, their segments and recipients. */
  messages: number;
  segments: number;
  recipients: number;
  /** Segments the queue holds at most (account rate × queue depth), under the settings in force. */
  capacitySegments: number;
  /** When the longest-waiting message joined it (emulated time, ISO), absent when nothing waits. */
  oldestQueuedAt?: string;
}

/** Traffic profiles and parts at run time: read and change them, globally or for one account. */
export interface TrafficOperations {
  /** The settings in force globally, or for one account (undefined for an account the emulator does not have). */
  get(accountId?: string): Promise<TrafficView | undefined>;
  /**
   * Change them at run time (a traffic section as in the config: `{profile: 'production'}`, `{optOut: true}`); the
   * fields given replace those set before. A reset forgets the change. Undefined for an unknown account.
   */
  set(spec: TrafficSpec, accountId?: string): Promise<TrafficView | undefined>;
  /** What waits in one account's queue now; undefined for an account the emulator does not have. */
  queue(accountId: string): Promise<QueueView | undefined>;
}

/** The traffic operations over one emulator; `invalid` builds the error a bad input throws (ControlInputError: a 400). */
export function trafficOperations(emulator: Emulator, invalid: (message: string, problems: Problem[]) => Error): TrafficOperations {
  return {
    async get(accountId) {
      return emulator.trafficView(accountId);
    },
    async queue(accountId) {
      const stats = emulator.queueStats(accountId);
      const view = emulator.trafficView(accountId);
      if (!stats || !view) return undefined;
      const { oldestSince, ...counts } = stats;
      return {
        accountId,
        ...counts,
        capacitySegments: queueCapacity(view.settings),
        ...(oldestSince === undefined ? {} : { oldestQueuedAt: new Date(oldestSince).toISOString() }),
      };
    },
    async set(spec, accountId) {
      // The library's callers skip the route's schema check: the same check here, then the bounds it cannot state.
      const found = checkTraffic(spec, 'traffic');
      const problems = found.length > 0 ? found : trafficProblems(spec).map((p) => ({ source: 'traffic', ...p }));
      if (problems.length > 0) throw invalid('the traffic settings are not valid', problems);
      if (accountId !== undefined && !emulator.trafficView(accountId)) return undefined;
      emulator.setTraffic(spec, accountId);
      return emulator.trafficView(accountId);
    },
  };
}
