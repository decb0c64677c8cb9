import { describe, expect, it } from 'vitest';
import { storeUnreachable } from './store-unreachable';

describe('storeUnreachable', () => {
  it('sends a user of the demo defaults to start the data stores', () => {
    const error = storeUnreachable({ store: 'the durable Redis', variable: 'REDIS_URL', given: false });
    expect(error.message).toBe(
      'cannot reach the durable Redis (REDIS_URL, demo default): start the demo data stores first: npm run services -- up',
    );
  });

  it('sends an operator who gave the address to check it, with the client error', () => {
    const error = storeUnreachable({
      store: 'the core database core at db:5432',
      variable: 'DATABASE_URL',
      given: true,
      cause: 'connect ECONNREFUSED',
    });
    expect(error.message).toBe(
      'cannot reach the core database core at db:5432 (DATABASE_URL: connect ECONNREFUSED): check DATABASE_URL and that the store is up',
    );
  });
});
