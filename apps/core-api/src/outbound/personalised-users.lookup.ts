import { lookUpPersonalisedUser, type IndexedUser } from '@hwp/cache';
import type { RedisClient } from '@hwp/service-kit';
import type { PersonalisedUsersLookup } from '../domain/home.ports';

/**
 * The personalised-users index on the durable Redis, which the ingester keeps (libs/cache), read through
 * the durable connection's auto-pipelined client, which times reads out (app.module.ts).
 */
export class RedisPersonalisedUsersLookup implements PersonalisedUsersLookup {
  constructor(private readonly redis: RedisClient) {}

  lookUp(userId: string): Promise<IndexedUser> {
    return lookUpPersonalisedUser(this.redis, userId);
  }
}
