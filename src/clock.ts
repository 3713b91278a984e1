import { MinHeap } from './min-heap.js';
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
  /**
   * Run every task waiting now, and every task those schedule, in due order; yields to the event loop every few ms
   * so requests (health, the API) are answered meanwhile. Resolves with how many ran.
   */
  flush(): Promise<number>;
  /** Emulated-delay multiplier: 1 is real time, 0 fires on the next tick, 0.1 ten times faster. */
  scale: number;
  /** Number of tasks still waiting. */
  readonly pending: number;
  /** Cancel every pending task; nothing scheduled before this call will ever run. */
  cancelAll(): void;
}

interface Task extends Scheduled {
  fn: () => void;
  /** When it is due on the clock's own time line (what flush orders by). */
  due: number;
  /** When the one real timer should run it (monotonic ms). */
  fireAt: number;
  /** Scheduling order: ties in time run first-come first-served, as separate timers would. */
  seq: number;
  done: boolean;
}

// The longest wait setTimeout honours.
const MAX_TIMER_MS = 2 ** 31 - 1;

const isImmediate = (timer: NodeJS.Timeout | NodeJS.Immediate): timer is NodeJS.Immediate => !('refresh' in timer);

// The real timer runs tasks by fire time (monotonic); flush runs them by due time on the clock's own time line.
const byFireTime = (a: Task, b: Task) => a.fireAt < b.fireAt || (a.fireAt === b.fireAt && a.seq < b.seq);
const byDueTime = (a: Task, b: Task) => a.due < b.due || (a.due === b.due && a.seq < b.seq);

// A flush runs tasks for this long before it lets the event loop serve requests and I/O again.
const FLUSH_SLICE_MS = 10;

// Cancelled tasks stay in the heap and are skipped when they reach the top (or dropped by a compaction).
const taskHeap = (before: (a: Task, b: Task) => boolean = byFireTime) => new MinHeap<Task>(before);

/**
 * A clock on one real timer with a time scale; `now` can be pinned for deterministic tests. Every scheduled task
 * (timeline steps, retries, sleeps) waits in one heap and a single timer is armed for the earliest: a timer per
 * event would cost a native timer, its closure and its bookkeeping for every callback.
 */
export function createClock(options: { scale?: number; now?: () => number } = {}): Clock {
  let heap = taskHeap();
  let live = 0;
  let cancelled = 0;
  let nextSeq = 0;
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  let timerAt = Infinity;
  const sleepers = new Set<() => void>();
  // While a flush runs: the tasks it will still run (by due time), whether one of them is running now (what it
  // schedules joins the flush), and the flush a new one waits for.
  let flushQueue: MinHeap<Task> | undefined;
  let inFlushedTask = false;
  let lastFlush: Promise<unknown> = Promise.resolve();
  const readNow = options.now ?? Date.now;

  const arm = (): void => {
    let top = heap.peek();
    while (top?.done) {
      heap.pop();
      cancelled--;
      top = heap.peek();
    }
    if (!top) {
      disarm();
      return;
    }
    if (timer && timerAt <= top.fireAt) return;
    disarm();
    timerAt = top.fireAt;
    const wait = top.fireAt - performance.now();
    // Due now (time scale 0, or late): the next turn of the event loop, not setTimeout's minimum of a millisecond.
    // setTimeout fires at once for waits beyond 2^31-1 ms (~24.8 days): wake at most that late; fire() runs only what is due.
    timer = wait <= 0 ? setImmediate(fire) : setTimeout(fire, Math.min(wait, MAX_TIMER_MS));
    // An emulator must never keep a test process alive on its own timers.
    timer.unref();
  };

  const disarm = (): void => {
    if (timer && isImmediate(timer)) clearImmediate(timer);
    else if (timer) clearTimeout(timer);
    timer = undefined;
    timerAt = Infinity;
  };

  const take = (task: Task): void => {
    task.done = true;
    live--;
  };

  const compactIfMostlyCancelled = (): void => {
    if (cancelled > 1024 && cancelled > live) {
      // Drop cancelled tasks and rebuild, so a reset of many long timers does not hold their closures until due.
      heap.retain((t) => !t.done);
      cancelled = 0;
    }
  };

  // Every task waiting when it starts, and what those schedule, in due order: one heap pop per task (the old scan
  // for the earliest task made a flush quadratic, and it stopped after 10,000). Between slices of FLUSH_SLICE_MS it
  // yields (setImmediate), so health and the API keep answering during a flush of hundreds of thousands of tasks.
  const runFlush = async (): Promise<number> => {
    const queue = taskHeap(byDueTime);
    for (const task of heap.values()) if (!task.done) queue.push(task);
    flushQueue = queue;
    let ran = 0;
    try {
      let sliceStart = performance.now();
      for (let task = queue.pop(); task; task = queue.pop()) {
        // Run by its own timer during a yield, cancelled (reset), or every task dropped by cancelAll (close).
        if (task.done) continue;
        take(task);
        // It stays in the timer heap until it reaches the top there, counted like a cancelled task.
        cancelled++;
        inFlushedTask = true;
        try {
          task.fn();
        } finally {
          inFlushedTask = false;
        }
        ran++;
        if (performance.now() - sliceStart >= FLUSH_SLICE_MS) {
          compactIfMostlyCancelled();
          arm();
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
      }
    } finally {
      flushQueue = undefined;
      compactIfMostlyCancelled();
      arm();
    }
    return ran;
  };

  // Runs what is due; tasks scheduled meanwhile wait for the next turn of the event loop, as with separate timers.
  const fire = (): void => {
    timer = undefined;
    timerAt = Infinity;
    // setTimeout counts whole milliseconds: a task due within the next one is due now.
    const horizon = performance.now() + 1;
    const lastSeq = nextSeq;
    try {
      for (let top = heap.peek(); top && top.fireAt <= horizon && top.seq < lastSeq; top = heap.peek()) {
        heap.pop();
        if (top.done) {
          cancelled--;
          continue;
        }
        take(top);
        top.fn();
      }
    } finally {
      arm();
    }
  };

  const clock: Clock = {
    scale: options.scale ?? 1,
    now: readNow,
    get pending() {
      return live;
    },
    schedule(fn, delayMs) {
      const wait = Math.max(0, delayMs * clock.scale);
      const task: Task = {
        fn,
        due: readNow() + wait,
        fireAt: performance.now() + wait,
        seq: nextSeq++,
        done: false,
        cancel() {
          if (task.done) return;
          take(task);
          // Left in the heap and skipped when it comes up; compacted when cancelled ones outnumber the live.
          cancelled++;
          compactIfMostlyCancelled();
        },
      };
      heap.push(task);
      // A follow-up of a task a flush runs (the next timeline step, a reply) is flushed too.
      if (inFlushedTask) flushQueue?.push(task);
      live++;
      if (task.fireAt < timerAt) arm();
      return task;
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
      // One flush at a time: a second one starts when the first is done, with what is waiting then.
      const run = lastFlush.then(runFlush, runFlush);
      lastFlush = run.catch(() => undefined);
      return run;
    },
    cancelAll() {
      disarm();
      for (const task of heap.values()) task.done = true;
      heap = taskHeap();
      live = 0;
      cancelled = 0;
      for (const wake of [...sleepers]) wake();
    },
  };
  return clock;
}
