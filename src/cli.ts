import { isAbsolute, join, relative } from 'node:path';
import { pino, type Logger } from 'pino';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { redactUrlCredentials } from './config/url-credentials.js';
import { resolveConfig, type EmulatorConfig } from './config/resolve.js';
import { SCALAR_OPTIONS } from './config/options.js';
import { createEmulator } from './compose.js';
import { containerReach, inContainer } from './container-reach.js';
import { isLoopback, listenUrl } from './listen-url.js';
import type { DrainReport } from './messaging/types.js';
import { EmulatorConfigError } from './errors.js';
import type { CompiledScenario } from './scenarios/compile.js';
import { compileScenarioFile, scenarioFilesIn } from './scenarios/files.js';
import { MAGIC_NUMBERS } from './scenarios/magic.js';
import { checkReachability, REACHABILITY_BUDGET } from './scenarios/reachability.js';
import type { Problem } from './validation/schema-check.js';
import { anyHostWarning } from './http/host-guard.js';
import { caCommand, type CaOutput } from './proxy/ca-command.js';
import { CA_CERT_FILE } from './proxy/certificate-authority.js';
import { EMULATED_HOSTS } from './proxy/bandwidth-hosts.js';
import { ListenError, listenOnAllDoors, type OpenDoors } from './proxy/front-doors.js';
import { buildApp } from './server.js';
import { shutdownSummary } from './shutdown-report.js';
import { closestName } from './validation/suggest.js';

const USAGE = `Usage: bandwidth-emulator [start] [options]
       bandwidth-emulator validate PATH...   check scenario files or folders; exit 1 on any problem
       bandwidth-emulator ca [--path|--pem]  the local CA (created if missing) and how to trust it per stack;
                                             --path: only the certificate's path, --pem: only the certificate

A local emulator of the Bandwidth Messaging v2 API with realistic callbacks.

Options (each also settable by environment variable):
${SCALAR_OPTIONS.map((o) => `  ${(o.flag + (o.type === 'boolean' ? '' : ' VALUE')).padEnd(26)} ${o.description} [env ${o.env}; default ${o.default}]`).join('\n')}
  --help, -h                 show this help
  --version, -v              print the version
`;

// Every flag the command line takes, for "did you mean" on a mistyped one.
const KNOWN_FLAGS = [...SCALAR_OPTIONS.map((o) => o.flag), '--help'];
/** This package's version: from the nearest package.json of bandwidth-emulator above this module (src/, dist/, dist/bundle/). */
function packageVersion(): string {
  // Three levels cover every place this module runs from; a bound, so a broken layout cannot loop.
  for (let dir = new URL('./', import.meta.url), i = 0; i < 3; dir = new URL('../', dir), i++) {
    const file = new URL('package.json', dir);
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'bandwidth-emulator' && pkg.version) return pkg.version;
  }
  return 'unknown';
}

/** Split argv into flags keyed by option key; throws a config error naming the bad argument. */
export function parseFlags(argv: readonly string[]): {
  command: string;
  flags: Record<string, string>;
  help: boolean;
  version: boolean;
  /** `ca --path` / `ca --pem`: what the ca command prints (everything when absent). */
  caOutput?: CaOutput;
} {
  const flags: Record<string, string> = {};
  let command = 'start';
  let caOutput: CaOutput | undefined;
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--version' || arg === '-v') {
      version = true;
      continue;
    }
    if (command === 'ca' && (arg === '--path' || arg === '--pem')) {
      const wanted = arg === '--path' ? 'path' : 'pem';
      if (caOutput && caOutput !== wanted)
        throw new EmulatorConfigError([{ source: 'command line', field: arg, problem: 'goes with --path or --pem, not both', fix: 'give one of them' }]);
      caOutput = wanted;
      continue;
    }
    if (!arg.startsWith('--')) {
      if (i === 0) {
        command = arg;
        continue;
      }
      if (command === 'validate') {
        flags.paths = flags.paths ? `${flags.paths}\n${arg}` : arg;
        continue;
      }
      // `-port 5000` or `port`: most likely a flag written with one dash or none.
      const near = closestName(`--${arg.replace(/^-+/, '')}`, KNOWN_FLAGS);
      throw new EmulatorConfigError([
        {
          source: 'command line',
          field: arg,
          problem: 'is not an option',
          fix: near ? `did you mean ${near}? Options start with --; see --help` : 'options start with --; see --help',
        },
      ]);
    }
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const option = SCALAR_OPTIONS.find((o) => o.flag === name);
    if (!option) {
      const near = closestName(name, KNOWN_FLAGS);
      throw new EmulatorConfigError([
        {
          source: 'command line',
          field: name,
          problem: 'is not a known option',
          fix: near ? `did you mean ${near}? See --help for every option` : `use one of ${SCALAR_OPTIONS.map((o) => o.flag).join(', ')}`,
        },
      ]);
    }
    let value = inline;
    if (value === undefined && option.type === 'boolean') value = 'true';
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) {
        throw new EmulatorConfigError([{ source: `flag ${option.flag}`, field: option.key, problem: 'needs a value', fix: `write ${option.flag} VALUE` }]);
      }
      i++;
    }
    // A list flag may be repeated: --scenarios a.yaml --scenarios b.yaml.
    flags[option.key] = option.type === 'list' && flags[option.key] ? `${flags[option.key]},${value}` : value;
  }
  return { command, flags, help, version, ...(caOutput ? { caOutput } : {}) };
}

