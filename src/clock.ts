/** A cancellable handle for a scheduled task. */
export interface Scheduled {
  cancel(): void;
}

/** The only way the emulator reads time or starts a timer, so tests can scale time and close() can cancel everything. */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
  /** Run `fn` after `delayMs` emulated milliseconds (multiplied by the time scale). */
  schedule(fn: () => void, delayMs: number): Scheduled;
  /** Wait `delayMs` emulated ms; released early (not rejected) by cancelAll so nothing waits on a closed emulator. */
  sleep(delayMs: number): Promise<void>;
  /** Run every scheduled task now, in due order, including tasks they schedule with no delay. */
  flush(): number;
  /** Emulated-delay multiplier: 1 is real time, 0 fires on the next tick, 0.1 ten times faster. */
  scale: number;
  /** Number of tasks still waiting. */
  readonly pending: number;
  /** Cancel every pending task; nothing scheduled before this call will ever run. */
  cancelAll(): void;
}

interface Task {
  fn: () => void;
  due: number;
  timer: NodeJS.Timeout;
}

// The longest wait setTimeout honours; longer ones are chained.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A clock on real timers with a time scale; `now` can be pinned for deterministic tests. */
export function createClock(options: { scale?: number; now?: () => number } = {}): Clock {
  const tasks = new Set<Task>();
  const sleepers = new Set<() => void>();
  const readNow = options.now ?? Date.now;

  const run = (task: Task): void => {
    if (!tasks.delete(task)) return;
    task.fn();
  };

  const clock: Clock = {
    scale: options.scale ?? 1,
    now: readNow,
    get pending() {
      return tasks.size;
    },
    schedule(fn, delayMs) {
      const wait = Math.max(0, delayMs * clock.scale);
      const task: Task = { fn, due: readNow() + wait, timer: undefined as unknown as NodeJS.Timeout };
      // setTimeout fires at once for waits beyond 2^31-1 ms (~24.8 days): wait in chunks so a long delay stays long.
      let left = wait;
      const arm = () => {
        const chunk = Math.min(left, MAX_TIMER_MS);
        left -= chunk;
        task.timer = setTimeout(() => (left > 0 ? arm() : run(task)), chunk);
        // An emulator must never keep a test process alive on its own timers.
        task.timer.unref();
      };
      arm();
      tasks.add(task);
      return {
        cancel() {
          if (tasks.delete(task)) clearTimeout(task.timer);
        },
      };
    },
    sleep(delayMs) {
      return new Promise<void>((resolve) => {
        const wake = () => {
          sleepers.delete(wake);
          resolve();
        };
        sleepers.add(wake);
        clock.schedule(wake, delayMs);
      });
    },
    flush() {
      let ran = 0;
      // Tasks may schedule follow-ups (a retry, the next timeline step); keep draining, bounded so a loop cannot hang.
      for (let round = 0; round < 10_000 && tasks.size > 0; round++) {
        const next = [...tasks].sort((a, b) => a.due - b.due)[0]!;
        clearTimeout(next.timer);
        run(next);
        ran++;
      }
      return ran;
    },
    cancelAll() {
      for (const task of tasks) clearTimeout(task.timer);
      tasks.clear();
      for (const wake of [...sleepers]) wake();
    },
  };
  return clock;
}
