import type { OnApplicationShutdown } from '@nestjs/common';
import { createRedisClient, type RedisClient, type RedisEndpoint } from '@hwp/service-kit';

/**
 * BullMQ's own connection to the durable Redis. Unlike the app's fail-fast connection it queues commands
 * while reconnecting and never gives up on one (`maxRetriesPerRequest: null`, which BullMQ requires for
 * its blocking commands). Closed after the worker has drained (beforeApplicationShutdown comes first).
 */
export class RefreshQueueConnection implements OnApplicationShutdown {
  readonly client: RedisClient;

  constructor(endpoint: RedisEndpoint) {
    this.client = createRedisClient(endpoint, {
      connectionName: 'durableRedisRefreshQueue',
      maxRetriesPerRequest: null,
    });
    this.client.on('error', () => undefined); // the worker reports what fails
  }

  onApplicationShutdown() {
    this.client.disconnect();
  }
}
