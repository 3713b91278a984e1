import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Emulator } from './emulator.js';

/** Prometheus metrics for one emulator, in its own registry (several emulators may share a process). */
export function createMetrics(emulator: Emulator): Registry {
  const registry = new Registry();
  const messages = new Counter({
    name: 'bwemu_messages_total',
    help: 'Messages accepted (out) or received (in)',
    labelNames: ['direction'],
    registers: [registry],
  });
  const outcomes = new Counter({
    name: 'bwemu_message_status_total',
    help: 'Recipient status changes by status (DELIVERED, FAILED, ...)',
    labelNames: ['status'],
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'bwemu_callback_attempts_total',
    help: 'Callback journal entries by outcome',
    labelNames: ['outcome', 'type'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'bwemu_callback_latency_seconds',
    help: 'Duration of callback POSTs that reached a receiver',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  emulator.messages.subscribe((change) => {
    if (change.kind === 'added') messages.inc({ direction: change.message.direction });
    else {
      const row = change.message.recipients.find((r) => r.to === change.recipient);
      if (row) outcomes.inc({ status: row.status });
    }
  });
  emulator.callbackJournal.subscribe((entry) => {
    attempts.inc({ outcome: entry.outcome, type: entry.type });
    if (entry.attempt > 0) latency.observe(entry.durationMs / 1000);
  });
  // Gauges read the live sizes when scraped.
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('bwemu_callbacks_pending', 'Callback events awaiting delivery or retry (the retry queue)', () => emulator.stats().callbacks.pending);
  gauge('bwemu_callbacks_exhausted', 'Callback events whose retries ran out', () => emulator.stats().callbacks.exhausted);
  gauge('bwemu_steps_pending', 'Timeline steps scheduled but not yet fired', () => emulator.stats().pendingSteps);
  gauge('bwemu_store_messages', 'Messages held in the store', () => emulator.stats().messages.messages);
  gauge('bwemu_store_evicted_total', 'Messages evicted by the store cap', () => emulator.stats().messages.evicted);
  gauge('bwemu_journal_entries', 'Entries held in the callback journal', () => emulator.stats().journal.entries);
  gauge('bwemu_journal_evicted_total', 'Journal entries evicted by its cap', () => emulator.stats().journal.evicted);
  gauge('bwemu_media_bytes', 'Media bytes held', () => emulator.stats().media.bytes);
  gauge('bwemu_media_evicted_total', 'Media objects evicted by the byte cap', () => emulator.stats().media.evicted);
  return registry;
}
