// The load driver's side of the hostile-load suite and the growth benchmark: creates (timed and bulk), the control
// API calls they need, and the books. Loopback only; every loop is bounded in count and by a deadline, and a
// deadline that passes is reported in the result rather than waited out.
import { Pool, request } from 'undici';
import { percentile, round } from './proc.mjs';

/** The default account of the embedded config: what every hostile run sends as. */
const ACCOUNT = {
  id: '9900000',
  auth: 'Basic ' + Buffer.from('bw-user:bw-password').toString('base64'),
  applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
  from: '+19195550100',
};

/** Recipients of a group message: `count` handset numbers (Bandwidth allows 10). */
export function recipients(count) {
  return Array.from({ length: count }, (_, i) => `+1919555${String(2000 + i).padStart(4, '0')}`);
}

/**
 * A create-message body; `to` is one number or a list.
 * @param {{ to?: string | string[]; text?: string; tag?: string }} [options]
 */
export function createBody({ to = '+19195551234', text = 'hostile', tag } = {}) {
  return JSON.stringify({
    applicationId: ACCOUNT.applicationId,
    to: Array.isArray(to) ? to : [to],
    from: ACCOUNT.from,
    text,
    ...(tag !== undefined ? { tag } : {}),
  });
}

const createHeaders = { authorization: ACCOUNT.auth, 'content-type': 'application/json' };
const jsonHeaders = { 'content-type': 'application/json' };

/** A keep-alive client for one emulator, with the calls the loads make. */
export function emulatorClient(url, { connections = 16 } = {}) {
  const pool = new Pool(url, { connections, headersTimeout: 120_000, bodyTimeout: 120_000 });
  const call = async (method, path, body, { headers = jsonHeaders, timeoutMs = 60_000 } = {}) => {
    const res = await pool.request({ method, path, headers: body === undefined ? {} : headers, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    const text = await res.body.text();
    return { status: res.statusCode, bytes: Buffer.byteLength(text), text, json: () => JSON.parse(text) };
  };
  return {
    url,
    /** POST a create-message body; resolves with the status (or throws on a socket error). */
    async create(body) {
      const res = await pool.request({ method: 'POST', path: `/users/${ACCOUNT.id}/messages`, headers: createHeaders, body });
      await res.body.dump();
      return res.statusCode;
    },
    call,
    async health(timeoutMs) {
      const res = await call('GET', '/__emulator/health', undefined, { timeoutMs });
      if (res.status !== 200) throw new Error(`health answered ${res.status}: ${res.text.slice(0, 300)}`);
      return res.json();
    },
    // Bodyless control POSTs carry `{}` as JSON: accepted with or without the control API's cross-site guard.
    flush: (timeoutMs) => call('POST', '/__emulator/time/flush', '{}', { timeoutMs }),
    useScenario: (scenario) => call('POST', '/__emulator/scenarios', JSON.stringify(scenario)),
    // Destroyed, not closed: a request still waiting on a stuck emulator must not hold the teardown.
    close: () => pool.destroy(),
  };
}

/**
 * `count` creates one after another on their own connection (`spacingMs` apart, to spread them over a load), each
 * timed from send to answer; stops at the deadline. The latency figures are over the creates that were answered.
 */
export async function timedCreates(url, { count = 200, body, bodyAt, spacingMs = 0, deadlineMs = 60_000 }) {
  const pool = new Pool(url, { connections: 1, headersTimeout: deadlineMs, bodyTimeout: deadlineMs });
  const latencies = [];
  const statuses = {};
  let errors = 0;
  const deadline = performance.now() + deadlineMs;
  try {
    for (let i = 0; i < count && performance.now() < deadline; i++) {
      const started = performance.now();
      try {
        const res = await pool.request({ method: 'POST', path: `/users/${ACCOUNT.id}/messages`, headers: createHeaders, body: bodyAt ? bodyAt(i) : body });
        await res.body.dump();
        latencies.push(performance.now() - started);
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      } catch {
        errors++;
      }
      if (spacingMs > 0) await new Promise((resolve) => setTimeout(resolve, spacingMs));
    }
  } finally {
    await pool.destroy();
  }
  return summarizeCreates(latencies, statuses, errors, count);
}

/** `count` creates from `concurrency` workers on a shared pool, stopping at the deadline. */
export async function bulkCreates(client, { count, concurrency = 16, body, bodyAt, deadlineMs = 60_000 }) {
  const statuses = {};
  let errors = 0;
  let next = 0;
  const deadline = performance.now() + deadlineMs;
  const worker = async () => {
    while (next < count && performance.now() < deadline) {
      const i = next++;
      try {
        const status = await client.create(bodyAt ? bodyAt(i) : body);
        statuses[status] = (statuses[status] ?? 0) + 1;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { sent: next, accepted: statuses[202] ?? 0, statuses, errors, complete: next >= count && (statuses[202] ?? 0) === count };
}

function summarizeCreates(latencies, statuses, errors, count) {
  return {
    count,
    answered: latencies.length,
    accepted: statuses[202] ?? 0,
    statuses,
    errors,
    p50Ms: round(percentile(latencies, 50) ?? NaN),
    p99Ms: round(percentile(latencies, 99) ?? NaN),
    maxMs: round(latencies.length ? Math.max(...latencies) : NaN),
  };
}

/** Poll health until nothing is pending (steps and callbacks) or the deadline passes; resolves with the last health answered. */
export async function waitSettled(client, { deadlineMs = 30_000, intervalMs = 50 } = {}) {
  const deadline = performance.now() + deadlineMs;
  let last;
  for (;;) {
    try {
      last = await client.health(Math.max(1, deadline - performance.now()));
      if (pendingOf(last) === 0) return { settled: true, health: last };
    } catch (error) {
      // A connection the emulator dropped while busy: ask again until the deadline.
      if (performance.now() >= deadline && !last) throw error;
    }
    if (performance.now() >= deadline) return { settled: false, health: last };
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Steps not fired plus callbacks not settled, from a health answer. */
export function pendingOf(health) {
  return health.pendingSteps + health.callbacks.pending;
}

/** The books: planned = delivered + pending + exhausted + noTarget + notRequested + dropped + cancelled. */
export function booksBalance(books) {
  const accounted = books.delivered + books.pending + books.exhausted + books.noTarget + books.notRequested + books.dropped + books.cancelled;
  return { balanced: accounted === books.planned, planned: books.planned, accounted };
}

/** One GET answered by the emulator: status, bytes and time, or the error; never throws. */
export async function timedGet(url, { timeoutMs = 60_000 } = {}) {
  const started = performance.now();
  try {
    const res = await request(url, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    const buffer = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, bytes: buffer.length, ms: performance.now() - started, text: buffer.toString('utf8', 0, Math.min(buffer.length, 2048)) };
  } catch (error) {
    return { status: 0, bytes: 0, ms: performance.now() - started, error: error.code ?? error.message };
  }
}
