// GET /__emulator/metrics after a run: the body is valid Prometheus text format (every line checked against the
// exposition grammar, then parsed by parse-prometheus-text-format), and its counters agree with the journal and store.
import parsePrometheusTextFormat, { type MetricFamily } from 'parse-prometheus-text-format';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { useEmulators } from '../helpers/fixture.js';
import { settled } from '../helpers/harness.js';

const ACCOUNT = '9900000';
const APP = '93de2206-9669-4e07-948d-329f4b722ee2';
const FROM = '+19195550100';
const BASIC = 'Basic ' + Buffer.from('bw-user:bw-password').toString('base64');
// The receiver answers 500 once for this recipient: one 'retrying' attempt, then 'delivered'.
const FLAKY = '+19195557303';

const emulators = useEmulators();

// The text format's line grammar (prometheus.io/docs/instrumenting/exposition_formats): comments, then samples.
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABELS = `\\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*",?)*\\}`;
const VALUE = '(?:[-+]?(?:\\d+\\.?\\d*(?:[eE][-+]?\\d+)?|\\.\\d+(?:[eE][-+]?\\d+)?)|[-+]?Inf|NaN)';
const SAMPLE = new RegExp(`^(${NAME})(?:${LABELS})? ${VALUE}(?: -?\\d+)?$`);
const HELP = new RegExp(`^# HELP (${NAME}) .*$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

function checkGrammar(text: string): void {
  const typed = new Map<string, string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const type = TYPE.exec(line);
    if (type) {
      typed.set(type[1]!, type[2]!);
      continue;
    }
    if (HELP.test(line)) continue;
    const sample = SAMPLE.exec(line);
    expect(sample, `line ${i + 1} is not a valid sample: ${line}`).not.toBeNull();
    const family = sample![1]!.replace(/_(bucket|sum|count)$/, '');
    expect(typed.has(sample![1]!) || typed.get(family) === 'histogram', `line ${i + 1}: ${sample![1]} has no # TYPE line before it`).toBe(true);
  }
}

const sampleValue = (families: MetricFamily[], name: string, labels: Record<string, string> = {}) => {
  const family = families.find((f) => f.name === name);
  expect(family, `metric ${name}`).toBeDefined();
  const sample = family!.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(sample?.value ?? 0);
};

describe('GET /__emulator/metrics', () => {
  it('is valid Prometheus text whose counters match the journal and the store after a run', async () => {
    let failedOnce = false;
    const sink = await emulators.newSink((req, res) => {
      if (!failedOnce && JSON.stringify(req.body).includes(FLAKY)) {
        failedOnce = true;
        res.writeHead(500).end();
        return 'handled';
      }
    });
    const running = await emulators.start({
      timeScale: 0.01,
      accounts: [
        {
          id: ACCOUNT,
          users: [{ username: 'bw-user', password: 'bw-password' }],
          applications: [{ id: APP, callbackUrl: sink.url }],
          numbers: [{ number: FROM, applicationId: APP }],
        },
      ],
    });
    // Delivered, failed 4720 (magic number), retried once, an MMS group (message-sending + delivered each), inbound.
    const sends: Array<{ to: string[]; media?: string[] }> = [
      { to: ['+19195557301'] },
      { to: ['+15551004720'] },
      { to: [FLAKY] },
      { to: ['+19195557304', '+19195557305'] },
    ];
    for (const body of sends) {
      const res = await request(`${running.url}/users/${ACCOUNT}/messages`, {
        method: 'POST',
        headers: { authorization: BASIC, 'content-type': 'application/json' },
        body: JSON.stringify({ applicationId: APP, from: FROM, text: 'metrics', ...body }),
      });
      expect(res.statusCode).toBe(202);
      await res.body.dump();
    }
    await running.inbound({ from: '+19195559999', to: [FROM], text: 'hello' });
    await settled(running);

    const res = await request(`${running.url}/__emulator/metrics`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.body.text();
    checkGrammar(text);
    const families = parsePrometheusTextFormat(text);

    // Callback attempts by outcome and type: exactly the journal's entries.
    const journal = await running.callbacks.list();
    const byKey = new Map<string, number>();
    for (const e of journal) byKey.set(`${e.outcome} ${e.type}`, (byKey.get(`${e.outcome} ${e.type}`) ?? 0) + 1);
    const attempts = families.find((f) => f.name === 'bwemu_callback_attempts_total')!;
    expect(new Map(attempts.metrics.map((m) => [`${m.labels!.outcome} ${m.labels!.type}`, Number(m.value)]))).toEqual(byKey);
    expect(byKey.get('retrying message-delivered'), 'the run had a retry').toBe(1);
    expect(byKey.get('delivered message-failed')).toBe(1);
    expect(byKey.get('delivered message-received')).toBe(1);
    // Latency is observed once per POST made: every journal entry with an attempt number.
    const latency = families.find((f) => f.name === 'bwemu_callback_latency_seconds')!;
    expect(Number(latency.metrics[0]!.count)).toBe(journal.filter((e) => e.attempt > 0).length);
    // Messages by direction, store and journal sizes, nothing pending.
    const messages = await running.messages.list();
    expect(sampleValue(families, 'bwemu_messages_total', { direction: 'out' })).toBe(messages.filter((m) => m.direction === 'out').length);
    expect(sampleValue(families, 'bwemu_messages_total', { direction: 'in' })).toBe(1);
    expect(sampleValue(families, 'bwemu_store_messages')).toBe(messages.length);
    expect(sampleValue(families, 'bwemu_journal_entries')).toBe(journal.length);
    expect(sampleValue(families, 'bwemu_callbacks_pending')).toBe(0);
    expect(sampleValue(families, 'bwemu_steps_pending')).toBe(0);
    // Final statuses: one DELIVERED change per delivered recipient, one FAILED for the magic number.
    const recipients = messages.filter((m) => m.direction === 'out').flatMap((m) => m.recipients);
    expect(sampleValue(families, 'bwemu_message_status_total', { status: 'DELIVERED' })).toBe(recipients.filter((r) => r.status === 'DELIVERED').length);
    expect(sampleValue(families, 'bwemu_message_status_total', { status: 'FAILED' })).toBe(1);
    expect(sampleValue(families, 'bwemu_message_status_total', { status: 'SENDING' })).toBe(2);
  });
});
