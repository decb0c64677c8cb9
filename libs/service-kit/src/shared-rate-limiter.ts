import { LRUCache } from 'lru-cache';

/** What the shared store answered for a key: its total in the current window and the ms left of it. */
export interface WindowCount {
  total: number;
  msLeft: number;
}

/** Port: counters every instance shares, in fixed windows (RedisRateLimitStore). */
export interface RateLimitStore {
  /** Adds `points` to `key` in the current window; resolves the window's total over every instance. */
  add(key: string, points: number): Promise<WindowCount>;
  /** Takes back points added for a request that was refused after all. */
  remove(key: string, points: number): Promise<void>;
}

export interface SharedRateLimiterOptions {
  /** Points each key may spend per window, over every instance together. */
  limit: number;
  windowMs: number;
  /** Keys remembered by this instance; a forgotten key loses its unreported points (fewer than a batch). */
  maxKeys: number;
  /**
   * Points this instance admits for a key before it reports them to the store: the most each instance may
   * admit beyond the limit per window. Default: 1 % of the limit (at least 1).
   */
  batch?: number;
  /** Milliseconds clock, for the window ends the store reports; tests pass their own. */
  clock?: () => number;
}

/** One key's window as this instance knows it. */
interface KeyWindow {
  endsAt: number;
  /** The window's total over every instance, as the store last answered. */
  known: number;
  /** Reported, not yet answered. */
  sending: number;
  /** Admitted here, not yet reported. */
  pending: number;
}

/**
 * A limit shared by every instance, in fixed windows counted by a store (Redis), two ways:
 * - `take`, the synchronous local fast path for hot routes: it decides from what this instance knows, in
 *   memory, and reports admitted points to the store in batches (one store call per `batch` points of a
 *   key). Over N instances a window admits at most limit + N × batch, plus the points admitted while a
 *   report is in flight.
 * - `consume`, exact, for routes that wait on I/O anyway: one store call per request.
 * Either way a key the store has put over the limit is refused here, without asking the store again,
 * until its window ends. docs/adr/0014-shared-rate-limits.md.
 */
export class SharedRateLimiter {
  private readonly windows: LRUCache<string, KeyWindow>;
  private readonly batch: number;
  private readonly clock: () => number;

  constructor(
    private readonly store: RateLimitStore,
    private readonly options: SharedRateLimiterOptions,
  ) {
    this.windows = new LRUCache({ max: options.maxKeys });
    this.batch = options.batch ?? Math.max(1, Math.floor(options.limit / 100));
    this.clock = options.clock ?? Date.now;
  }

  /** Takes `points` for `key` at `now` (ms): 0 when admitted, else the whole seconds until its window ends. */
  take(key: string, now: number, points = 1): number {
    const window = this.window(key, now);
    if (this.over(window, points)) return secondsLeft(window, now);
    window.pending += points;
    if (window.pending >= this.batch) this.report(key, window);
    return 0;
  }

  /** As `take`, but the store counts `points` before they are admitted: exact over any number of instances. */
  async consume(key: string, now: number, points = 1): Promise<number> {
    const window = this.window(key, now);
    if (this.over(window, points)) return secondsLeft(window, now);
    window.sending += points;
    let answer: WindowCount;
    try {
      answer = await this.store.add(key, points);
    } catch {
      window.sending -= points;
      window.known += points;
      return 0;
    }
    window.sending -= points;
    window.endsAt = this.clock() + answer.msLeft;
    window.known = answer.total;
    if (answer.total <= this.options.limit) return 0;
    // Refused: its points go back, so that only admitted requests use the window.
    window.known -= points;
    this.store.remove(key, points).catch(() => undefined);
    return secondsLeft(window, this.clock());
  }

  private window(key: string, now: number): KeyWindow {
    let window = this.windows.get(key);
    if (window === undefined) {
      window = { endsAt: now + this.options.windowMs, known: 0, sending: 0, pending: 0 };
      this.windows.set(key, window);
    } else if (now >= window.endsAt) {
      // A new window; the same object, since a report in flight settles on it. Points admitted in the
      // last window and not reported yet are forgotten with it.
      Object.assign(window, { endsAt: now + this.options.windowMs, known: 0, pending: 0 });
    }
    return window;
  }

  private over(window: KeyWindow, points: number): boolean {
    return window.known + window.sending + window.pending + points > this.options.limit;
  }

  private report(key: string, window: KeyWindow): void {
    const points = window.pending;
    window.pending = 0;
    window.sending += points;
    this.store.add(key, points).then(
      ({ total, msLeft }) => {
        window.sending -= points;
        window.known = total;
        window.endsAt = this.clock() + msLeft;
      },
      () => {
        // The store adapter falls back on its own insurance; should even that fail, keep counting here.
        window.sending -= points;
        window.known += points;
      },
    );
  }
}

const secondsLeft = (window: KeyWindow, now: number) => Math.max(1, Math.ceil((window.endsAt - now) / 1000));
