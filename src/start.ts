import type { FastifyInstance } from 'fastify';
import { certificatesOf } from './proxy/app-certificates.js';
import { resolveConfig } from './config/resolve.js';
import type { OptionShortcuts } from './config/options.js';
import type { ConfigFile } from './config/schema.js';
import { createControlOperations, type ControlOperations } from './control/operations.js';
import { createEmulator } from './compose.js';
import type { Emulator } from './emulator.js';
import { listenUrl } from './listen-url.js';
import type { CloseReport } from './messaging/types.js';
import { listenOnAllDoors } from './proxy/front-doors.js';
import { buildApp } from './server.js';

/** The default account's ids and credentials, for tests and SDK configuration. */
export interface EmulatorAccount {
  id: string;
  username: string;
  password: string;
  clientId?: string;
  clientSecret?: string;
  applicationId: string;
  numbers: string[];
}

/** A running in-process emulator: the control operations (same shape as connectEmulator's) plus what a test needs. */
export interface RunningEmulator extends ControlOperations {
  /** Base URL, e.g. http://127.0.0.1:53211 (pass it to bandwidth-sdk as basePath). */
  url: string;
  /** The forward proxy for HTTPS_PROXY, e.g. http://127.0.0.1:53211 (its own port with `proxyPort`); README "Proxy mode". */
  proxyUrl: string;
  /** The HTTPS listener's URL, e.g. https://127.0.0.1:53212, when started with `httpsPort`. */
  httpsUrl?: string;
  /** The local CA's certificate (ca.pem in `caDir`) a client trusts for the proxy's tunnels and the HTTPS listener. */
  caCertPath: string;
  /** The first account's id, API user, OAuth client, application and numbers. */
  account: EmulatorAccount;
  /** Ready values for `new Configuration(...)` of bandwidth-sdk: basePath plus Basic credentials. */
  sdkConfig: { basePath: string; username: string; password: string };
  /** The emulator core, for white-box inspection beyond the control operations: not a stable interface. */
  emulator: Emulator;
  /** The Fastify app serving it, e.g. for `app.inject()`. */
  app: FastifyInstance;
  /** Stop listening and cancel everything pending; resolves with what was still pending. */
  close(): Promise<CloseReport>;
}

/**
 * What startEmulator takes: any config file field, plus the CLI flags that are not a top-level field under the flag's
 * name (`callbackUrl`, `config`, `controlToken`, `callbackTimeout`, `deliveryDelay`, `fetchExternalMedia`,
 * `maxMessages`), checked as the flag is.
 */
export type StartOptions = ConfigFile & OptionShortcuts;

const PERMISSIVE_USER = { username: 'bw-user', password: 'bw-password' };

/** Start an emulator in-process on a free loopback port (unless `port` says otherwise), logging nothing by default. */
export async function startEmulator(options: StartOptions = {}): Promise<RunningEmulator> {
  const config = resolveConfig({ overrides: { port: 0, logLevel: 'silent', ...options } });
  // The listen URL is known once the server listens (port 0): the emulator reads it from there, never a copy.
  let app: FastifyInstance | undefined;
  const emulator = createEmulator(config, { listenUrl: () => (app?.server.listening ? listenUrl(config.host, app.server.address(), config.port) : undefined) });
  app = await buildApp(emulator);
  let doors: Awaited<ReturnType<typeof listenOnAllDoors>>;
  try {
    doors = await listenOnAllDoors(app, config);
  } catch (error) {
    await app.close();
    throw error;
  }
  const { url } = doors;
  const account = config.accounts[0]!;
  // Permissive mode takes any non-empty credentials: an account listed without users still gets working ones.
  const user = account.users.find((u) => u.messaging) ?? account.users[0] ?? (config.permissive ? PERMISSIVE_USER : undefined);
  let closed: Promise<CloseReport> | undefined;
  return {
    ...createControlOperations(emulator, certificatesOf(app)),
    url,
    proxyUrl: doors.proxyUrl,
    ...(doors.httpsUrl ? { httpsUrl: doors.httpsUrl } : {}),
    caCertPath: doors.caCertPath,
    account: {
      id: account.id,
      username: user?.username ?? '',
      password: user?.password ?? '',
      clientId: account.oauthClients[0]?.clientId,
      clientSecret: account.oauthClients[0]?.clientSecret,
      applicationId: account.applications[0]!.id,
      numbers: account.numbers.map((n) => n.number),
    },
    sdkConfig: { basePath: url, username: user?.username ?? '', password: user?.password ?? '' },
    emulator,
    app,
    close() {
      closed ??= (async () => {
        const report = await emulator.close();
        await app.close();
        return report;
      })();
      return closed;
    },
  };
}
