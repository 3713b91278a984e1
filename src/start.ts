import type { FastifyInstance } from 'fastify';
import { resolveConfig } from './config/resolve.js';
import type { ConfigFile } from './config/schema.js';
import { createEmulator, type CloseReport, type Emulator, type InboundRequest } from './emulator.js';
import type { JournalEntry, JournalFilter } from './store/journal.js';
import type { StoredMessage } from './store/messages.js';
import { buildApp } from './server.js';

/** A running emulator with the values a test needs to talk to it. */
export interface RunningEmulator {
  /** Base URL, e.g. http://127.0.0.1:53211 (pass it to bandwidth-sdk as basePath). */
  url: string;
  /** The default account's id, API user, OAuth client, application and numbers. */
  account: {
    id: string;
    username: string;
    password: string;
    clientId?: string;
    clientSecret?: string;
    applicationId: string;
    numbers: string[];
  };
  /** Ready values for `new Configuration(...)` of bandwidth-sdk. */
  sdkConfig: { basePath: string; username: string; password: string };
  emulator: Emulator;
  app: FastifyInstance;
  callbacks: {
    list(filter?: JournalFilter): JournalEntry[];
    /** Resolve with the first matching journal entry, or reject after `timeoutMs` with what the journal did hold. */
    waitFor(filter: JournalFilter, options?: { timeoutMs?: number }): Promise<JournalEntry>;
  };
  messages: {
    get(id: string): StoredMessage | undefined;
    list(accountId?: string): StoredMessage[];
  };
  inbound(request: InboundRequest): StoredMessage[];
  reset(accountId?: string): void;
  close(): Promise<CloseReport>;
}

/** Start an emulator in-process on a free loopback port (unless `port` says otherwise). */
export async function startEmulator(options: ConfigFile = {}): Promise<RunningEmulator> {
  const config = resolveConfig({ overrides: { port: 0, logLevel: 'silent', ...options } });
  const emulator = createEmulator(config);
  const app = await buildApp(emulator);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${port}`;
  const account = config.accounts[0]!;
  const user = account.users.find((u) => u.messaging) ?? account.users[0];
  let closed: Promise<CloseReport> | undefined;
  return {
    url,
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
    callbacks: {
      list: (filter) => emulator.journal.list(filter),
      waitFor: (filter, opts) => emulator.journal.waitFor(filter, opts?.timeoutMs ?? 5000),
    },
    messages: {
      get: (id) => emulator.store.find(id),
      list: (accountId = account.id) => [...emulator.store.list(accountId)],
    },
    inbound: (request) => emulator.inbound(request),
    reset: (accountId) => emulator.reset(accountId),
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
