// The hostile loads of issue 16, each against a fresh emulator process (bench/lib/emulator-process.mjs), driven
// from this process over loopback. Each one returns the same figures (the emulator's peak RSS during the load, the
// latency of a fixed number of creates made while the load is on, what was lost) plus what that load did; the
// hostile-load suite (test/hostile) asserts them against RELIABILITY.md's bounds and the growth benchmark
// (bench/growth.mjs) runs them at several sizes. Every loop is bounded in count and by a deadline.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { startEmulatorProcess } from './emulator-process.mjs';
import { booksBalance, bulkCreates, createBody, emulatorClient, pendingOf, recipients, timedCreates, timedGet, waitSettled } from './drive.mjs';
import { openEventStreams } from './event-streams.mjs';
import { round } from './proc.mjs';

/** The bounds of a scenario the hostile runs build to: the scenario format's and the create API's own limits. */
const SCENARIO_LIMITS = {
  rules: 1000,
  /** The control API's body limit (Fastify's bodyLimit on the emulator). */
  bodyBytes: 1024 * 1024,
  regexChars: 1000,
  /** RE2 instructions a user regex may compile to (a literal costs one a character, so it caps a literal's length). */
  regexProgram: 1000,
  replyTemplateChars: 2048,
  replyPlaceholders: 10,
};
/** The create API's limits (src/api/message-request.ts MESSAGE_LIMITS). */
const CREATE_LIMITS = { recipients: 10, text: 2048, tag: 1024 };

