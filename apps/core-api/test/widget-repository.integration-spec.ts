import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoreDatabase, type CoreDatabaseClient } from '@hwp/core-db';
import { useTestDatabase } from '@hwp/testing';
import { userAudience } from '@hwp/widget-events';
import { WidgetRepository } from '../src/outbound/widget.repository';

const USERS = 300;
const userOf = (n: number) => `batched-${n}`;

describe('L3 (WidgetRepository): concurrent misses share one query', () => {
  let prisma: CoreDatabaseClient;
  let queries: string[][];

  beforeAll(async () => {
    prisma = createCoreDatabase(await useTestDatabase('core'));
    // Every even user has two widgets, every odd user none.
    await prisma.widget.createMany({
      data: Array.from({ length: USERS / 2 }, (_, half) => half * 2).flatMap((n) =>
        ['deals', 'orders'].map((productId, i) => ({
          productId,
          audience: userAudience(userOf(n)),
          dataVersion: n + i,
          content: { type: 'card', id: `${productId}-${n}`, children: [] },
          acceptedAt: new Date(),
        })),
      ),
    });
    // The real client, its queries recorded: which audiences each findMany asked for.
    const findMany = prisma.widget.findMany.bind(prisma.widget);
    queries = [];
    prisma.widget.findMany = ((args: { where: { audience: { in: string[] } } }) => {
      queries.push(args.where.audience.in);
      return findMany(args as never);
    }) as never;
  });
  afterAll(() => prisma.$disconnect());

  it('loads the users asked for in one turn with one query per 256, each user answered with their own widgets', async () => {
    const answers = await Promise.all(
      Array.from({ length: USERS }, (_, n) =>
        new WidgetRepository([prisma]).widgets(userAudience(userOf(n))),
      ),
    );
    // One repository per user would not batch: the point is one repository, as core-api has.
    expect(queries).toHaveLength(USERS);
    queries.length = 0;

    const repository = new WidgetRepository([prisma]);
    const batched = await Promise.all(
      Array.from({ length: USERS }, (_, n) => repository.widgets(userAudience(userOf(n)))),
    );
    expect(queries.map((audiences) => audiences.length)).toEqual([256, USERS - 256]);
    expect(batched).toEqual(answers);
    expect(batched[4]).toEqual(
      new Map([
        ['deals', { dataVersion: 4, widget: '{"id":"deals-4","type":"card","children":[]}' }],
        ['orders', { dataVersion: 5, widget: '{"id":"orders-4","type":"card","children":[]}' }],
      ]),
    );
    expect(batched[5]).toEqual(new Map());
  });

  it('answers the same user asked for twice in one turn, and rejects every caller of a batch that fails', async () => {
    const repository = new WidgetRepository([prisma]);
    const twice = await Promise.all([0, 0].map((n) => repository.widgets(userAudience(userOf(n)))));
    expect(twice[0]?.size).toBe(2);
    expect(twice[1]).toEqual(twice[0]);

    const down = createCoreDatabase('postgresql://nobody@127.0.0.1:1/none');
    const failing = new WidgetRepository([down]);
    const results = await Promise.allSettled([1, 2, 3].map((n) => failing.widgets(userAudience(userOf(n)))));
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await down.$disconnect();
  });
});
