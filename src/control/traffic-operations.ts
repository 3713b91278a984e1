import { TrafficSchema, trafficProblems, type TrafficSpec } from '../config/traffic.js';
import type { Emulator } from '../emulator.js';
import type { TrafficView } from '../messaging/traffic-settings.js';
import { compileSchemaCheck, type Problem } from '../validation/schema-check.js';

const checkTraffic = compileSchemaCheck(TrafficSchema);

/** Traffic profiles and parts at run time: read and change them, globally or for one account. */
export interface TrafficOperations {
  /** The settings in force globally, or for one account (undefined for an account the emulator does not have). */
  get(accountId?: string): Promise<TrafficView | undefined>;
  /**
   * Change them at run time (a traffic section as in the config: `{profile: 'production'}`, `{optOut: true}`); the
   * fields given replace those set before. A reset forgets the change. Undefined for an unknown account.
   */
  set(spec: TrafficSpec, accountId?: string): Promise<TrafficView | undefined>;
}

/** The traffic operations over one emulator; `invalid` builds the error a bad input throws (ControlInputError: a 400). */
export function trafficOperations(emulator: Emulator, invalid: (message: string, problems: Problem[]) => Error): TrafficOperations {
  return {
    async get(accountId) {
      return emulator.trafficView(accountId);
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
