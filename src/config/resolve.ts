import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve as resolvePath } from 'node:path';
import { defaultCaDir } from '../proxy/ca-dir.js';
import { EmulatorConfigError } from '../errors.js';
import { parseDuration } from '../validation/durations.js';
import { compileSchemaCheck, fieldName, parseLocated, type Problem } from '../validation/schema-check.js';
import { redactUrlCredentials } from './url-credentials.js';
import { moveUrlCredentials, type CallbackAuthConfig } from './callback-credentials.js';
import { DEFAULT_CONFIG } from './defaults.js';
import { durationBoundProblems } from './duration-bounds.js';
import { SCALAR_OPTIONS, SHORTCUT_KEYS, type OptionShortcuts, type ScalarOption } from './options.js';
import { carrierTable, DEFAULT_CARRIERS, type CarrierRange } from './number-ranges.js';
import { resolveRegistration, type NumberConfig } from './numbers.js';
import { ConfigFileSchema, isE164, type ConfigFile, type StatusCallbackType } from './schema.js';
import { applyTraffic, FAST_TRAFFIC, trafficProblems, type TrafficSettings, type TrafficSpec } from './traffic.js';

export type { CallbackAuthConfig } from './callback-credentials.js';

/** A messaging application: where its callbacks go and which status types it wants. */
export interface ApplicationConfig {
  id: string;
  name: string;
  callbackUrl?: string;
  inboundCallbackUrl?: string;
  outboundCallbackUrl?: string;
  callbackAuth: CallbackAuthConfig;
  callbackTypes: StatusCallbackType[];
}

/** An account with its API users, OAuth clients, applications and owned numbers. */
export interface AccountConfig {
  id: string;
  users: Array<{ username: string; password: string; messaging: boolean }>;
  oauthClients: Array<{ clientId: string; clientSecret: string }>;
  applications: ApplicationConfig[];
  numbers: NumberConfig[];
  /** What a toll-free number that is not VERIFIED may send (README "Provisioning"). */
  tollFreeUnverified: TollFreeUnverifiedPolicy;
  /** Whose callback settings status callbacks follow when the request's applicationId is not the from number's application (README "Which application gets the callbacks"). */
  statusCallbackApplication: StatusCallbackApplication;
  /** Features Bandwidth enables per account (README "What Bandwidth fills in"); off by default but for MMS receipts. */
  features: AccountFeatures;
  /** The account's own traffic section, applied over the global settings (README "Traffic"); undefined: the global ones. */
  traffic?: TrafficSpec;
}

/**
 * Account features: those the spec names a field for (Advanced Quality Metrics: latencies in search; carrierName on
 * callbacks), and Feature_MMS_DLR (MMS delivery receipts from the handset).
 */
interface AccountFeatures {
  advancedQualityMetrics: boolean;
  carrierNameOnCallbacks: boolean;
  /** Feature_MMS_DLR; undefined is on, as Bandwidth enables it for most accounts (README "Receipts as routes produce them"). */
  mmsDeliveryReceipts?: boolean;
}

/** 'fromNumber': status callbacks follow the from number's application; 'request': the request's applicationId. */
export type StatusCallbackApplication = 'fromNumber' | 'request';

/** 'block': every message from a toll-free number that is not VERIFIED fails (4795); 'caps2023': the 2023 volume caps. */
type TollFreeUnverifiedPolicy = 'block' | 'caps2023';

