import type { WidgetInvalidation } from '@hwp/cache';
import type { ScreenChange } from './live-screens';

/** Told when a window of a widget this instance holds opens or closes. */
export type WindowListener = (change: ScreenChange) => void;

/** setTimeout's largest delay; a later boundary is waited for in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * The times at which a scheduled widget held in memory starts or stops being shown (ADR 0030): one timer,
 * at the earliest, so that open screens hear of the change at that moment though nothing was written.
 * A boundary registered twice is told once; one whose widget was reloaded since is told all the same
 * (the screen then reads and finds it unchanged, which costs a 304).
 */
export class WindowClock {
  private readonly due = new Map<number, Map<string, WidgetInvalidation>>();
  private readonly listeners: WindowListener[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(private readonly now: () => number = Date.now) {}

  onBoundary(listener: WindowListener): void {
    this.listeners.push(listener);
  }

  /** Tells the listeners of `change` at `time` (epoch ms), unless it is past. */
  at(time: number, change: WidgetInvalidation): void {
    if (time <= this.now()) return;
    let changes = this.due.get(time);
    if (changes === undefined) this.due.set(time, (changes = new Map()));
    changes.set(`${change.productId} ${change.audience}`, change);
    if (time < this.timerAt) this.schedule(time);
  }

  /** Boundaries waiting to be told (the tests read it). */
  get pending(): number {
    let count = 0;
    for (const changes of this.due.values()) count += changes.size;
    return count;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private schedule(time: number): void {
    clearTimeout(this.timer);
    this.timerAt = time;
    this.timer = setTimeout(() => this.fire(), Math.min(Math.max(time - this.now(), 0), MAX_DELAY_MS));
    this.timer.unref(); // a pending boundary never keeps the process alive
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.now();
    const told: ScreenChange[] = [];
    let next = Infinity;
    for (const [time, changes] of this.due) {
      if (time <= now) {
        this.due.delete(time);
        for (const change of changes.values()) told.push({ ...change, windowBoundary: true });
      } else if (time < next) next = time;
    }
    if (next !== Infinity) this.schedule(next);
    for (const change of told) for (const listener of this.listeners) listener(change);
  }
}
