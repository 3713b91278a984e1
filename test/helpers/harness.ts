import { expect } from 'vitest';
import type { DeliveryBooks } from '../../src/callbacks/dispatcher.js';
import { connectEmulator } from '../../src/control/client.js';
import type { ControlOperations } from '../../src/control/operations.js';
import type { RunningEmulator } from '../../src/start.js';
import type { JournalFilter } from '../../src/store/journal.js';
import type { JournalEntry } from '../../src/store/journal.js';
import type { CallbackSink } from './sink.js';
import { useEmulators } from './fixture.js';

/** The fixture (test/helpers/fixture.ts) under its former name, for the files that still call it by that name. */
export const useCallbackHarness = useEmulators;

/** Resolve once nothing is left to happen (the library's idle(): no step scheduled, no callback in flight). */
export async function settled(running: RunningEmulator, timeoutMs = 5000): Promise<void> {
  await running.idle({ timeoutMs });
}

/** Wait until the journal holds `n` entries matching the filter, following them one after another (long-poll). */
export async function journaled(running: RunningEmulator, filter: JournalFilter, n: number, timeoutMs = 5000): Promise<void> {
  let afterSeq = 0;
  for (let i = 0; i < n; i++) afterSeq = (await running.callbacks.waitFor({ ...filter, afterSeq }, { timeoutMs })).seq;
}

/** One element of a callback body, as much of it as the tests read. */
export interface EventBody {
  type: string;
  time: string;
  description: string;
  to: string;
  errorCode?: number;
  message: { id: string; owner: string; applicationId: string; direction: string; to: string[]; from: string; text: string; media?: string[]; tag?: string };
}

/** Every event every sink request carried, in arrival order. */
export function events(sink: CallbackSink): EventBody[] {
  return sink.requests.flatMap((r) => r.body as EventBody[]);
}

/** The fire order of an event: the emulator numbers events `ev-N` as their steps fire. */
const fireOrder = (entry: JournalEntry) => Number(entry.eventId.replace(/^ev-/, ''));

/**
 * The status events of one message and recipient, as `type[ errorCode]`, in the order the emulator fired them, after
 * checking that the sink received exactly those bodies. (Arrival order at the sink is not used: with fast settings a
 * recipient's events are sent ~1 ms apart on pooled connections and may overtake each other, as Bandwidth's may.)
 */
export function sequence(running: RunningEmulator, sink: CallbackSink, messageId: string, recipient: string): string[] {
  const acknowledged = running.emulator.parts.journal.list({ messageId, recipient, outcome: 'delivered' }).sort((a, b) => fireOrder(a) - fireOrder(b));
  const atSink = events(sink).filter((e) => e.message.id === messageId && e.to === recipient && e.message.direction === 'out');
  expect(atSink.map((e) => JSON.stringify(e)).sort()).toEqual(acknowledged.map((j) => JSON.stringify(j.request.body[0])).sort());
  return acknowledged.map((j) => {
    const event = j.request.body[0] as EventBody;
    return event.type + (event.errorCode !== undefined ? ` ${event.errorCode}` : '');
  });
}

/** The delivery books balance: every planned event is delivered, pending, or settled some other counted way. */
export function expectBooksBalance(books: DeliveryBooks): void {
  expect(books.planned).toBe(books.delivered + books.pending + books.exhausted + books.noTarget + books.notRequested + books.dropped + books.cancelled);
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the operation to reject, it resolved');
}

/** The two ways to reach the control operations, for describe.each: in-process (the library) and over HTTP. */
export const CONTROL_CONNECTIONS: Array<[string, (running: RunningEmulator) => ControlOperations]> = [
  ['library', (running) => running],
  ['http', (running) => connectEmulator(running.url)],
];
