import type { NumberConfig } from '../config/numbers.js';
import type { TrafficView } from '../messaging/traffic-settings.js';
import type { ControlOptOut, OptOutList } from './opt-out-operations.js';
import { PendingWorkError, type PendingReport } from '../messaging/settle.js';
import { JournalWaitTimeout, type JournalEntry, type JournalFilter, type JournalPage } from '../store/journal.js';
import { ThrowawayAccountError } from '../throwaway-accounts.js';
import { EmulatorConfigError } from '../errors.js';
import type { ProxyInfo } from './proxy-operations.js';
import { ControlInputError, type ControlMessage, type ControlOperations, type ConversationPage, type MessagePage } from './operations.js';

/** A running emulator reached over HTTP (Docker, another process): the same operations as startEmulator() gives. */
export interface RemoteEmulator extends ControlOperations {
  url: string;
}

type Query = Record<string, string | number | undefined>;

// A scenario given as text: sent as YAML (JSON text is YAML too), read by the emulator as a scenario file is.
class YamlText {
  constructor(readonly text: string) {}
}

/** Connect to an emulator's control API at `url` (its base URL, without /__emulator). */
export function connectEmulator(url: string, options: { token?: string } = {}): RemoteEmulator {
  const base = url.replace(/\/+$/, '');
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};

  // `body` goes as JSON, but a YamlText goes as it is, as YAML (a scenario's text).
  async function call(method: string, path: string, query: Query = {}, body?: unknown): Promise<{ status: number; data: unknown }> {
    const target = new URL(`${base}/__emulator${path}`);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) target.searchParams.set(key, String(value));
    const yaml = body instanceof YamlText;
    const res = await fetch(target, {
      method,
      // Every call that changes state says JSON, also with no body: the control API refuses a POST that does not.
      headers: method === 'GET' ? headers : { ...headers, 'content-type': yaml ? 'application/yaml' : 'application/json' },
      body: body === undefined ? undefined : yaml ? body.text : JSON.stringify(body),
    });
    const text = await res.text();
    const data: unknown = text ? JSON.parse(text) : undefined;
    if (res.status === 400) {
      const err = data as { message: string; problems?: ConstructorParameters<typeof ControlInputError>[1] };
      throw new ControlInputError(err.message, err.problems ?? []);
    }
    // A throwaway account refused for a taken id or number, or the cap: the same error as in-process.
    if (res.status === 409 || res.status === 429)
      throw new ThrowawayAccountError(res.status === 409 ? 'conflict' : 'limit', (data as { message: string }).message);
    if (res.status >= 400 && res.status !== 404 && res.status !== 408) {
      throw new Error(`control API ${method} ${path} answered ${res.status}: ${text}`);
    }
    return { status: res.status, data };
  }

  const get = async <T>(path: string, query?: Query) => (await call('GET', path, query)).data as T;

  return {
    url: base,
    health: () => get('/health'),
    messages: {
      list: async (filter = {}) => (await get<{ messages: ControlMessage[] }>('/messages', { ...filter })).messages,
      search: async (query = {}) => get<MessagePage>('/messages', { ...query }),
      async get(id) {
        const { status, data } = await call('GET', `/messages/${encodeURIComponent(id)}`);
        if (status === 404) return undefined;
        const { callbacks: _journal, ...message } = data as ControlMessage & { callbacks: unknown };
        return message;
      },
      async media(id, index) {
        // Bytes, not JSON: read apart from call(); a 404 carries the reason as the control API's error body.
        const res = await fetch(`${base}/__emulator/messages/${encodeURIComponent(id)}/media/${encodeURIComponent(String(index))}`, { headers });
        if (res.status === 404) return { found: false, reason: ((await res.json()) as { message: string }).message };
        if (res.status === 400) throw new ControlInputError(((await res.json()) as { message: string }).message);
        if (!res.ok) throw new Error(`control API GET /messages/${id}/media/${index} answered ${res.status}: ${await res.text()}`);
        const name = /filename\*=UTF-8''([^;]+)/.exec(res.headers.get('content-disposition') ?? '')?.[1];
        return {
          found: true,
          contentType: res.headers.get('content-type') ?? 'application/octet-stream',
          bytes: new Uint8Array(await res.arrayBuffer()),
          name: name ? decodeURIComponent(name) : 'attachment',
        };
      },
    },
    numbers: {
      async list(accountId) {
        const { status, data } = await call('GET', `/accounts/${encodeURIComponent(accountId)}/numbers`);
        return status === 404 ? undefined : (data as { numbers: NumberConfig[] }).numbers;
      },
      async set(accountId, number, registration = {}) {
        const { status, data } = await call('PUT', `/accounts/${encodeURIComponent(accountId)}/numbers/${encodeURIComponent(number)}`, {}, registration);
        return status === 404 ? undefined : (data as NumberConfig & { created: boolean });
      },
      async remove(accountId, number) {
        const { status } = await call('DELETE', `/accounts/${encodeURIComponent(accountId)}/numbers/${encodeURIComponent(number)}`);
        return status !== 404;
      },
    },
    traffic: {
      async get(accountId) {
        const { status, data } = await call('GET', accountId === undefined ? '/traffic' : `/accounts/${encodeURIComponent(accountId)}/traffic`);
        return status === 404 ? undefined : (data as TrafficView);
      },
      async set(spec, accountId) {
        const { status, data } = await call('PUT', accountId === undefined ? '/traffic' : `/accounts/${encodeURIComponent(accountId)}/traffic`, {}, spec);
        return status === 404 ? undefined : (data as TrafficView);
      },
      async queue(accountId) {
        const { status, data } = await call('GET', `/accounts/${encodeURIComponent(accountId)}/queue`);
        return status === 404 ? undefined : (data as never);
      },
    },
    optOuts: {
      async list(accountId) {
        const { status, data } = await call('GET', `/accounts/${encodeURIComponent(accountId)}/opt-outs`);
        return status === 404 ? undefined : (data as OptOutList);
      },
      async add(accountId, optOut) {
        const { status, data } = await call('POST', `/accounts/${encodeURIComponent(accountId)}/opt-outs`, {}, optOut);
        return status === 404 ? undefined : (data as ControlOptOut & { created: boolean });
      },
      async remove(accountId, number, handset) {
        const path = `/accounts/${encodeURIComponent(accountId)}/opt-outs/${encodeURIComponent(number)}/${encodeURIComponent(handset)}`;
        return (await call('DELETE', path)).status !== 404;
      },
      async clear(accountId) {
        const { status, data } = await call('DELETE', `/accounts/${encodeURIComponent(accountId)}/opt-outs`);
        return status === 404 ? undefined : (data as { removed: number });
      },
    },
    callbacks: {
      list: async (filter = {}) => (await get<{ entries: JournalEntry[] }>('/callbacks', { ...filter })).entries,
      async waitFor(filter: JournalFilter, opts = {}) {
        const timeoutMs = opts.timeoutMs ?? 5000;
        const { status, data } = await call('GET', '/callbacks', { ...filter, wait: timeoutMs });
        if (status === 408) {
          const timeout = data as { filter: JournalFilter; waitedMs: number; seen: JournalEntry[]; seenTotal?: number };
          throw new JournalWaitTimeout(timeout.filter, timeout.waitedMs, timeout.seen, timeout.seenTotal ?? timeout.seen.length);
        }
        return (data as { entries: JournalEntry[] }).entries[0]!;
      },
      page: async (filter = {}, opts = {}) => get<JournalPage>('/callbacks', { ...filter, limit: opts.limit ?? 100, beforeSeq: opts.beforeSeq }),
      async resend(seq, opts = {}) {
        const { status, data } = await call('POST', `/callbacks/${encodeURIComponent(String(seq))}/resend`, {}, opts);
        return status === 404 ? undefined : (data as JournalEntry);
      },
    },
    proxy: {
      info: () => get<ProxyInfo>('/proxy'),
      async caCertificate() {
        // Text, not JSON: read apart from call(); a 503 carries the folder's problems, thrown as in-process.
        const res = await fetch(`${base}/__emulator/proxy/ca.pem`, { headers });
        if (res.status === 503) throw new EmulatorConfigError(((await res.json()) as { problems: EmulatorConfigError['problems'] }).problems);
        if (!res.ok) throw new Error(`control API GET /proxy/ca.pem answered ${res.status}: ${await res.text()}`);
        return res.text();
      },
    },
    conversations: async (query = {}) => get<ConversationPage>('/conversations', { ...query }),
    inbound: async (request) => ((await call('POST', '/inbound', {}, request)).data as { messages: ControlMessage[] }).messages,
    accounts: async () => (await get<{ accounts: Awaited<ReturnType<ControlOperations['accounts']>> }>('/accounts')).accounts,
    createAccount: async (request = {}) => (await call('POST', '/accounts', {}, request)).data as Awaited<ReturnType<ControlOperations['createAccount']>>,
    async removeAccount(accountId) {
      await call('DELETE', `/accounts/${encodeURIComponent(accountId)}`);
    },
    async carrier(messageId, request) {
      const { status, data } = await call('POST', `/messages/${encodeURIComponent(messageId)}/carrier`, {}, request);
      if (status === 404) throw new ControlInputError((data as { message: string }).message);
      return data as Awaited<ReturnType<ControlOperations['carrier']>>;
    },
    scenarios: {
      list: () => get('/scenarios'),
      async use(scenario, opts = {}) {
        const body = typeof scenario === 'string' ? new YamlText(scenario) : scenario;
        const query = { accountId: opts.accountId };
        if (opts.name !== undefined) return (await call('PUT', `/scenarios/${encodeURIComponent(opts.name)}`, query, body)).data as never;
        return (await call('POST', '/scenarios', query, body)).data as never;
      },
      async clear(opts = {}) {
        if (opts.name !== undefined) await call('DELETE', `/scenarios/${encodeURIComponent(opts.name)}`, { accountId: opts.accountId });
        else await call('DELETE', '/scenarios', { accountId: opts.accountId });
      },
      trigger: async (name, inbound) =>
        (await call('POST', `/scenarios/${encodeURIComponent(name)}/trigger`, {}, inbound === undefined ? {} : { inbound })).data as { scheduled: number },
    },
    async reset(accountId) {
      await call('POST', '/reset', { accountId });
    },
    pending: () => get<PendingReport>('/pending'),
    async idle(opts = {}) {
      const timeoutMs = opts.timeoutMs ?? 5000;
      const { status, data } = await call('GET', '/idle', { timeoutMs });
      if (status === 408) throw new PendingWorkError((data as { pending: PendingReport }).pending, `still pending after ${timeoutMs} ms`);
      return data as PendingReport;
    },
    async assertNoPending() {
      const report = await get<PendingReport>('/pending');
      if (report.total > 0) throw new PendingWorkError(report, 'expected nothing pending');
    },
    time: {
      flush: async () => (await call('POST', '/time/flush')).data as { ran: number },
      get: () => get('/time'),
      setTimeScale: async (timeScale) => (await call('PUT', '/time', {}, { timeScale })).data as { timeScale: number },
    },
    lint: async (request) => (await call('POST', '/lint', {}, request)).data as never,
    errorCodes: {
      list: () => get('/error-codes'),
      async get(code) {
        const { status, data } = await call('GET', `/error-codes/${encodeURIComponent(String(code))}`);
        return status === 404 ? undefined : (data as never);
      },
    },
    state: {
      export: () => get('/state'),
      import: async (doc) => (await call('POST', '/state', {}, doc)).data as never,
    },
  };
}