/** The fully resolved configuration every module reads; durations are in milliseconds. */
export interface EmulatorConfig {
  host: string;
  port: number;
  permissive: boolean;
  logLevel: string;
  publicUrl?: string;
  /** Host names answered besides the ones always allowed (src/http/host-guard.ts); lower case. */
  allowedHosts: string[];
  timeScale: number;
  accounts: AccountConfig[];
  /** Fictional carriers by number range, longest prefix first (src/config/number-ranges.ts `carrierOf`). */
  carriers: CarrierRange[];
  scenarios: string[];
  hotReload: boolean;
  callbacks: { timeoutMs: number; retryDelaysMs: number[]; deliveryDelayMs: number; sendingDelayMs: number };
  /** The traffic settings of every account without a traffic section of its own (README "Traffic"). */
  traffic: TrafficSettings;
  limits: { maxMessages: number; maxJournalEntries: number };
  oauth: { tokenTtlSeconds: number };
  control: { token?: string };
  /** `fetchExternal`: outbound MMS media on other hosts are fetched and checked (4410/4411/4412) within `fetchTimeoutMs`. */
  media: { maxObjectBytes: number; maxTotalBytes: number; retentionMs: number; fetchExternal: boolean; fetchTimeoutMs: number };
  /** Folder of the SQLite state file; undefined keeps everything in memory. */
  dataDir?: string;
  /** How long SIGTERM/SIGINT waits for pending callbacks before closing. */
  shutdownGraceMs: number;
  /** Proxy mode (README "Proxy mode"): `port` undefined shares the API port; `httpsPort` undefined: no HTTPS listener; `caDir` absolute. */
  proxy: { enabled: boolean; port?: number; httpsPort?: number; caDir: string };
}

const checkConfigFile = compileSchemaCheck(ConfigFileSchema);
const ALNUM_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 +_&-]{1,11}$/;

/** Where the user's settings come from; every part optional. */
export interface ConfigSources {
  /** Parsed flags: option key → raw string (booleans as 'true'). */
  flags?: Record<string, string>;
  env?: Record<string, string | undefined>;
  /** Settings passed in code (startEmulator), shortcuts included; applied over the file, under env and flags. */
  overrides?: ConfigFile & OptionShortcuts;
}

const OPTIONS_SOURCE = 'startEmulator options';

/** Resolve defaults < config file < programmatic overrides < env BW_EMULATOR_* < flags into one checked config. */
export function resolveConfig(sources: ConfigSources = {}): EmulatorConfig {
  const problems: Problem[] = [];
  const env = sources.env ?? {};
  const flags = sources.flags ?? {};
  const layers: Array<{ source: string; value: ConfigFile }> = [];
  // Where --callback-url's value came from (flag or env), for problems with it; the last one given wins.
  let callbackUrlSource: string | undefined;

  const shortcuts = sources.overrides ? shortcutLayer(sources.overrides, problems) : undefined;
  const configPath = flags.config ?? env.BW_EMULATOR_CONFIG ?? shortcuts?.configPath;
  if (configPath) {
    const fromFile = loadConfigFile(configPath, problems);
    if (fromFile) layers.push({ source: configPath, value: fromFile });
  }
  if (shortcuts) {
    const schemaProblems = checkConfigFile(shortcuts.rest, OPTIONS_SOURCE);
    const found = schemaProblems.length > 0 ? schemaProblems : durationBoundProblems(shortcuts.rest, OPTIONS_SOURCE);
    problems.push(...found);
    if (found.length === 0) layers.push({ source: OPTIONS_SOURCE, value: shortcuts.rest });
    if (Object.keys(shortcuts.layer).length > 0) layers.push({ source: OPTIONS_SOURCE, value: shortcuts.layer });
    if (shortcuts.callbackUrlSource) callbackUrlSource = shortcuts.callbackUrlSource;
  }
  for (const [origin, read] of [
    ['env', (o: ScalarOption) => env[o.env]],
    ['flag', (o: ScalarOption) => flags[o.key]],
  ] as const) {
    const layer: ConfigFile = {};
    let sourceName = origin === 'env' ? 'environment' : 'command line';
    for (const option of SCALAR_OPTIONS) {
      const raw = read(option);
      if (raw === undefined || option.key === 'config') continue;
      const label = origin === 'env' ? `env ${option.env}` : `flag ${option.flag}`;
      const parsed = parseOptionValue(option, raw);
      if ('problem' in parsed) {
        problems.push({ source: label, field: option.key, problem: parsed.problem, fix: parsed.fix });
        continue;
      }
      sourceName = label;
      if (option.key === 'callbackUrl') {
        callbackUrlSource = label;
        (layer as Record<string, unknown>).callbackUrl = parsed.value;
        continue;
      }
      // Each value also passes the config file's schema, so a flag cannot slip past a rule a file must meet.
      const single: Record<string, unknown> = {};
      setPath(single, option.path ?? [option.key], parsed.value);
      const schemaProblems = checkConfigFile(single, label);
      const found = schemaProblems.length > 0 ? schemaProblems : durationBoundProblems(single, label);
      if (found.length > 0) problems.push(...found.map((p) => ({ ...p, field: option.key })));
      else setPath(layer as Record<string, unknown>, option.path ?? [option.key], parsed.value);
    }
    if (Object.keys(layer).length > 0) layers.push({ source: sourceName, value: layer });
  }
  if (problems.length > 0) throw new EmulatorConfigError(problems);

  let merged: Record<string, unknown> = structuredClone(DEFAULT_CONFIG);
  let accountsSource = 'embedded default';
  let carriersSource = 'embedded default';
  let trafficSource = 'embedded default';
  for (const layer of layers) {
    const { callbackUrl, ...rest } = layer.value as ConfigFile & { callbackUrl?: string };
    if (rest.accounts) accountsSource = layer.source;
    if (rest.carriers) carriersSource = layer.source;
    if (rest.traffic) trafficSource = layer.source;
    merged = deepMerge(merged, rest as Record<string, unknown>);
    if (callbackUrl !== undefined) {
      const accounts = merged.accounts as Array<{ applications: Array<Record<string, unknown>> }>;
      accounts[0]!.applications[0]!.callbackUrl = callbackUrl;
    }
  }
  return normalize(merged as ConfigFile, { accounts: accountsSource, carriers: carriersSource, traffic: trafficSource }, callbackUrlSource);
}