/** The start-up warning for an emulator reachable beyond this machine with no control token; undefined when safe. */
export function exposureWarning(host: string, controlToken: string | undefined): string | undefined {
  if (isLoopback(host) || controlToken) return undefined;
  return `listening on ${host}, beyond this machine, with no control token: anyone who can reach it can read messages and drive /__emulator. Set --control-token (BW_EMULATOR_CONTROL_TOKEN)`;
}

/** Structured JSON logs when output goes to a file or a pipe (CI, Docker); readable coloured lines on a terminal. */
export function cliLogger(level: string): Logger {
  if (!process.stdout.isTTY) return pino({ level, base: undefined });
  // Loaded only for a terminal: piped and container runs start without it (cold start).
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  return pino({ level, base: undefined }, pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true, sync: true }));
}

// The banner's second half: where each surface is (the API, the inbox, the control API, and whether it needs the
// token, never the token itself) and the magic numbers that work with no scenario loaded.
function surfaceLines(config: EmulatorConfig, url: string): string[] {
  const token = config.control.token ? '  (needs the control token: Authorization: Bearer <token>)' : '  (no control token: open to anyone who reaches it)';
  return [
    `  API base      ${url}  (also ${url}/api/v2)`,
    `  web inbox     ${url}/`,
    `  control API   ${url}/__emulator${token}`,
    ...MAGIC_NUMBERS.map((m, i) => `  ${i === 0 ? 'magic numbers' : '             '} ${m.pattern}  ${m.outcome}`),
  ];
}

// The proxy's lines: what to set HTTPS_PROXY to, which hosts it answers, the CA to trust, and the HTTPS listener.
function proxyLines(config: EmulatorConfig, url: string, doors: Partial<OpenDoors>): string[] {
  const caCertPath = doors.caCertPath ?? join(config.proxy.caDir, CA_CERT_FILE);
  const https = doors.httpsUrl ? [`  HTTPS         ${doors.httpsUrl}  (certificates from the local CA)`] : [];
  const ca = `  local CA      ${caCertPath}  (run \`bandwidth-emulator ca\` to trust it)`;
  if (!config.proxy.enabled)
    return [`  proxy         off (start with --proxy to answer for ${EMULATED_HOSTS.join(', ')})`, ...(https.length > 0 ? [ca, ...https] : [])];
  return [
    `  proxy         HTTPS_PROXY=${doors.proxyUrl ?? url}  (Bandwidth hosts only: ${EMULATED_HOSTS.join(', ')}; any other host is refused)`,
    ca,
    ...https,
  ];
}

/**
 * The start-up banner: where it listens, how to authenticate, where callbacks go, a bandwidth-sdk snippet, the proxy
 * and the CA to trust (`doors`: what listenOnAllDoors opened; by default the proxy shares `url`).
 */
