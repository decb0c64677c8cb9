/**
 * The delay before retry number `failures` (1 for the first) against a dependency that keeps failing:
 * doubling from `initialMs` up to `maxMs`, drawn from the upper half of its step so that workers that
 * failed together do not all retry in the same instant.
 */
export function backoffDelay(
  failures: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(maxMs, initialMs * 2 ** (failures - 1));
  return Math.round(step / 2 + (step / 2) * random());
}

/** Counts the failures in a row of one dependency and answers how long to wait after each. */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** True between a failure and the next success. */
  get failing(): boolean {
    return this.failures > 0;
  }

  /** Records a failure and returns how long to wait before the next attempt. */
  next(): number {
    this.failures += 1;
    return backoffDelay(this.failures, this.initialMs, this.maxMs, this.random);
  }

  /** Records a success: the next failure starts again from `initialMs`. */
  reset(): void {
    this.failures = 0;
  }
}

/** Retries against Postgres or Redis: quick at first to catch up after a blip, then every few seconds. */
export const dependencyBackoff = () => new Backoff(100, 5_000);