// The JavaScript type each kind of flag value takes as a startEmulator option.
const SHORTCUT_TYPES: Partial<Record<ScalarOption['type'], { is: (v: unknown) => boolean; what: string }>> = {
  boolean: { is: (v) => typeof v === 'boolean', what: 'true or false' },
  integer: { is: (v) => typeof v === 'number', what: 'a whole number' },
  port: { is: (v) => typeof v === 'number', what: 'a TCP port from 0 to 65535' },
  duration: { is: (v) => typeof v === 'string' || typeof v === 'number', what: "a duration such as '250ms' or a number of milliseconds" },
};

/**
 * Take startEmulator's flag shortcuts (`callbackUrl`, `deliveryDelay`, ...) out of its options: each is checked as its
 * flag is (then against the config schema, as a flag is), and refused when the options also give the same field in
 * full, since one of the two would be ignored. `rest` is the options without them.
 */
function shortcutLayer(
  options: ConfigFile & OptionShortcuts,
  problems: Problem[],
): { rest: ConfigFile; layer: ConfigFile & { callbackUrl?: string }; configPath?: string; callbackUrlSource?: string } {
  const rest: Record<string, unknown> = { ...options };
  const layer: Record<string, unknown> = {};
  let configPath: string | undefined;
  let callbackUrlSource: string | undefined;
  for (const key of SHORTCUT_KEYS) {
    const value = options[key];
    delete rest[key];
    if (value === undefined) continue;
    const option = SCALAR_OPTIONS.find((o) => o.key === key)!;
    const label = `startEmulator option ${key}`;
    const type = SHORTCUT_TYPES[option.type] ?? { is: (v: unknown) => typeof v === 'string', what: 'a string' };
    if (!type.is(value)) {
      problems.push({ source: label, field: key, problem: `is ${value === null ? 'null' : `a ${typeof value}`}`, fix: `give ${type.what}` });
      continue;
    }
    const parsed = typeof value === 'number' && option.type === 'duration' ? { value } : parseOptionValue(option, String(value));
    if ('problem' in parsed) {
      problems.push({ source: label, field: key, problem: parsed.problem, fix: parsed.fix });
      continue;
    }
    const typed = option.type === 'integer' || option.type === 'boolean' ? value : parsed.value;
    if (key === 'config') {
      configPath = typed as string;
      continue;
    }
    const fullField = key === 'callbackUrl' ? ['accounts', 0, 'applications', 0, 'callbackUrl'] : option.path!;
    if (valueAt(options, fullField) !== undefined) {
      problems.push({
        source: label,
        field: key,
        problem: `is given twice: as the ${key} option and as ${fieldName([...fullField])}`,
        fix: 'give it once',
      });
      continue;
    }
    if (key === 'callbackUrl') {
      callbackUrlSource = label;
      layer.callbackUrl = typed;
      continue;
    }
    // As for a flag, the value also passes the config file's schema and duration bounds.
    const single: Record<string, unknown> = {};
    setPath(single, option.path!, typed);
    const schemaProblems = checkConfigFile(single, label);
    const found = schemaProblems.length > 0 ? schemaProblems : durationBoundProblems(single, label);
    if (found.length > 0) problems.push(...found.map((p) => ({ ...p, field: key })));
    else setPath(layer, option.path!, typed);
  }
  return { rest: rest as ConfigFile, layer, configPath, callbackUrlSource };
}

