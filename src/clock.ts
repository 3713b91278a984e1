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

const before = (a: Task, b: Task) => a.fireAt < b.fireAt || (a.fireAt === b.fireAt && a.seq < b.seq);

/** A binary min-heap of tasks by fire time; cancelled tasks are skipped when they reach the top. */
class TaskHeap {
  items: Task[] = [];

  push(task: Task): void {
    const items = this.items;
    let i = items.push(task) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(task, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = task;
  }

  peek(): Task | undefined {
    return this.items[0];
  }

  pop(): Task | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && before(items[right]!, items[left]!) ? right : left;
      if (!before(items[child]!, last)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }

  /** Drop cancelled tasks and rebuild, so a reset of many long timers does not hold their closures until due. */
  compact(): void {
    const live = this.items.filter((t) => !t.done);
    this.items = [];
    for (const task of live) this.push(task);
  }
}

/**
 * A clock on one real timer with a time scale; `now` can be pinned for deterministic tests. Every scheduled task
 * (timeline steps, retries, sleeps) waits in one heap and a single timer is armed for the earliest: a timer per
 * event would cost a native timer, its closure and its bookkeeping for every callback.
 */
export function createClock(options: { scale?: number; now?: () => number } = {}): Clock {
  let heap = new TaskHeap();
  let live = 0;
  let cancelled = 0;
  let nextSeq = 0;
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  let timerAt = Infinity;
  const sleepers = new Set<() => void>();
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
          if (++cancelled > 1024 && cancelled > live) {
            heap.compact();
            cancelled = 0;
          }
        },
      };
      heap.push(task);
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
      let ran = 0;
      // Tasks may schedule follow-ups (a retry, the next timeline step); keep draining, bounded so a loop cannot hang.
      for (let round = 0; round < 10_000 && live > 0; round++) {
        let next: Task | undefined;
        for (const task of heap.items) if (!task.done && (!next || task.due < next.due || (task.due === next.due && task.seq < next.seq))) next = task;
        if (!next) break;
        take(next);
        cancelled++;
        next.fn();
        ran++;
      }
      if (cancelled > 1024 && cancelled > live) {
        heap.compact();
        cancelled = 0;
      }
      arm();
      return ran;
    },
    cancelAll() {
      disarm();
      for (const task of heap.items) task.done = true;
      heap = new TaskHeap();
      live = 0;
      cancelled = 0;
      for (const wake of [...sleepers]) wake();
    },
  };
  return clock;
}
