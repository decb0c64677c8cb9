import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { SEGMENT_FLOORS_KEY, personalisedUsersBucket, segmentMembershipKey } from '@hwp/cache';
import type { RedisClient } from '@hwp/service-kit';
import { RedisSegmentMemberships } from './segment-memberships';

/** The segment index as the ingester leaves it, in hashes, with the commands the copy sends counted. */
class FakeIndex {
  readonly hashes = new Map<string, Map<string, string>>();
  readonly commands: string[] = [];
  down = false;
  readonly status = 'ready';

  set(userId: string, tokens: string): void {
    this.hash(segmentMembershipKey(personalisedUsersBucket(userId))).set(userId, tokens);
  }

  floor(segment: string, version: number): void {
    this.hash(SEGMENT_FLOORS_KEY).set(segment, String(version));
  }

  async hget(key: string, field: string) {
    return this.command('hget', () => this.hashes.get(key)?.get(field) ?? null);
  }

  async hgetall(key: string) {
    return this.command('hgetall', () => Object.fromEntries(this.hashes.get(key) ?? []));
  }

  async hlen(key: string) {
    return this.command('hlen', () => this.hashes.get(key)?.size ?? 0);
  }

  async hkeys(key: string) {
    return this.command('hkeys', () => [...(this.hashes.get(key)?.keys() ?? [])]);
  }

  count(command: string): number {
    return this.commands.filter((name) => name === command).length;
  }

  asClient(): RedisClient {
    return this as unknown as RedisClient;
  }

  private command<T>(name: string, answer: () => T): T {
    this.commands.push(name);
    if (this.down) throw new Error('durable Redis down');
    return answer();
  }

  private hash(key: string): Map<string, string> {
    const hash = this.hashes.get(key) ?? new Map<string, string>();
    this.hashes.set(key, hash);
    return hash;
  }
}

const started: RedisSegmentMemberships[] = [];
async function memberships(index: FakeIndex) {
  const registry = new Registry();
  const copy = new RedisSegmentMemberships(index.asClient(), 300_000, registry);
  started.push(copy);
  await copy.start();
  const lookups = async () =>
    Object.fromEntries(
      (await registry.getSingleMetric('home_segment_membership_lookups_total')!.get()).values.map(
        ({ labels, value }) => [labels.result, value],
      ),
    );
  return { copy, lookups, registry };
}
afterEach(() => started.splice(0).forEach((copy) => copy.stop()));

describe("core-api's segment memberships", () => {
  it('answers a user the index does not list at once, without a command, and a listed one with one HGET', async () => {
    const index = new FakeIndex();
    index.set('alice', 'deals/annual=3 deals/lapsed=-4 orders/vip=2');
    index.floor('orders/vip', 2);
    const { copy, lookups } = await memberships(index);
    const commands = index.commands.length;

    expect(copy.of('carol')).toEqual([]);
    expect(index.commands.length).toBe(commands);

    const alice = copy.of('alice');
    expect(alice).toBeInstanceOf(Promise);
    // The tombstone and the membership its segment's deletion voided do not count.
    expect(await alice).toEqual(['deals/annual']);
    expect(index.commands.slice(commands)).toEqual(['hget']);
    expect(await lookups()).toEqual({ filtered: 1, read: 1 });
  });

  it('learns the users and floors announced, also while it reads the index', async () => {
    const index = new FakeIndex();
    index.set('alice', 'deals/annual=3');
    const { copy } = await memberships(index);
    expect(copy.of('bob')).toEqual([]);

    index.set('bob', 'deals/annual=5');
    copy.changed(['bob'], new Map());
    expect(await copy.of('bob')).toEqual(['deals/annual']);

    copy.changed([], new Map([['deals/annual', 4]]));
    expect(await copy.of('alice')).toEqual([]);
    expect(await copy.of('bob')).toEqual(['deals/annual']);

    // Announced while the index is read again (after a lost subscription): in the filter that read makes.
    copy.distrust();
    copy.changed(['dave'], new Map());
    await expect.poll(() => Array.isArray(copy.of('carol'))).toBe(true);
    index.set('dave', 'orders/vip=1');
    expect(await copy.of('dave')).toEqual(['orders/vip']);
  });

  it('asks the index for everyone, floors with the field, until it was read whole after a distrust', async () => {
    const index = new FakeIndex();
    const { copy } = await memberships(index);
    index.down = true;
    copy.distrust(); // the read it starts fails
    await Promise.resolve();
    index.down = false;
    index.set('alice', 'deals/annual=3');
    index.floor('deals/annual', 3); // a deletion whose announcement was missed
    const commands = index.commands.length;
    expect(await copy.of('carol')).toEqual([]);
    expect(await copy.of('alice')).toEqual([]);
    expect(index.commands.slice(commands)).toEqual(['hget', 'hgetall', 'hget', 'hgetall']);
  });

  it('answers the last known segments when the index cannot be read, and none for a user it did not know', async () => {
    const index = new FakeIndex();
    index.set('alice', 'deals/annual=3');
    index.set('bob', 'deals/annual=-3');
    const { copy, lookups } = await memberships(index);
    expect(await copy.of('alice')).toEqual(['deals/annual']);
    expect(await copy.of('bob')).toEqual([]);
    index.down = true;
    expect(await copy.of('alice')).toEqual(['deals/annual']);
    expect(await copy.of('bob')).toEqual([]);
    expect(await lookups()).toEqual({ read: 2, failed: 2 });
  });
});