export function banner(config: EmulatorConfig, url: string, callbackExample = 'http://127.0.0.1:3000/webhooks', doors: Partial<OpenDoors> = {}): string {
  const account = config.accounts[0]!;
  const user = account.users.find((u) => u.messaging) ?? account.users[0];
  const client = account.oauthClients[0];
  const app = account.applications[0]!;
  const target = app.callbackUrl ?? app.outboundCallbackUrl ?? app.inboundCallbackUrl;
  return [
    `bandwidth-emulator listening on ${url}  (${config.permissive ? 'permissive' : 'strict'} mode)`,
    `  account       ${account.id}`,
    `  Basic auth    ${user ? `${user.username} / ${user.password}` : '(no API user configured)'}`,
    client ? `  OAuth client  ${client.clientId} / ${client.clientSecret}  (token: POST ${url}/api/v1/oauth2/token)` : undefined,
    `  application   ${app.id}`,
    `  callbacks     ${target ? redactUrlCredentials(target) + (app.callbackAuth.mode !== 'none' ? `  (sends Basic credentials as ${app.callbackAuth.username ?? ''}, ${app.callbackAuth.mode})` : '') : 'none yet: events are journaled only; start with --callback-url ' + callbackExample}`,
    `  numbers       ${account.numbers.map((n) => n.number).join(', ') || '(none)'}`,
    `  bandwidth-sdk new MessagesApi(new Configuration({ basePath: '${url}', username: '${user?.username ?? ''}', password: '${user?.password ?? ''}' }))`,
    ...surfaceLines(config, url),
    ...proxyLines(config, url, doors),
  ]
    .filter((line) => line !== undefined)
    .join('\n');
}

/**
 * `validate PATH...`: print every problem as file:line: field: problem. Fix: …, and exit 1 if there is any; then warn
 * (exit still 0) about rules that can never match, across the files in the order the emulator would load them.
 * Paths are shown as given: relative arguments give relative names.
 */
export function validateCommand(paths: readonly string[]): number {
  if (paths.length === 0) {
    process.stderr.write('bandwidth-emulator validate: give one or more scenario files or folders\n');
    return 2;
  }
  const show = paths.every((p) => !isAbsolute(p)) ? (file: string) => (isAbsolute(file) ? relative(process.cwd(), file) : file) : (file: string) => file;
  const line = (p: Problem) => `${show(p.source)}${p.line ? `:${p.line}` : ''}: ${p.field}: ${p.problem}. Fix: ${p.fix}`;
  const { files, problems } = scenarioFilesIn(paths);
  let bad = problems.length;
  for (const p of problems) process.stderr.write(`${p.source}: ${p.problem}. Fix: ${p.fix}\n`);
  const compiled: CompiledScenario[] = [];
  for (const file of files) {
    const result = compileScenarioFile(file);
    if (result.scenario) {
      compiled.push(result.scenario);
      process.stdout.write(`ok  ${show(file)}  (${result.scenario.rules.length} rules, ${result.scenario.inbound.length} inbound)\n`);
      continue;
    }
    bad += result.problems.length;
    for (const p of result.problems) process.stderr.write(`${line(p)}\n`);
  }
  const reach = checkReachability(compiled);
  for (const w of reach.warnings) process.stderr.write(`warning: ${line(w)}\n`);
  if (!reach.complete) process.stderr.write(`warning: the check for rules that can never match stopped after ${REACHABILITY_BUDGET} comparisons\n`);
  return bad > 0 ? 1 : 0;
}

