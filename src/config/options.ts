/** The kind of value a flag or environment variable carries. */
type OptionType = 'list' | 'string' | 'port' | 'boolean' | 'url' | 'duration' | 'integer' | 'number' | 'path' | 'log-level';

/** A setting that can come from a flag and an environment variable as well as the config file. */
export interface ScalarOption {
  key: string;
  flag: string;
  env: string;
  type: OptionType;
  /** Where it lands in the config file's shape; `callbackUrl` is special-cased to the default application. */
  path?: readonly string[];
  default: string;
  description: string;
}

/** Every flag/env setting, in the order the README documents them. */
export const SCALAR_OPTIONS: readonly ScalarOption[] = [
  {
    key: 'config',
    flag: '--config',
    env: 'BW_EMULATOR_CONFIG',
    type: 'path',
    default: '(embedded default)',
    description: 'YAML or JSON config file; its values override the embedded default',
  },
  {
    key: 'host',
    flag: '--host',
    env: 'BW_EMULATOR_HOST',
    type: 'string',
    path: ['host'],
    default: '127.0.0.1',
    description: 'interface to listen on (0.0.0.0 inside a container)',
  },
  { key: 'port', flag: '--port', env: 'BW_EMULATOR_PORT', type: 'port', path: ['port'], default: '4010', description: 'TCP port (0 picks a free one)' },
  {
    key: 'permissive',
    flag: '--permissive',
    env: 'BW_EMULATOR_PERMISSIVE',
    type: 'boolean',
    path: ['permissive'],
    default: 'false',
    description: 'accept any non-empty credentials, account, applicationId and from number',
  },
  {
    key: 'scenarios',
    flag: '--scenarios',
    env: 'BW_EMULATOR_SCENARIOS',
    type: 'list',
    path: ['scenarios'],
    default: '(none)',
    description: 'scenario file or folder; repeat the flag or separate with commas for several',
  },
  {
    key: 'callbackUrl',
    flag: '--callback-url',
    env: 'BW_EMULATOR_CALLBACK_URL',
    type: 'url',
    default: '(none)',
    description: "the default application's callback URL (inbound and status events)",
  },
  {
    key: 'publicUrl',
    flag: '--public-url',
    env: 'BW_EMULATOR_PUBLIC_URL',
    type: 'url',
    path: ['publicUrl'],
    default: '(the listen URL)',
    description: 'base URL the emulator uses in links it hands out (paging, media)',
  },
  {
    key: 'allowedHosts',
    flag: '--allowed-hosts',
    env: 'BW_EMULATOR_ALLOWED_HOSTS',
    type: 'list',
    path: ['allowedHosts'],
    default: '(none)',
    description:
      "more host names to answer to (Host header), comma-separated: 'emulator', '.example.com' (and subdomains), '*' (any); loopback, IP addresses and the public URL's host are always answered",
  },
  {
    key: 'controlToken',
    flag: '--control-token',
    env: 'BW_EMULATOR_CONTROL_TOKEN',
    type: 'string',
    path: ['control', 'token'],
    default: '(none)',
    description: 'require this token (Authorization: Bearer) on /__emulator and the web inbox',
  },
  {
    key: 'logLevel',
    flag: '--log-level',
    env: 'BW_EMULATOR_LOG_LEVEL',
    type: 'log-level',
    path: ['logLevel'],
    default: 'info',
    description: 'fatal, error, warn, info, debug, trace or silent',
  },
  {
    key: 'timeScale',
    flag: '--time-scale',
    env: 'BW_EMULATOR_TIME_SCALE',
    type: 'number',
    path: ['timeScale'],
    default: '1',
    description: 'multiplier for every emulated delay (0.1 = ten times faster)',
  },
  {
    key: 'profile',
    flag: '--profile',
    env: 'BW_EMULATOR_PROFILE',
    type: 'string',
    path: ['traffic', 'profile'],
    default: 'fast',
    description: "traffic profile: 'fast' (nothing waits) or 'production' (Bandwidth's rates, queue, opt-out and on-net delivery; README \"Traffic\")",
  },
  {
    key: 'callbackTimeout',
    flag: '--callback-timeout',
    env: 'BW_EMULATOR_CALLBACK_TIMEOUT',
    type: 'duration',
    path: ['callbacks', 'timeout'],
    default: '10s',
    description: 'per-attempt timeout for a callback POST',
  },
  {
    key: 'deliveryDelay',
    flag: '--delivery-delay',
    env: 'BW_EMULATOR_DELIVERY_DELAY',
    type: 'duration',
    path: ['callbacks', 'deliveryDelay'],
    default: '100ms',
    description: 'delay before the default message-delivered event',
  },
  {
    key: 'fetchExternalMedia',
    flag: '--fetch-external-media',
    env: 'BW_EMULATOR_FETCH_EXTERNAL_MEDIA',
    type: 'boolean',
    path: ['media', 'fetchExternal'],
    default: 'false',
    description: 'fetch outbound MMS media on other hosts, failing the message with 4410/4411/4412 as Bandwidth does (off: nothing external is fetched)',
  },
  {
    key: 'maxMessages',
    flag: '--max-messages',
    env: 'BW_EMULATOR_MAX_MESSAGES',
    type: 'integer',
    path: ['limits', 'maxMessages'],
    default: '10000',
    description: 'messages kept before the oldest are evicted',
  },
  {
    key: 'dataDir',
    flag: '--data-dir',
    env: 'BW_EMULATOR_DATA_DIR',
    type: 'path',
    path: ['dataDir'],
    default: '(none: in memory)',
    description: 'keep messages, media, journal, run-time scenarios and pending callbacks in DIR/emulator.sqlite across restarts',
  },
  {
    key: 'shutdownGrace',
    flag: '--shutdown-grace',
    env: 'BW_EMULATOR_SHUTDOWN_GRACE',
    type: 'duration',
    path: ['shutdownGrace'],
    default: '5s',
    description: 'on SIGTERM/SIGINT, how long pending callbacks may finish before the emulator closes',
  },
  {
    key: 'proxy',
    flag: '--proxy',
    env: 'BW_EMULATOR_PROXY',
    type: 'boolean',
    path: ['proxy', 'enabled'],
    default: 'true',
    description:
      'answer as a forward proxy for messaging.bandwidth.com and api.bandwidth.com (HTTPS_PROXY=http://127.0.0.1:4010); every other host is refused (README "Proxy mode")',
  },
  {
    key: 'proxyPort',
    flag: '--proxy-port',
    env: 'BW_EMULATOR_PROXY_PORT',
    type: 'port',
    path: ['proxy', 'port'],
    default: '(the API port)',
    description: 'a port of its own for the proxy',
  },
  {
    key: 'httpsPort',
    flag: '--https-port',
    env: 'BW_EMULATOR_HTTPS_PORT',
    type: 'port',
    path: ['proxy', 'httpsPort'],
    default: '(off)',
    description: 'also serve everything over HTTPS on this port, with certificates from the local CA',
  },
  {
    key: 'caDir',
    flag: '--ca-dir',
    env: 'BW_EMULATOR_CA_DIR',
    type: 'path',
    path: ['proxy', 'caDir'],
    default: '(~/.config/bandwidth-emulator/ca)',
    description: "the local certificate authority's folder (ca.pem, and ca-key.pem private to you); created on first use",
  },
];