function valueAt(root: unknown, path: ReadonlyArray<string | number>): unknown {
  let node = root;
  for (const key of path) node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
  return node;
}

function loadConfigFile(path: string, problems: Problem[]): ConfigFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    problems.push({
      source: path,
      field: '(file)',
      problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      fix: 'pass --config the path of an existing YAML or JSON file',
    });
    return undefined;
  }
  const doc = parseLocated(text, path);
  if (doc.syntaxProblems.length > 0) {
    problems.push(...doc.syntaxProblems);
    return undefined;
  }
  const value = doc.value ?? {};
  const schemaProblems = checkConfigFile(value, path, doc.lineOf);
  const found = schemaProblems.length > 0 ? schemaProblems : durationBoundProblems(value as ConfigFile, path, doc.lineOf);
  problems.push(...found);
  if (found.length > 0) return undefined;
  const config = value as ConfigFile;
  // Scenario paths in a config file are relative to the file, not to wherever the emulator was started.
  if (config.scenarios) config.scenarios = config.scenarios.map((p) => resolvePath(dirname(path), p));
  if (config.dataDir) config.dataDir = resolvePath(dirname(path), config.dataDir);
  if (config.proxy?.caDir) config.proxy.caDir = resolvePath(dirname(path), config.proxy.caDir);
  return config;
}

function parseOptionValue(option: ScalarOption, raw: string): { value: unknown } | { problem: string; fix: string } {
  const bad = (fix: string) => ({ problem: `'${raw}' is not valid`, fix });
  switch (option.type) {
    case 'list': {
      const items = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      return items.length > 0 ? { value: items } : bad('give one or more values separated by commas');
    }
    case 'boolean':
      if (['true', '1', 'yes', ''].includes(raw.toLowerCase())) return { value: true };
      if (['false', '0', 'no'].includes(raw.toLowerCase())) return { value: false };
      return bad('use true or false');
    case 'port': {
      const port = Number(raw);
      return Number.isInteger(port) && port >= 0 && port <= 65535 ? { value: port } : bad('use a TCP port from 0 to 65535');
    }
    case 'integer': {
      const n = Number(raw);
      return Number.isInteger(n) && n >= 1 ? { value: n } : bad('use a whole number of 1 or more');
    }
    case 'number': {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isFinite(n) && n >= 0 ? { value: n } : bad('use a number of 0 or more');
    }
    case 'duration':
      return parseDuration(raw) !== undefined ? { value: raw } : bad("use a duration such as '250ms', '2s' or '1m'");
    case 'url':
      // The value is not echoed as written: a URL may carry user:password@.
      return raw.length <= 4096 && /^https?:\/\/[^\s/]+/.test(raw) && URL.canParse(raw)
        ? { value: raw }
        : {
            problem: raw.length > 4096 ? `is ${raw.length} characters long` : `'${redactUrlCredentials(raw)}' is not valid`,
            fix: 'use an http:// or https:// URL of at most 4096 characters, such as http://127.0.0.1:3000/webhooks',
          };
    case 'log-level':
      return ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(raw)
        ? { value: raw }
        : bad('use fatal, error, warn, info, debug, trace or silent');
    default:
      return raw.length > 0 ? { value: raw } : bad('give a non-empty value');
  }
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
}

