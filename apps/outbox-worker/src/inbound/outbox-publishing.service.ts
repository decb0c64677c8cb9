import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { dependencyBackoff } from '@hwp/stream-consumer';
import { CONFIG, type Config } from '../config';
import { OutboxRelay } from '../domain/outbox-relay';
import { OutboxNotificationListener } from './outbox-notification.listener';

/**
 * The publishing loop: a round publishes batches until the outbox has no claimable row left, then
 * waits for a NOTIFY or the poll interval, whichever comes first. After a failure (Redis or Postgres
 * down) it waits out a growing backoff instead, however many rows arrive meanwhile.
 */
@Injectable()
export class OutboxPublishingService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxPublishingService.name);
  private readonly backoff = dependencyBackoff();
  private readonly pollMs: number;
  private stopping = false;
  /** A NOTIFY came during the current round: its rows may have been committed after the last claim. */
  private notified = false;
  private pause?: { endsOnNotify: boolean; end: () => void };
  /**
   * When the backlog gauge was last sampled. Counting the outbox costs the database a scan, and while
   * writes trickle in every NOTIFY starts a round: the gauge is sampled at most once per poll interval.
   */
  private backlogSampledAt = -Infinity;
  private loop?: Promise<void>;

  constructor(
    private readonly relay: OutboxRelay,
    private readonly notifications: OutboxNotificationListener,
    @Inject(CONFIG) config: Config,
  ) {
    this.pollMs = config.OUTBOX_POLL_MS;
  }

  onApplicationBootstrap(): void {
    this.notifications.start(() => this.onNotification());
    this.loop = this.run();
  }

  /** On SIGTERM: the batch in flight is appended and deleted; no further batch starts. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.pause?.end();
    await this.loop;
    await this.notifications.stop();
  }

  private onNotification(): void {
    this.notified = true;
    if (this.pause?.endsOnNotify) this.pause.end();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      if (await this.publishWaitingRows()) await this.sleep(this.pollMs, true);
      else await this.sleep(this.backoff.next(), false);
    }
  }

  /** One round; false when it failed. */
  private async publishWaitingRows(): Promise<boolean> {
    this.notified = false;
    try {
      if (performance.now() - this.backlogSampledAt >= this.pollMs) {
        this.backlogSampledAt = performance.now();
        await this.relay.sampleBacklog();
      }
      let more = true;
      while (more && !this.stopping) more = await this.relay.publishBatch();
    } catch (error) {
      if (!this.backoff.failing) this.logger.warn({ err: error }, 'publishing failed, retrying with backoff');
      return false;
    }
    if (this.backoff.failing) this.logger.log('publishing resumed');
    this.backoff.reset();
    return true;
  }

  private sleep(ms: number, endsOnNotify: boolean): Promise<void> {
    if (this.stopping || (endsOnNotify && this.notified)) return Promise.resolve();
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.pause = undefined;
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.pause = { endsOnNotify, end };
    });
  }
}
