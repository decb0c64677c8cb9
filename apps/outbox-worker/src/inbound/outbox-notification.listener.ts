import { Inject, Injectable, Logger } from '@nestjs/common';
import { Client } from 'pg';
import { dependencyBackoff } from '@hwp/stream-consumer';
import { CONFIG, type Config } from '../config';

const CHANNEL = 'outbox';

/**
 * Hears the outbox table's trigger (NOTIFY 'outbox' when product-api commits rows) so that rows go out
 * within milliseconds instead of at the next poll. Prisma cannot LISTEN, so this holds a pg connection
 * of its own and opens a new one whenever it is lost (Postgres restarts); the poll covers the gap.
 */
@Injectable()
export class OutboxNotificationListener {
  private readonly logger = new Logger(OutboxNotificationListener.name);
  private readonly backoff = dependencyBackoff();
  private readonly url: string;
  private client?: Client;
  private reconnectTimer?: NodeJS.Timeout;
  private stopped = false;
  private onNotification: () => void = () => undefined;

  constructor(@Inject(CONFIG) config: Config) {
    this.url = config.PRODUCT_DATABASE_URL;
  }

  start(onNotification: () => void): void {
    this.onNotification = onNotification;
    void this.connect(); // retries on its own failures, with backoff
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 2_000 });
    this.client = client;
    client.on('notification', () => this.onNotification());
    client.on('error', (error) => this.reconnect(client, error));
    client.on('end', () => this.reconnect(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      this.reconnect(client, error);
      return;
    }
    if (this.backoff.failing) this.logger.log(`listening on '${CHANNEL}' again`);
    this.backoff.reset();
    // Rows committed while nobody was listening had their NOTIFY go nowhere.
    this.onNotification();
  }

  /** Replaces a lost connection once, however many of its events report the loss. */
  private reconnect(client: Client, error: unknown): void {
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (!this.backoff.failing) this.logger.warn({ err: error }, `LISTEN connection lost, reconnecting`);
    this.reconnectTimer = setTimeout(() => void this.connect(), this.backoff.next());
  }
}