/**
 * `startEmulator()`'s shortcuts: the flags that are not a top-level config field, under the flag's option key and
 * with the flag's checks (`startEmulator({ callbackUrl })` is `--callback-url`). The flags that are top-level fields
 * (`port`, `host`, `scenarios`, `permissive`, ...) already have the same name in the options.
 */
export interface OptionShortcuts {
  /** A YAML or JSON config file to read first (`--config`); the other options apply over it. */
  config?: string;
  /** The default application's callback URL (`--callback-url`): the first account's first application. */
  callbackUrl?: string;
  /** `control.token` (`--control-token`). */
  controlToken?: string;
  /** `traffic.profile` (`--profile`): 'fast' (default) or 'production'. */
  profile?: 'fast' | 'production';
  /** `callbacks.timeout` (`--callback-timeout`). */
  callbackTimeout?: string | number;
  /** `callbacks.deliveryDelay` (`--delivery-delay`). */
  deliveryDelay?: string | number;
  /** `media.fetchExternal` (`--fetch-external-media`). */
  fetchExternalMedia?: boolean;
  /** `limits.maxMessages` (`--max-messages`). */
  maxMessages?: number;
  /** `proxy.port` (`--proxy-port`). */
  proxyPort?: number;
  /** `proxy.httpsPort` (`--https-port`): 0 picks a free port. */
  httpsPort?: number;
  /** `proxy.caDir` (`--ca-dir`). */
  caDir?: string;
}

/** The keys of OptionShortcuts, in the flags' order (test/unit/start-options.test.ts keeps it equal to the flag table). */
export const SHORTCUT_KEYS: ReadonlyArray<keyof OptionShortcuts> = [
  'config',
  'callbackUrl',
  'controlToken',
  'profile',
  'callbackTimeout',
  'deliveryDelay',
  'fetchExternalMedia',
  'maxMessages',
  'proxyPort',
  'httpsPort',
  'caDir',
];
