import type { AccountConfig } from '../config/resolve.js';
import { applyTraffic, type TrafficSettings, type TrafficSpec } from '../config/traffic.js';

/** The traffic settings in force and where they come from (README "Traffic"): what GET /__emulator/traffic shows. */
export interface TrafficView {
  /** The account they apply to; absent for the global settings (every account without its own). */
  accountId?: string;
  settings: TrafficSettings;
  /** The account's section in the config, if it has one. */
  configured?: TrafficSpec;
  /** The traffic sections of the scenarios in force in this scope (global: files and global run-time ones), lowest first. */
  scenarios?: ScenarioTraffic[];
  /** What the control API changed at run time for this account (or globally), until a reset. */
  runtime?: TrafficSpec;
}

/** A loaded scenario's traffic section. */
export interface ScenarioTraffic {
  scenario: string;
  traffic: TrafficSpec;
}

/**
 * The traffic settings in force per account, lowest first: globally the config's section, the loaded scenarios'
 * (files, then global run-time ones) and the control API's run-time change; then for the account its config section,
 * its run-time scenarios' and its run-time change. A reset forgets run-time changes, as it forgets run-time
 * scenarios, so one test's profile never leaks into the next. Every part asks `for(accountId)` when it acts.
 */
export class TrafficControl {
  private runtimeGlobal: TrafficSpec | undefined;
  // One entry per account that has a run-time change; bounded by the accounts the registry knows (checked by callers).
  private readonly runtimeAccounts = new Map<string, TrafficSpec>();
  private readonly cache = new Map<string, TrafficSettings>();
  private readonly listeners = new Set<(accountId: string | undefined) => void>();

  constructor(
    private readonly configured: TrafficSettings,
    private readonly accountSpec: (accountId: string) => AccountConfig['traffic'],
    // The traffic sections of the scenarios in force: global ones without an account, else that account's.
    private readonly scenarioSections: (accountId?: string) => ScenarioTraffic[] = () => [],
  ) {}

  /** The settings in force for an account (any id: an account without a section of its own has the global ones). */
  for(accountId: string): TrafficSettings {
    let settings = this.cache.get(accountId);
    if (!settings) {
      settings = applyTraffic(this.globalSettings(), this.accountSpec(accountId));
      for (const { traffic } of this.scenarioSections(accountId)) settings = applyTraffic(settings, traffic);
      settings = applyTraffic(settings, this.runtimeAccounts.get(accountId));
      // Bounded like the run-time map: one entry per account id that sent something; a change clears it all.
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(accountId, settings);
    }
    return settings;
  }

  /** The settings globally or for one account, with the layers behind them (the caller checks the account exists). */
  view(accountId?: string): TrafficView {
    const scenarios = this.scenarioSections(accountId);
    const scenarioLayer = scenarios.length > 0 ? { scenarios } : {};
    if (accountId === undefined) return { settings: this.globalSettings(), ...scenarioLayer, ...(this.runtimeGlobal ? { runtime: this.runtimeGlobal } : {}) };
    const configured = this.accountSpec(accountId);
    const runtime = this.runtimeAccounts.get(accountId);
    return { accountId, settings: this.for(accountId), ...(configured ? { configured } : {}), ...scenarioLayer, ...(runtime ? { runtime } : {}) };
  }

  /** Change settings at run time, for every account or one; fields given replace what was set before, others stay. */
  set(spec: TrafficSpec, accountId?: string): TrafficSettings {
    if (accountId === undefined) this.runtimeGlobal = mergeSpecs(this.runtimeGlobal, spec);
    else this.runtimeAccounts.set(accountId, mergeSpecs(this.runtimeAccounts.get(accountId), spec));
    this.changed(accountId);
    return accountId === undefined ? this.globalSettings() : this.for(accountId);
  }

  /** Forget run-time changes: all of them, or one account's. */
  reset(accountId?: string): void {
    if (accountId === undefined) {
      if (!this.runtimeGlobal && this.runtimeAccounts.size === 0) return;
      this.runtimeGlobal = undefined;
      this.runtimeAccounts.clear();
    } else if (!this.runtimeAccounts.delete(accountId)) return;
    this.changed(accountId);
  }

  /** The scenarios in force changed (a file loaded or reloaded, a run-time scenario added or removed): look again. */
  scenariosChanged(): void {
    this.changed(undefined);
  }

  /** Hear of every change (undefined: it may concern every account); returns the function that stops listening. */
  onChange(listener: (accountId: string | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private globalSettings(): TrafficSettings {
    let settings = this.configured;
    for (const { traffic } of this.scenarioSections()) settings = applyTraffic(settings, traffic);
    return applyTraffic(settings, this.runtimeGlobal);
  }

  private changed(accountId: string | undefined): void {
    if (accountId === undefined) this.cache.clear();
    else this.cache.delete(accountId);
    for (const listener of this.listeners) listener(accountId);
  }
}

// A later profile restarts the parts from that profile, so the parts set before it are dropped; rates merge.
function mergeSpecs(before: TrafficSpec | undefined, next: TrafficSpec): TrafficSpec {
  if (!before) return next;
  const base = next.profile ? { rates: before.rates, queueDepth: before.queueDepth } : before;
  const rates =
    before.rates && next.rates
      ? { ...before.rates, ...next.rates, campaignClasses: { ...before.rates.campaignClasses, ...next.rates.campaignClasses } }
      : (next.rates ?? before.rates);
  return { ...base, ...next, ...(rates ? { rates } : {}) };
}
