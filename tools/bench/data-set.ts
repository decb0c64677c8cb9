import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import {
  COMPLETE_FIELD,
  PERSONALISED_USERS_BUCKETS,
  applySegmentMemberships,
  encodeCachedWidget,
  listPersonalisedUsers,
  markPersonalisedUserBucketsComplete,
  widgetHashField,
  widgetHashKey,
} from '@hwp/cache';
import { seedProductTeam, shuffle, workspaceRoot } from '@hwp/dev-services';
import { SAMPLE_PRODUCTS } from '@hwp/sample-products';
import type { Widget } from '@hwp/sdui-schema';
import {
  GENERIC,
  audienceUser,
  experimentAudience,
  segmentAudience,
  userAudience,
  type Audience,
  type ExperimentContent,
  type ScheduleContent,
} from '@hwp/widget-events';

/** The home layout of the benchmark: eight products, one slot each, in this order. */
export const BENCH_PRODUCTS = [
  'campaigns',
  'orders',
  'recommendations',
  'deals',
  'reviews',
  'categories',
  'stores',
  'gift-cards',
] as const;

export const BENCH_TEAM = { id: 'bench', apiKey: 'hwp_bench_team_key' };
export const BENCH_JWT_SECRET = 'hwp-bench-jwt-secret-of-enough-length';
/** The studio's session key, for every app and the web app (the studio section signs in with it). */
export const BENCH_STUDIO_JWT_SECRET = 'hwp-bench-studio-secret-of-enough-length';

/**
 * The demo's product backends (libs/sample-products, served by apps/sample-products): the products the
 * cold-user refresh asks, each of which personalises any user ("deals" is also one of the bench's
 * products). The others are in both databases from the start, generic widgets included, and in the home layout only
 * while the cold-user storm runs (STORM_LAYOUT).
 */
export const REFRESH_PRODUCTS = SAMPLE_PRODUCTS.map((product) => product.id);
/** The sample products the bench's own do not already stand for (both have a "deals"). */
const ADDED_PRODUCTS = SAMPLE_PRODUCTS.filter(
  (product) => !(BENCH_PRODUCTS as readonly string[]).includes(product.id),
);
/** The layout while the cold-user storm runs: every refresh product has a slot. */
export const STORM_LAYOUT = [...BENCH_PRODUCTS, ...ADDED_PRODUCTS.map((product) => product.id)];
export const REFRESH_TEAM = {
  id: 'bench-samples',
  apiKey: 'hwp_bench_samples_team_key',
  productIds: ADDED_PRODUCTS.map((product) => product.id),
};
const TOKEN_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const TOKEN_SECONDS = 2 * 3600;
/** As the ingester writes its hashes (WIDGET_CACHE_TTL_SECONDS' default, 7 days). */
const CACHE_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * The products' widgets: the eight largest of the typical home screen's twelve (the SDUI golden fixture:
 * banners, sections, carousels and cards), in screen order, about 5 KiB for the eight with provenance.
 */
function productWidgets(): Map<string, Widget> {
  const fixture = JSON.parse(
    readFileSync(join(workspaceRoot(), 'libs/sdui-schema/fixtures/valid/screen-typical-home.json'), 'utf8'),
  ) as { widgets: (Widget & { provenance?: unknown })[] };
  const widgets = fixture.widgets.map(({ provenance: _provenance, ...widget }) => widget as Widget);
  const size = (widget: Widget) => JSON.stringify(widget).length;
  const largest = new Set([...widgets].sort((a, b) => size(b) - size(a)).slice(0, BENCH_PRODUCTS.length));
  const chosen = widgets.filter((widget) => largest.has(widget));
  return new Map(
    BENCH_PRODUCTS.map((productId, i) => {
      const widget = chosen[i];
      if (!widget)
        throw new Error(`the sample widgets are fewer than the ${BENCH_PRODUCTS.length} bench products`);
      return [productId, widget];
    }),
  );
}

/** A user's widget of a product: the product's widget under a personal id. */
export function personalisedWidget(widget: Widget, userId: string): Widget {
  return { ...widget, id: `${widget.id}-${userId}` } as Widget;
}

interface Row {
  productId: string;
  audience: Audience;
  /** A widget, or a schedule or running experiment (ADR 0030). */
  widget: Widget | ScheduleContent | ExperimentContent;
  /**
   * Where the row is written: both databases (the default), or one. Campaign content is in the core side
   * only (the bench reads nothing of product-api's copy), the scheduled widget's plain version in the
   * product database only.
   */
  only?: 'core' | 'product';
}

/**
 * The campaigns in the data set (ADR 0030), so that the read figures are measured with them: a running
 * experiment for everyone on the first product's slot, a segment of the fourth product whose members
 * (every tenth user) see its widget, and the fifth product's generic widget on a schedule (a window that
 * opens in a year over the widget shown now).
 */
export const BENCH_CAMPAIGNS = {
  experiment: { productId: BENCH_PRODUCTS[0], experimentId: 'bench-test' },
  segment: { productId: BENCH_PRODUCTS[3], segmentId: 'bench-members', everyNthUser: 10 },
  scheduled: { productId: BENCH_PRODUCTS[4] },
} as const;

