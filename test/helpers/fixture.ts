import { afterAll, afterEach, beforeEach } from 'vitest';
import { startEmulator, type RunningEmulator, type StartOptions } from '../../src/start.js';
import { startSink, type CallbackSink, type SinkBehaviour } from './sink.js';
import { assertCallbackMatchesSpec } from './spec.js';

/** What a test file starts through the fixture; each is closed at the end of the scope that started it. */
export interface EmulatorFixture {
  /**
   * Start an emulator in-process (startEmulator: 127.0.0.1, a free port, logging nothing) with these options. Started
   * in a test (or beforeEach) it is closed after that test; started in beforeAll, after the file's last test.
   */
  start(options?: StartOptions): Promise<RunningEmulator>;
  /** Start a callback sink on 127.0.0.1:0; at teardown every body it received is checked against the spec. */
  newSink(behaviour?: SinkBehaviour): Promise<CallbackSink>;
  /** Run `cleanup` at the same teardown, after the emulators are closed (newest first): servers, streams, apps. */
  defer(cleanup: () => unknown): void;
  /** Emulators of the current test started some other way (e.g. a test of startEmulator itself): closed after it. */
  emulators: RunningEmulator[];
  /** Sinks of the current test started some other way: checked against the spec and closed after it. */
  sinks: CallbackSink[];
  /** How many callback bodies the teardowns have checked against the spec so far. */
  checked: { bodies: number };
}

interface Scope {
  emulators: RunningEmulator[];
  sinks: CallbackSink[];
  cleanups: Array<() => unknown>;
}

/**
 * The one fixture for tests that start emulators: call it at the top of the file (or of a describe block), then
 * `start()` emulators and `newSink()` sinks anywhere; nothing needs its own afterEach/afterAll. At each teardown the
 * emulators close first, then `beforeClose` runs (e.g. to end held responses), then the deferred cleanups, then every
 * body a sink received is checked against the spec's callback schemas and the sinks close; the first body that does
 * not match fails the test (or, for a beforeAll scope, the file).
 */
export function useEmulators(options: { beforeClose?: () => void } = {}): EmulatorFixture {
  const perTest: Scope = { emulators: [], sinks: [], cleanups: [] };
  const perFile: Scope = { emulators: [], sinks: [], cleanups: [] };
  const checked = { bodies: 0 };
  // Between beforeEach and afterEach a test is running: what it starts is its own; anything else belongs to the file.
  let inTest = false;
  const scope = () => (inTest ? perTest : perFile);

  async function teardown(s: Scope): Promise<void> {
    const started = s.emulators.splice(0);
    const used = s.sinks.splice(0);
    const cleanups = s.cleanups.splice(0).reverse();
    const problems: unknown[] = [];
    try {
      await Promise.all(started.map((r) => r.close()));
      options.beforeClose?.();
      for (const cleanup of cleanups) await cleanup();
      for (const sink of used) {
        for (const request of sink.requests) {
          try {
            assertCallbackMatchesSpec(request.body);
            checked.bodies++;
          } catch (error) {
            problems.push(error);
          }
        }
      }
    } finally {
      await Promise.all(used.map((sink) => sink.close()));
    }
    if (problems.length > 0) throw problems[0];
  }

  beforeEach(() => {
    inTest = true;
  });
  afterEach(async () => {
    inTest = false;
    await teardown(perTest);
  });
  afterAll(() => teardown(perFile));

  return {
    async start(config = {}) {
      const owner = scope();
      const running = await startEmulator(config);
      owner.emulators.push(running);
      return running;
    },
    async newSink(behaviour) {
      const owner = scope();
      const sink = await startSink(behaviour);
      owner.sinks.push(sink);
      return sink;
    },
    defer(cleanup) {
      scope().cleanups.push(cleanup);
    },
    emulators: perTest.emulators,
    sinks: perTest.sinks,
    checked,
  };
}
