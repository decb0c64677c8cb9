import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { RebuildPersonalisedUsers } from '../domain/rebuild-personalised-users.use-case';

// A failed check (at start-up the durable Redis connection may still be coming up) is tried again this
// soon, then twice as late each time, up to the regular interval.
const FIRST_RETRY_MS = 1_000;

/**
 * Keeps the personalised-users index complete: checks it at start-up and then every `checkEveryMs`, and
 * rebuilds it from the core database when some bucket is not complete. Until then core-api asks the
 * database for every user nothing is cached for, as it did before the index existed.
 */
export class PersonalisedUsersKeeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PersonalisedUsersKeeper.name);
  private timer?: NodeJS.Timeout;
  private running = Promise.resolve();
  private stopped = false;
  private retryMs = FIRST_RETRY_MS;

  constructor(
    private readonly rebuild: RebuildPersonalisedUsers,
    private readonly checkEveryMs: number,
  ) {}

  onApplicationBootstrap() {
    this.check();
  }

  async beforeApplicationShutdown() {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private check() {
    let nextInMs = this.checkEveryMs;
    this.running = this.rebuild.run().then(
      (result) => {
        this.retryMs = FIRST_RETRY_MS;
        if (result.outcome === 'rebuilt')
          this.logger.log(
            `personalised-users index rebuilt: ${result.users} users, ${result.buckets} buckets marked complete`,
          );
      },
      (error: Error) => {
        nextInMs = Math.min(this.retryMs, this.checkEveryMs);
        this.retryMs *= 2;
        this.logger.warn(
          `personalised-users index check failed, retrying in ${nextInMs} ms: ${error.message}`,
        );
      },
    );
    // `running` never rejects (a failed check is logged above); the next check is scheduled when it ends.
    void this.running.then(() => {
      if (this.stopped) return;
      this.timer = setTimeout(() => this.check(), nextInMs);
      this.timer.unref();
    });
  }
}
