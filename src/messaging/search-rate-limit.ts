import type { Clock, Scheduled } from '../clock.js';
import type { TrafficSettings } from '../config/traffic.js';

// The search API's rate limit (README "Search and media limits"): "rate limited to 3500 requests per 5 minutes per
// Source IP address. Exceeding the limit returns HTTP 429 with a `Retry-After` header" (the spec's listMessages,
// bandwidth.yml). A fixed window per source IP, opened by its first search and closed by a task on the emulator's
// clock, so `timeScale` and `POST /__emulator/time/flush` end it as they end every other emulated wait. The spec's
// example Retry-After is 300, the whole 5-minute window: the wait of a client that used the window up at once, which
// is what a fixed window answers (a sliding log would also cost one timestamp per request per IP).

/** Source IPs tracked at once; past it the oldest window is forgotten (that IP starts afresh), and counted. */
const MAX_TRACKED_IPS = 10_000;

/** One source IP's window: how many searches it counted, when it opened (clock ms), its length, and its closing task. */
interface Window {
  count: number;
  openedAt: number;
  windowMs: number;
  closes: Scheduled;
}

/** A search refused: the Retry-After in seconds, and the limit it went past (for the refusal log). */
export interface SearchRefusal {
  retryAfterSeconds: number;
  requests: number;
  windowMs: number;
}

/** The sizes the health report shows. */
export interface SearchRateLimitStats {
  /** Source IPs with an open window. */
  trackedIps: number;
  /** Windows forgotten to stay within MAX_TRACKED_IPS. */
  evicted: number;
}

/**
 * Counts searches per source IP in fixed windows on the emulator's clock. Only the searches of accounts whose
 * `searchRateLimit` is on are counted, against that account's `searchRate`; a refused search is not counted.
 */
export class SearchRateLimit {
  // Insertion order is opening order: the first entry is the oldest window, the one evicted.
  private readonly windows = new Map<string, Window>();
  private evicted = 0;

  constructor(
    private readonly clock: Clock,
    private readonly cap = MAX_TRACKED_IPS,
  ) {}

  /** Count one search from `ip` under these settings: undefined when allowed, else why it is refused and the Retry-After. */
  take(ip: string, settings: Pick<TrafficSettings, 'searchRateLimit' | 'searchRate'>): SearchRefusal | undefined {
    if (!settings.searchRateLimit) return undefined;
    const { requests, windowMs } = settings.searchRate;
    const window = this.windows.get(ip) ?? this.open(ip, windowMs);
    if (window.count >= requests) return { retryAfterSeconds: this.retryAfter(window), requests, windowMs: window.windowMs };
    window.count++;
    return undefined;
  }

  /** Forget every window (a reset: one test's searches never count against the next). */
  reset(): void {
    for (const window of this.windows.values()) window.closes.cancel();
    this.windows.clear();
  }

  /** Tracked IPs and evictions, for the health report. */
  stats(): SearchRateLimitStats {
    return { trackedIps: this.windows.size, evicted: this.evicted };
  }

  private open(ip: string, windowMs: number): Window {
    if (this.windows.size >= this.cap) {
      const [oldestIp, oldest] = this.windows.entries().next().value as [string, Window];
      oldest.closes.cancel();
      this.windows.delete(oldestIp);
      this.evicted++;
    }
    const window: Window = {
      count: 0,
      openedAt: this.clock.now(),
      windowMs,
      closes: this.clock.schedule(() => {
        if (this.windows.get(ip) === window) this.windows.delete(ip);
      }, windowMs),
    };
    this.windows.set(ip, window);
    return window;
  }

  // Whole emulated seconds until the window closes, at least 1 (an integer, as the spec's header is). The clock's
  // `now` is real time; its tasks wait windowMs × the time scale, so the emulated time gone is the real time ÷ scale.
  private retryAfter(window: Window): number {
    const scale = this.clock.scale;
    const gone = scale > 0 ? (this.clock.now() - window.openedAt) / scale : window.windowMs;
    const left = Math.min(window.windowMs, Math.max(0, window.windowMs - gone));
    return Math.max(1, Math.ceil(left / 1000));
  }
}