/**
 * The data set: `users` users, each with personalised widgets from half of the products (the others show
 * the generic widget), every product with a generic widget, the sample products' included (STORM_LAYOUT). It is written straight into both databases
 * and the cache Redis, as the pipeline would have left them (version 1 everywhere), which takes seconds
 * where publishing it would take minutes.
 */
export class BenchDataSet {
  readonly users: string[];
  private readonly widgets = productWidgets();

  constructor(userCount: number) {
    this.users = Array.from({ length: userCount }, (_, i) => `bench-user-${String(i + 1).padStart(5, '0')}`);
  }

  /** The user the one-user figures are measured with. */
  get firstUser(): string {
    const [first] = this.users;
    if (first === undefined) throw new Error('the bench data set has no users');
    return first;
  }

  /** Whether `user` (index in `users`) has a personalised widget of product number `product`. */
  private personalised(user: number, product: number): boolean {
    return (user + product) % 2 === 0;
  }

  widgetOf(productId: string): Widget {
    return this.widgets.get(productId)!;
  }

  /** The users in the bench's segment. */
  get segmentMembers(): string[] {
    return this.users.filter((_, u) => u % BENCH_CAMPAIGNS.segment.everyNthUser === 0);
  }

  private *campaignRows(): Generator<Row> {
    const { experiment, segment, scheduled } = BENCH_CAMPAIGNS;
    const variant = (variantId: string) => ({
      variantId,
      basisPoints: 5_000,
      widget: {
        ...this.widgetOf(experiment.productId),
        id: `${experiment.experimentId}-${variantId}`,
      } as object as Record<string, unknown>,
    });
    yield {
      productId: experiment.productId,
      audience: experimentAudience(experiment.experimentId),
      widget: {
        '~slot': 'experiment',
        experimentId: experiment.experimentId,
        audience: 'everyone',
        startedAt: Date.now(),
        variants: [variant('a'), variant('b')],
      },
      only: 'core',
    };
    const entry = (id: string, activeFrom: number | null): ScheduleContent['entries'][number] => ({
      dataVersion: activeFrom === null ? 1 : 2,
      activeFrom,
      activeUntil: null,
      acceptedAt: Date.now(),
      widget: { ...this.widgetOf(segment.productId), id } as object as Record<string, unknown>,
    });
    yield {
      productId: segment.productId,
      audience: segmentAudience(segment.segmentId),
      widget: { '~slot': 'schedule', entries: [entry(`${segment.segmentId}-widget`, null)] },
      only: 'core',
    };
    const widget = this.widgetOf(scheduled.productId) as object as Record<string, unknown>;
    yield {
      productId: scheduled.productId,
      audience: GENERIC,
      widget: {
        '~slot': 'schedule',
        entries: [
          {
            ...entry('next-year', Date.now() + 365 * 24 * 3600 * 1000),
            widget: { ...widget, id: 'next-year' },
          },
          { ...entry('now', null), widget },
        ],
      },
      only: 'core',
    };
  }

  private *rows(): Generator<Row> {
    const campaigns = new Map(
      [...this.campaignRows()].map((row) => [`${row.productId} ${row.audience}`, row]),
    );
    for (const productId of BENCH_PRODUCTS) {
      // The scheduled generic widget stands in the product database as its plain widget.
      const scheduled = campaigns.get(`${productId} ${GENERIC}`);
      if (scheduled === undefined) {
        yield { productId, audience: GENERIC, widget: this.widgetOf(productId) };
      } else {
        yield { productId, audience: GENERIC, widget: this.widgetOf(productId), only: 'product' };
        yield scheduled;
      }
    }
    for (const row of campaigns.values()) if (row.audience !== GENERIC) yield row;
    for (const product of ADDED_PRODUCTS)
      yield { productId: product.id, audience: GENERIC, widget: product.widget() };
    for (const [u, userId] of this.users.entries())
      for (const [p, productId] of BENCH_PRODUCTS.entries())
        if (this.personalised(u, p))
          yield {
            productId,
            audience: userAudience(userId),
            widget: personalisedWidget(this.widgetOf(productId), userId),
          };
  }

  private batches(size: number): Row[][] {
    const all = [...this.rows()];
    return Array.from({ length: Math.ceil(all.length / size) }, (_, i) =>
      all.slice(i * size, (i + 1) * size),
    );
  }

