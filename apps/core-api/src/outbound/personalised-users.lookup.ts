import { lookUpPersonalisedUser, type IndexedUser } from '@hwp/cache';
import { AnswerDeadline, type RedisClient } from '@hwp/service-kit';
import type { PersonalisedUsersLookup } from '../domain/home.ports';

// As slow as a failed one: the database answers instead.
const TIMEOUT_MS = 500;

/** The personalised-users index on the durable Redis, which the ingester keeps (libs/cache). */
export class RedisPersonalisedUsersLookup implements PersonalisedUsersLookup {
  constructor(
    private readonly redis: RedisClient,
    private readonly deadline = new AnswerDeadline(TIMEOUT_MS, 'durable Redis'),
  ) {}

  lookUp(userId: string): Promise<IndexedUser> {
    return this.deadline.watch(lookUpPersonalisedUser(this.redis, userId));
  }
}
