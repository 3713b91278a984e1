// The fixture every e2e file starts emulators with (test/helpers/fixture.ts): what a test starts is closed after that
// test, what a beforeAll starts stays open until the file ends. These tests run in order and read each other's state.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import type { CallbackSink } from '../helpers/sink.js';

const emulators = useEmulators();
let shared: RunningEmulator;
let own: { running: RunningEmulator; sink: CallbackSink; deferred: boolean } | undefined;

beforeAll(async () => {
  shared = await emulators.start({ permissive: true });
});

describe('useEmulators', () => {
  it('a test starts its own emulator and sink, and defers a cleanup', async () => {
    own = { running: await emulators.start(), sink: await emulators.newSink(), deferred: false };
    emulators.defer(() => {
      own!.deferred = true;
    });
    expect(own.running.emulator.closed).toBe(false);
    expect((await fetch(`${own.running.url}/__emulator/ready`)).status).toBe(200);
  });

  it('after that test its emulator is closed, its sink no longer listens and the cleanup ran; the beforeAll emulator still serves', async () => {
    expect(own!.running.emulator.closed).toBe(true);
    await expect(fetch(own!.sink.url, { method: 'POST', body: '[]' })).rejects.toThrow();
    expect(own!.deferred).toBe(true);
    expect(shared.emulator.closed).toBe(false);
    expect((await fetch(`${shared.url}/__emulator/ready`)).status).toBe(200);
  });
});