// Single-recipient SMS before each load (one callback event each), not timed.
const WARM_UP_CREATES = 5;

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// `promise`, or undefined once `ms` have passed; the timer never outlives the race.
async function within(promise, ms) {
  let timer;
  try {
    return await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Start the callback sink (bench/lib/sink.mjs) in its own process; resolves with its URL, a counter and stop(). */
async function startSinkProcess() {
  const child = fork(fileURLToPath(new URL('./sink.mjs', import.meta.url)), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`the sink exited (${code}) before listening`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    callbackUrl: `${url}/cb/emulator`,
    async received() {
      const res = await timedGet(`${url}/stats/emulator?count`);
      return JSON.parse(res.text).received;
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.send('stop');
      }),
  };
}

// The default account with a callback URL (or none) and the given time scale and caps.
function configFor({ callbackUrl, timeScale = 0, callbacks = {}, limits } = {}) {
  return {
    timeScale,
    accounts: [
      {
        id: '9900000',
        users: [{ username: 'bw-user', password: 'bw-password', messaging: true }],
        applications: [{ id: '93de2206-9669-4e07-948d-329f4b722ee2', ...(callbackUrl ? { callbackUrl } : {}) }],
        numbers: ['+19195550100', '+19195550101'].map((number) => ({ number, applicationId: '93de2206-9669-4e07-948d-329f4b722ee2' })),
      },
    ],
    callbacks: { retryDelays: ['50ms', '100ms'], ...callbacks },
    ...(limits ? { limits } : {}),
  };
}

// Run `body` against a fresh emulator (and sink, if asked for); the figures every load reports are added here.
async function withEmulator({ load, size, sink: wantSink, config, processOptions }, body) {
  const started = performance.now();
  const sink = wantSink ? await startSinkProcess() : undefined;
  let emulator;
  try {
    emulator = await startEmulatorProcess({ ...processOptions, config: config(sink?.callbackUrl) });
  } catch (error) {
    await sink?.stop();
    throw error;
  }
  const client = emulatorClient(emulator.url);
  const result = { load, size, died: undefined, rssIdleMb: emulator.memory().rssMb };
  try {
    // A few creates first, so the timed ones measure the load and not the first request's lazy compilation.
    const warmUp = await timedCreates(emulator.url, { count: WARM_UP_CREATES, body: createBody({ text: 'warm-up' }) });
    // A load writes its figures into `out` as it gets them: a load cut short by an error keeps what it measured.
    Object.assign(result, await body({ emulator, client, sink, warmed: warmUp.accepted, out: result }));
  } catch (error) {
    // A dead emulator explains the socket errors that follow it: report that, not the first ECONNREFUSED.
    await delay(200);
    result.error = emulator.died() ? undefined : String(error?.stack ?? error);
  } finally {
    const memory = emulator.memory();
    result.died = emulator.died();
    result.rssPeakMb = memory.peakRssMb;
    result.rssAfterMb = memory.rssMb;
    result.seconds = round((performance.now() - started) / 1000, 1);
    if (result.died || result.error) result.output = emulator.output().slice(-1500);
    await client.close().catch(() => undefined);
    await emulator.stop();
    await sink?.stop();
  }
  return result;
}

/**
 * (a) Event-stream clients that never read: `clients` streams open and paused while `messages` creates (and the
 * timed creates) make events for all of them. Callbacks go to a sink; every accepted message's callback must arrive.
 */
export function eventStreamsLoad({ clients = 1000, messages = 2000, timed = 200, reading = false, deadlineMs = 90_000 } = {}) {
  return withEmulator(
    {
      load: reading ? 'event-stream clients that read' : 'event-stream clients that never read',
      size: { clients, messages, timed },
      sink: true,
      config: (callbackUrl) => configFor({ callbackUrl }),
    },
    async ({ emulator, client, sink, warmed, out }) => {
      const streams = await openEventStreams(emulator.url, { count: clients, reading, deadlineMs: deadlineMs / 3 });
      const statuses = streams.statuses();
      // The longest text a create may carry: every message event quotes it, so the streams' backlogs grow fastest.
      const body = createBody({ text: 'x'.repeat(CREATE_LIMITS.text) });
      const [bulk, create] = await Promise.all([
        bulkCreates(client, { count: messages, concurrency: 8, body, deadlineMs }),
        timedCreates(emulator.url, { count: timed, body, deadlineMs }),
      ]);
      Object.assign(out, { create, bulk, streams: { statuses } });
      const settled = await waitSettled(client, { deadlineMs: 20_000 });
      const accepted = bulk.accepted + create.accepted;
      const received = await sink.received();
      const duringLoad = emulator.memory();
      const closed = await streams.closeAll();
      // The emulator still serves a stream to a client that reads, once the hostile ones are gone.
      const fresh = await openEventStreams(emulator.url, { count: 1, reading: true, deadlineMs: 5_000 });
      const freshStatus = fresh.streams[0].status;
      await fresh.closeAll({ quietMs: 0, maxMs: 0 });
      const books = booksBalance(settled.health.callbacks);
      return {
        create,
        bulk: { sent: bulk.sent, accepted: bulk.accepted, errors: bulk.errors },
        accepted,
        // SMS: one message-delivered callback per accepted message.
        lost: warmed + accepted - received - pendingOf(settled.health),
        settled: settled.settled,
        books,
        streams: { statuses, served: closed.served, servedEndedByEmulator: closed.servedEnded, maxBytesRead: closed.maxBytesRead, freshStatus },
        rssBeforeCloseMb: duringLoad.rssMb,
      };
    },
  );
}

/**
 * (b) Long-polls that time out against a full journal: the journal filled to its cap, then `polls` long-polls at a
 * time (each `waitMs`, a filter nothing matches) re-issued as they time out while the timed creates run.
 */
export function longPollsLoad({ polls = 200, waitMs = 1000, journalCap = 10_000, timed = 200, maxRounds = 30, deadlineMs = 90_000 } = {}) {
  return withEmulator(
    {
      load: 'long-polls timing out against a full journal',
      size: { polls, waitMs, journalCap, timed },
      sink: false,
      config: () => configFor({ limits: { maxJournalEntries: journalCap, maxMessages: 10_000 } }),
    },
    async ({ emulator, client, warmed, out }) => {
      // A 10-recipient MMS plans sending + delivered per recipient: 20 journal entries a create.
      const group = recipients(CREATE_LIMITS.recipients);
      const fillCreates = Math.ceil(journalCap / 20);
      const fill = await bulkCreates(client, { count: fillCreates, concurrency: 8, body: createBody({ to: group, text: 'fill '.repeat(400) }), deadlineMs });
      const filled = await waitSettled(client, { deadlineMs: 20_000 });
      const journalBefore = filled.health.journal;

      const pool = new Pool(emulator.url, { connections: polls, headersTimeout: waitMs + 60_000, bodyTimeout: waitMs + 60_000 });
      let stop = false;
      const answers = [];
      const lane = async () => {
        for (let round = 0; round < maxRounds && !stop; round++) {
          const started = performance.now();
          try {
            const res = await pool.request({ method: 'GET', path: `/__emulator/callbacks?messageId=no-such-message&wait=${waitMs}` });
            const bytes = (await res.body.arrayBuffer()).byteLength;
            answers.push({ status: res.statusCode, bytes, ms: performance.now() - started });
          } catch (error) {
            answers.push({ status: 0, bytes: 0, ms: performance.now() - started, error: error.code ?? error.message });
            if (emulator.died()) return;
          }
        }
      };
      const lanes = Array.from({ length: polls }, lane);
      // The first wave is waiting before the timed creates start.
      await delay(Math.min(200, waitMs / 2));
      // Spread over three rounds of timeouts, so creates meet long-polls timing out, not just waiting.
      const create = await timedCreates(emulator.url, {
        count: timed,
        body: createBody({ text: 'during long-polls' }),
        spacingMs: (3 * waitMs) / timed,
        deadlineMs,
      });
      out.create = create;
      stop = true;
      await within(Promise.all(lanes), waitMs + 60_000);
      await pool.destroy();
      const settled = await waitSettled(client, { deadlineMs: 20_000 });
      const statuses = {};
      for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
      const timedOut = answers.filter((a) => a.status === 408);
      const expected = warmed + fill.accepted * 20 + create.accepted;
      return {
        create,
        fill: { creates: fill.accepted, journal: journalBefore },
        accepted: fill.accepted + create.accepted,
        lost: expected - settled.health.callbacks.planned,
        settled: settled.settled,
        books: booksBalance(settled.health.callbacks),
        polls: {
          answered: answers.length,
          statuses,
          maxBodyBytes: Math.max(0, ...answers.map((a) => a.bytes)),
          // How much later than its wait a timed-out long-poll was answered.
          maxOverrunMs: round(Math.max(0, ...timedOut.map((a) => a.ms - waitMs))),
        },
      };
    },
  );
}

/**
 * A scenario as large as the limits allow: `rules` rules, each with a long name and a long regex on the text
 * (so every miss quotes a maximal text and a maximal pattern), the last one replying with a maximal template.
 * Its JSON stays within the control API's body limit.
 */
function maximalScenario({ rules = SCENARIO_LIMITS.rules, bodyBytes = SCENARIO_LIMITS.bodyBytes } = {}) {
  const name = (i) => `rule ${i} `.padEnd(64, 'n');
  // A placeholder-filled reply of the template limit: `{{text}}` as often as allowed, padded with text.
  const template = `${'{{text}} '.repeat(SCENARIO_LIMITS.replyPlaceholders)}`.padEnd(SCENARIO_LIMITS.replyTemplateChars, 'r');
  const build = (regexChars) => ({
    version: 1,
    name: 'hostile-maximal',
    description: 'the largest scenario the limits allow'.padEnd(1000, '.'),
    rules: [
      ...Array.from({ length: rules - 1 }, (_, i) => ({
        name: name(i),
        // A literal the text never holds, then a digit: RE2- and V8-compatible, linear on any engine.
        match: { text: { regex: `${`q${i}z`.padEnd(regexChars - 2, 'Q')}\\d` } },
        events: [{ type: 'message-delivered' }],
      })),
      { name: name(rules - 1), match: { tag: 'echo*' }, reply: { text: template } },
    ],
  });
  // The longest regex that keeps the document within the body limit and the regex limits (a margin under the RE2
  // program size for the instructions around the literal).
  let regexChars = Math.min(SCENARIO_LIMITS.regexChars, SCENARIO_LIMITS.regexProgram - 100);
  while (regexChars > 16 && Buffer.byteLength(JSON.stringify(build(regexChars))) > bodyBytes - 1024) regexChars -= 16;
  return { scenario: build(regexChars), regexChars };
}

/**
 * (c) A maximal scenario (maximalScenario()) posted to the control API, then creates that miss every rule: 10
 * recipients, maximal text and tag, so each recipient's explanation would list every rule with the full text; every
 * tenth create is tagged to hit the last rule and its reply template.
 */
export function maximalScenarioLoad({ rules = SCENARIO_LIMITS.rules, timed = 200, deadlineMs = 90_000 } = {}) {
  return withEmulator(
    {
      load: 'maximal scenario, creates missing every rule',
      size: { rules, timed },
      sink: true,
      config: (callbackUrl) => configFor({ callbackUrl }),
    },
    async ({ emulator, client, sink, warmed, out }) => {
      const { scenario, regexChars } = maximalScenario({ rules });
      const scenarioBytes = Buffer.byteLength(JSON.stringify(scenario));
      const loaded = await client.useScenario(scenario);
      if (loaded.status !== 201) throw new Error(`POST /__emulator/scenarios answered ${loaded.status}: ${loaded.text.slice(0, 600)}`);
      const listed = await client.call('GET', '/__emulator/scenarios');
      const group = recipients(CREATE_LIMITS.recipients);
      const text = 'hostile text '.repeat(200).slice(0, CREATE_LIMITS.text);
      const isEcho = (i) => i % 10 === 9;
      const create = await timedCreates(emulator.url, {
        count: timed,
        bodyAt: (i) => createBody({ to: group, text, tag: (isEcho(i) ? 'echo ' : 'miss ').padEnd(CREATE_LIMITS.tag, 't') }),
        deadlineMs,
      });
      out.create = create;
      const settled = await waitSettled(client, { deadlineMs: 30_000 });
      const received = await sink.received();
      // One stored message as the control API shows it: its timeline holds each recipient's explanation.
      const messages = await client.call('GET', '/__emulator/messages?limit=1&tag=' + encodeURIComponent('miss '.padEnd(CREATE_LIMITS.tag, 't')));
      const echoes = Array.from({ length: create.answered }, (_, i) => i).filter(isEcho).length;
      // MMS to 10: sending + delivered per recipient; each echo also gets one reply per recipient (message-received).
      const expected = warmed + (create.accepted - echoes) * 20 + echoes * 30;
      return {
        create,
        accepted: create.accepted,
        lost: expected - received - pendingOf(settled.health),
        settled: settled.settled,
        books: booksBalance(settled.health.callbacks),
        scenario: { rules, regexChars, bytes: scenarioBytes, listBytes: listed.bytes, listStatus: listed.status },
        messageViewBytes: messages.status === 200 ? messages.bytes : undefined,
      };
    },
  );
}

/**
 * (d) `pending` planned steps waiting (10-recipient MMS with sending after 1 h and delivered after 2 h: 20 steps a
 * create), the timed creates on top, then POST /__emulator/time/flush with health requests during the flush.
 * No callback target: every fired step is journaled no-target, so the books count what fired.
 */
export function pendingFlushLoad({ pending = 200_000, timed = 200, deadlineMs = 120_000, healthEveryMs = 25 } = {}) {
  return withEmulator(
    {
      load: 'pending steps, then flush',
      size: { pending, timed },
      sink: false,
      config: () =>
        configFor({ timeScale: 1, callbacks: { sendingDelay: '1h', deliveryDelay: '2h' }, limits: { maxMessages: Math.max(10_000, pending / 20 + timed) } }),
    },
    async ({ emulator, client, warmed, out }) => {
      const group = recipients(CREATE_LIMITS.recipients);
      const creates = Math.ceil(pending / 20);
      const bulk = await bulkCreates(client, { count: creates, concurrency: 16, body: createBody({ to: group, text: 'pending' }), deadlineMs });
      const create = await timedCreates(emulator.url, { count: timed, body: createBody({ text: 'on top of the pending' }), deadlineMs });
      Object.assign(out, { create, bulk });
      const before = await client.health();
      const stepsBefore = before.pendingSteps;
      const rssWithPendingMb = emulator.memory().rssMb;

      // Health, one request at a time, for as long as the flush runs (bounded by the flush's deadline).
      let flushing = true;
      const health = [];
      const prober = (async () => {
        const deadline = performance.now() + deadlineMs;
        while (flushing && performance.now() < deadline) {
          const answer = await timedGet(`${emulator.url}/__emulator/health`, { timeoutMs: deadlineMs });
          health.push({ ...answer, endedAt: performance.now() });
          await delay(healthEveryMs);
        }
      })();
      const flushStarted = performance.now();
      const flush = await client.flush(deadlineMs).catch((error) => ({ status: 0, text: String(error.code ?? error.message) }));
      const flushEnded = performance.now();
      const flushMs = flushEnded - flushStarted;
      flushing = false;
      await prober;
      out.flush = { status: flush.status, answer: flush.text?.slice(0, 200), ms: round(flushMs), stepsBefore, rssWithPendingMb };
      out.healthDuringFlush = {
        requests: health.length,
        answered: health.filter((h) => h.status === 200).length,
        // Sent after the flush and answered before it: the event loop was not held for the whole flush.
        answeredBeforeFlushEnded: health.filter((h) => h.status === 200 && h.endedAt - h.ms > flushStarted && h.endedAt < flushEnded).length,
        maxMs: round(Math.max(0, ...health.map((h) => h.ms))),
      };
      // Whatever is still pending after the flush is what it did not fire; nothing more is due for an hour. An
      // emulator still busy with a flush that did not answer may not answer health either: that is reported as is.
      const settled = await waitSettled(client, { deadlineMs: 5_000 }).catch(() => undefined);
      if (!settled) return { settled: false };
      const expected = warmed + bulk.accepted * 20 + create.accepted;
      return {
        bulk: { sent: bulk.sent, accepted: bulk.accepted, errors: bulk.errors },
        accepted: bulk.accepted + create.accepted,
        lost: expected - settled.health.callbacks.planned,
        settled: settled.settled,
        books: booksBalance(settled.health.callbacks),
        flush: { ...out.flush, stepsAfter: settled.health.pendingSteps, fired: settled.health.callbacks.planned },
      };
    },
  );
}