/** Run the CLI; resolves with the exit code once the server stops (or at once on an error). */
export async function main(argv: readonly string[]): Promise<number | undefined> {
  let config: EmulatorConfig;
  try {
    const parsed = parseFlags(argv);
    if (parsed.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (parsed.version) {
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    if (parsed.command === 'validate') return validateCommand(parsed.flags.paths?.split('\n') ?? []);
    if (parsed.command === 'ca') {
      return await caCommand({ flags: parsed.flags, env: process.env }, parsed.caOutput ?? 'all', {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
      });
    }
    if (parsed.command !== 'start') {
      // `-port 5000` first on the line lands here: a flag with one dash.
      const near = parsed.command.startsWith('-')
        ? closestName(`--${parsed.command.replace(/^-+/, '')}`, KNOWN_FLAGS)
        : closestName(parsed.command, ['start', 'validate', 'ca']);
      throw new EmulatorConfigError([
        {
          source: 'command line',
          field: parsed.command,
          problem: 'is not a command',
          fix: near ? `did you mean ${near.startsWith('-') ? near : `'${near}'`}? See --help` : "use 'start' (the default), 'validate' or 'ca', or see --help",
        },
      ]);
    }
    config = resolveConfig({ flags: parsed.flags, env: process.env });
  } catch (error) {
    if (error instanceof EmulatorConfigError) {
      process.stderr.write(`bandwidth-emulator: invalid configuration\n${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let emulator: ReturnType<typeof createEmulator>;
  // The listen URL is known once the server listens: the emulator reads it from there (one function builds it).
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    emulator = createEmulator(config, {
      logger: cliLogger(config.logLevel),
      listenUrl: () => (app?.server.listening ? listenUrl(config.host, app.server.address(), config.port) : undefined),
    });
  } catch (error) {
    if (error instanceof EmulatorConfigError) {
      process.stderr.write(`bandwidth-emulator: cannot start (scenario files or data dir)\n${error.message}\n`);
      return 2;
    }
    throw error;
  }
  app = await buildApp(emulator);
  let drained: DrainReport | undefined;
  // Graceful shutdown: once close() begins Fastify refuses new requests (503), and this hook lets pending callbacks
  // finish within the grace period before the emulator closes and cancels (or, with a data dir, keeps) the rest.
  app.addHook('preClose', async () => {
    if (emulator.pending().total === 0) return;
    emulator.log.info({ graceMs: config.shutdownGraceMs }, 'shutting down: new requests are refused; waiting for pending callbacks');
    drained = await emulator.drain(config.shutdownGraceMs);
  });
  let doors: OpenDoors;
  try {
    doors = await listenOnAllDoors(app, config);
  } catch (error) {
    await app.close();
    if (error instanceof ListenError) {
      process.stderr.write(`bandwidth-emulator: ${error.message}\n`);
      return 1;
    }
    if (error instanceof EmulatorConfigError) {
      process.stderr.write(`bandwidth-emulator: cannot start (the local CA, for --https-port)\n${error.message}\n`);
      return 2;
    }
    throw error;
  }
  // A second signal while draining means "now": exit at once, as an impatient Ctrl-C expects.
  const force = (again: NodeJS.Signals) => {
    emulator.log.warn({ signal: again }, 'second signal: exiting without waiting');
    process.exit(1);
  };
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    const stop = (received: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolve(received);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  // The banner after the handlers: a SIGTERM sent as soon as it is printed must stop gracefully, not kill the process.
  const { url } = doors;
  // In a container the listen URL is the container's own: the banner names what the host and its receivers use.
  const reach = containerReach(config, Number(new URL(url).port), inContainer());
  const shown = { ...doors, proxyUrl: doors.proxyUrl === url ? (reach?.url ?? url) : doors.proxyUrl };
  process.stdout.write([banner(config, reach?.url ?? url, reach?.callbackExample, shown), ...(reach?.notes ?? [])].join('\n') + '\n');
  const exposed = exposureWarning(config.host, config.control.token);
  if (exposed) emulator.log.warn(exposed);
  const anyHost = anyHostWarning(config.allowedHosts);
  if (anyHost) emulator.log.warn(anyHost);
  const signal = await stopped;
  // What was pending when the signal came: the last line says what became of it.
  const atSignal = emulator.stats().callbacks;
  const pendingAtSignal = emulator.pending().total;
  emulator.log.info({ signal }, 'stopping');
  await app.close();
  process.off('SIGINT', force);
  process.off('SIGTERM', force);
  const report = await emulator.close();
  const summary = shutdownSummary({ atSignal, pendingAtSignal, closed: report, dataDir: config.dataDir !== undefined });
  emulator.log[summary.level](
    {
      signal,
      waitedMs: drained?.waitedMs ?? 0,
      stepsNotFired: report.stepsNotFired,
      callbacksCancelled: report.callbacks.cancelled - atSignal.cancelled,
      callbacks: report.callbacks,
      dataDir: config.dataDir,
    },
    summary.message,
  );
  return 0;
}
