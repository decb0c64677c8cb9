import type { OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';

/**
 * BullMQ's own connection to the durable Redis. Unlike the app's fail-fast connection it queues commands
 * while reconnecting and never gives up on one (`maxRetriesPerRequest: null`, which BullMQ requires for
 * its blocking commands). Closed after the worker has drained (beforeApplicationShutdown comes first).
 */
export class RefreshQueueConnection implements OnApplicationShutdown {
  readonly client: Redis;

  constructor(url: string) {
    this.client = new Redis(url, { connectionName: 'durableRedisRefreshQueue', maxRetriesPerRequest: null });
    this.client.on('error', () => undefined); // the worker reports what fails
  }

  onApplicationShutdown() {
    this.client.disconnect();
  }
}