  /** The product team, its products and widgets (product database); the layout and widgets (core database). */
  async seedDatabases(env: Record<'DATABASE_URL' | 'PRODUCT_DATABASE_URL', string>): Promise<number> {
    await seedProductTeam(env.PRODUCT_DATABASE_URL, { ...BENCH_TEAM, productIds: [...BENCH_PRODUCTS] });
    await seedProductTeam(env.PRODUCT_DATABASE_URL, REFRESH_TEAM);
    const product = new Client({ connectionString: env['PRODUCT_DATABASE_URL'] });
    const core = new Client({ connectionString: env['DATABASE_URL'] });
    await Promise.all([product.connect(), core.connect()]);
    let rows = 0;
    try {
      await BenchDataSet.setLayout(env.DATABASE_URL, BENCH_PRODUCTS);
      for (const batch of this.batches(5_000)) {
        const columns = (rows: Row[]) => [
          rows.map((r) => r.productId),
          rows.map((r) => r.audience),
          rows.map((r) => JSON.stringify(r.widget)),
        ];
        await Promise.all([
          product.query(
            `INSERT INTO widgets (product_id, audience, data_version, content)
             SELECT p, a, 1, c FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS t(p, a, c)`,
            columns(batch.filter((r) => r.only !== 'core')),
          ),
          core.query(
            `INSERT INTO widgets (product_id, audience, data_version, content, accepted_at)
             SELECT p, a, 1, c, now() FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS t(p, a, c)`,
            columns(batch.filter((r) => r.only !== 'product')),
          ),
        ]);
        rows += batch.length;
      }
      await Promise.all([product.query('ANALYZE'), core.query('ANALYZE')]);
    } finally {
      await Promise.all([product.end(), core.end()]);
    }
    return rows;
  }

  /** Every audience's complete hash in the cache Redis, as the ingester and core-api's refill leave them. */
  async fillCache(cacheRedisUrl: string): Promise<void> {
    const redis = new Redis(cacheRedisUrl);
    try {
      const hashes = new Map<string, string[]>();
      for (const { productId, audience, widget, only } of this.rows()) {
        if (only === 'product') continue;
        const key = widgetHashKey(audience);
        const fields = hashes.get(key) ?? [COMPLETE_FIELD, '1'];
        fields.push(
          widgetHashField(productId, audience),
          encodeCachedWidget({ dataVersion: 1, widget: JSON.stringify(widget) }),
        );
        hashes.set(key, fields);
      }
      const keys = [...hashes.keys()];
      for (let i = 0; i < keys.length; i += 1_000) {
        const pipeline = redis.pipeline();
        for (const key of keys.slice(i, i + 1_000))
          pipeline.hset(key, ...hashes.get(key)!).pexpire(key, CACHE_TTL_MS);
        await pipeline.exec();
      }
    } finally {
      redis.disconnect();
    }
  }

  /**
   * The personalised-users index in the durable Redis, complete, as the ingester keeps it: every user with
   * a personalised row listed, so that a never-seen user costs core-api no database query; and the segment
   * index with the bench segment's members.
   */
  async fillPersonalisedUsersIndex(durableRedisUrl: string): Promise<void> {
    const redis = new Redis(durableRedisUrl);
    try {
      const users = new Set<string>();
      for (const { audience } of this.rows()) {
        const userId = audienceUser(audience);
        if (userId !== undefined) users.add(userId);
      }
      await listPersonalisedUsers(redis, users);
      await markPersonalisedUserBucketsComplete(
        redis,
        Array.from({ length: PERSONALISED_USERS_BUCKETS }, (_, bucket) => bucket),
      );
      const { productId, segmentId } = BENCH_CAMPAIGNS.segment;
      const members = this.segmentMembers;
      for (let i = 0; i < members.length; i += 10_000) {
        const page = new Map(members.slice(i, i + 10_000).map((userId) => [userId, 1]));
        await applySegmentMemberships(redis, productId, segmentId, 0, page);
      }
    } finally {
      redis.disconnect();
    }
  }

  /** The home layout: `productIds` in this order, one slot each (core-api reloads it within GENERIC_TTL_MS). */
  static async setLayout(coreDatabaseUrl: string, productIds: readonly string[]): Promise<void> {
    const core = new Client({ connectionString: coreDatabaseUrl });
    await core.connect();
    try {
      await core.query('BEGIN');
      await core.query('DELETE FROM home_slots');
      await core.query(
        'INSERT INTO home_slots (product_id, position) SELECT * FROM unnest($1::text[], $2::int[])',
        [productIds, productIds.map((_, i) => i)],
      );
      await core.query('COMMIT');
    } finally {
      await core.end();
    }
  }

  /**
   * A bearer token of `userId`, as the platform's sign-in would issue it (HS256, sub, iat, exp in 2 h).
   * Signed with node:crypto, synchronously: runs sign up to a million of them, which jose's async
   * SignJWT does some 15 times slower.
   */
  static token(userId: string): string {
    const now = Math.floor(Date.now() / 1000);
    const claims = JSON.stringify({ sub: userId, iat: now, exp: now + TOKEN_SECONDS });
    const unsigned = `${TOKEN_HEADER}.${Buffer.from(claims).toString('base64url')}`;
    return `${unsigned}.${createHmac('sha256', BENCH_JWT_SECRET).update(unsigned).digest('base64url')}`;
  }

  /** A file of `Bearer <token>` lines for `userIds`, in a random order, for the load generator. */
  static writeAuthorizations(file: string, userIds: readonly string[]): string {
    // Shuffled, so that consecutive requests do not walk the hashes in the order they were written.
    const lines = shuffle(userIds.map((id) => `Bearer ${BenchDataSet.token(id)}`));
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }
}