// Objects merge key by key; arrays and scalars replace (a user's `accounts` list replaces the default one).
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    // A field given as undefined (`{ accounts: maybe }` in code) is not given: it must not erase the default.
    if (value === undefined) continue;
    const prev = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? deepMerge(prev as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

function normalize(file: ConfigFile, sources: { accounts: string; carriers: string; traffic: string }, callbackUrlSource?: string): EmulatorConfig {
  const problems: Problem[] = [];
  const accountsSource = sources.accounts;
  const ms = (v: string | number | undefined, fallback: number) => (v === undefined ? fallback : (parseDuration(v) ?? fallback));
  const accounts: AccountConfig[] = (file.accounts ?? []).map((account, a) => {
    const applications = account.applications.map((app, i) => {
      // The default application's callbackUrl may come from --callback-url or its env variable: its problems say so.
      const where = (field: string) =>
        a === 0 && i === 0 && field === 'callbackUrl' && callbackUrlSource
          ? { source: callbackUrlSource, field: 'callbackUrl' }
          : { source: accountsSource, field: fieldName(['accounts', a, 'applications', i, field]) };
      const moved = moveUrlCredentials(app, where);
      problems.push(...moved.problems);
      return {
        id: app.id,
        name: app.name ?? app.id,
        ...moved.urls,
        callbackAuth: moved.callbackAuth,
        callbackTypes: app.callbackTypes ?? ['message-sending', 'message-delivered', 'message-failed'],
      };
    });
    const appIds = new Set(applications.map((app) => app.id));
    applications.forEach((app, i) => {
      const at = ['accounts', a, 'applications', i];
      if (app.callbackAuth.mode !== 'none' && (!app.callbackAuth.username || app.callbackAuth.password === undefined)) {
        problems.push({
          source: accountsSource,
          field: fieldName([...at, 'callbackAuth']),
          problem: `mode '${app.callbackAuth.mode}' needs credentials`,
          fix: 'add username and password, or set mode: none',
        });
      }
    });
    const numbers: NumberConfig[] = [];
    (account.numbers ?? []).forEach((written, i) => {
      const at = ['accounts', a, 'numbers', i];
      const { number, ...registration } = typeof written === 'string' ? { number: written } : written;
      if (!isE164(number) && !ALNUM_SENDER.test(number)) {
        problems.push({
          source: accountsSource,
          field: fieldName(typeof written === 'string' ? at : [...at, 'number']),
          problem: `'${number}' is neither E.164 nor an alphanumeric sender id`,
          fix: 'write it as +<country><number>, e.g. +19195550100',
        });
        return;
      }
      const resolved = resolveRegistration(number, registration, [...appIds], account.id);
      for (const p of resolved.problems) problems.push({ source: accountsSource, field: `${fieldName(at)}.${p.field}`, problem: p.problem, fix: p.fix });
      if (resolved.entry) numbers.push(resolved.entry);
    });
    // An account nobody can authenticate to answers every API request 401: refused at start rather than found by a
    // test. Credentials are never filled in silently (permissive mode needs none).
    if (!file.permissive && !account.users?.length && !account.oauthClients?.length) {
      problems.push({
        source: accountsSource,
        field: fieldName(['accounts', a, 'users']),
        problem: `account '${account.id}' has no API user and no OAuth client, so every request to it would get 401`,
        fix: "add users: [{ username: 'bw-user', password: 'bw-password' }] (or oauthClients), or set permissive: true",
      });
    }
    return {
      id: account.id,
      users: (account.users ?? []).map((u) => ({ username: u.username, password: u.password, messaging: u.messaging ?? true })),
      oauthClients: account.oauthClients ?? [],
      applications,
      numbers,
      tollFreeUnverified: account.tollFreeUnverified ?? 'block',
      // Strict mode follows the from number as the issue's quote of Bandwidth's older docs says; permissive mode keeps
      // what it always did (the request's applicationId, an unknown one served as the first application).
      statusCallbackApplication: account.statusCallbackApplication ?? (file.permissive ? 'request' : 'fromNumber'),
      features: {
        advancedQualityMetrics: account.features?.advancedQualityMetrics ?? false,
        carrierNameOnCallbacks: account.features?.carrierNameOnCallbacks ?? false,
        // Left undefined when not set (on): only an explicit false switches it off.
        ...(account.features?.mmsDeliveryReceipts !== undefined ? { mmsDeliveryReceipts: account.features.mmsDeliveryReceipts } : {}),
      },
      ...(account.traffic ? { traffic: account.traffic } : {}),
    };
  });
  const seen = new Set<string>();
  accounts.forEach((account, a) => {
    if (seen.has(account.id))
      problems.push({
        source: accountsSource,
        field: `accounts[${a}].id`,
        problem: `account '${account.id}' is listed twice`,
        fix: 'give each account a distinct id',
      });
    seen.add(account.id);
  });
  const carriers = file.carriers ?? DEFAULT_CARRIERS;
  const prefixes = new Map<string, number>();
  carriers.forEach((range, i) => {
    const first = prefixes.get(range.prefix);
    if (first !== undefined)
      problems.push({
        source: sources.carriers,
        field: `carriers[${i}].prefix`,
        problem: `'${range.prefix}' is the prefix of carriers[${first}] too`,
        fix: 'give each range a distinct prefix (the longest matching one wins)',
      });
    else prefixes.set(range.prefix, i);
  });
  for (const found of trafficProblems(file.traffic))
    problems.push({ source: sources.traffic, field: `traffic.${found.field}`, problem: found.problem, fix: found.fix });
  (file.accounts ?? []).forEach((account, a) => {
    for (const found of trafficProblems(account.traffic))
      problems.push({ source: accountsSource, field: `${fieldName(['accounts', a, 'traffic'])}.${found.field}`, problem: found.problem, fix: found.fix });
  });
  if (problems.length > 0) throw new EmulatorConfigError(problems);
  const callbacks = file.callbacks ?? {};
  return {
    host: file.host ?? '127.0.0.1',
    port: file.port ?? 4010,
    permissive: file.permissive ?? false,
    logLevel: file.logLevel ?? 'info',
    publicUrl: file.publicUrl?.replace(/\/+$/, ''),
    allowedHosts: (file.allowedHosts ?? []).map((h) => h.toLowerCase()),
    timeScale: file.timeScale ?? 1,
    accounts,
    carriers: carrierTable(carriers),
    scenarios: file.scenarios ?? [],
    hotReload: file.hotReload ?? true,
    callbacks: {
      timeoutMs: ms(callbacks.timeout, 10_000),
      retryDelaysMs: (callbacks.retryDelays ?? []).map((d) => ms(d, 0)),
      deliveryDelayMs: ms(callbacks.deliveryDelay, 100),
      sendingDelayMs: ms(callbacks.sendingDelay, 20),
    },
    traffic: applyTraffic(FAST_TRAFFIC, file.traffic),
    limits: {
      maxMessages: file.limits?.maxMessages ?? 10_000,
      maxJournalEntries: file.limits?.maxJournalEntries ?? 10_000,
    },
    oauth: { tokenTtlSeconds: file.oauth?.tokenTtlSeconds ?? 3600 },
    control: { token: file.control?.token },
    media: {
      maxObjectBytes: file.media?.maxObjectBytes ?? 3.5 * 1024 * 1024,
      maxTotalBytes: file.media?.maxTotalBytes ?? 256 * 1024 * 1024,
      retentionMs: ms(file.media?.retention, 48 * 3_600_000),
      fetchExternal: file.media?.fetchExternal ?? false,
      fetchTimeoutMs: ms(file.media?.fetchTimeout, 10_000),
    },
    dataDir: file.dataDir,
    shutdownGraceMs: ms(file.shutdownGrace, 5000),
    proxy: {
      enabled: file.proxy?.enabled ?? true,
      port: file.proxy?.port,
      httpsPort: file.proxy?.httpsPort,
      caDir: resolvePath(file.proxy?.caDir ?? defaultCaDir(process.env, process.platform, homedir())),
    },
  };
}
