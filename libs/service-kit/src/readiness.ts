/**
 * A dependency the app needs to serve traffic. `/ready` pings each one; any failure makes it answer 503
 * naming the dependency.
 */
export interface ReadinessCheck {
  /** Name shown in /ready, e.g. "coreDatabase" or "cacheRedis". */
  readonly name: string;
  ping(): Promise<unknown>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
