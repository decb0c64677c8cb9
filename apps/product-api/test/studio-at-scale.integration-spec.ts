import { PrismaPg } from '@prisma/adapter-pg';
import { Client, Pool } from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedPersonalisedWidgets, seedProductTeam, seededUserAudience } from '@hwp/dev-services';
import { ProductDatabaseClient } from '@hwp/product-db';
import { PostgresConnection } from '@hwp/service-kit';
import { startApp, useTestDatabase, type AppProcess } from '@hwp/testing';
import type { Audience } from '@hwp/widget-events';
import { PostgresWidgetStore } from '../src/outbound/postgres-widget-store';

// Issue 17, part 6: the studio's product page lists a product with a million personalised widgets a page
// at a time. The speed is the bench's; this checks what makes it fast: pages by cursor, and an index.
const USERS = 1_000_000;
const KEY = 'key-big';
const PAGE = 100;
const userAudience = (n: number) => seededUserAudience(n) as Audience;

interface WidgetPage {
  widgets: { audience: string; dataVersion: number }[];
  nextCursor: string | null;
}

describe('the widget listing of a product with a million personalised widgets', () => {
  let url: string;
  let app: AppProcess;

  beforeAll(async () => {
    url = await useTestDatabase('product');
    await seedProductTeam(url, { id: 'team-big', apiKey: KEY, productIds: ['big', 'small'] });
    // The product's generic widget and another product's row around the million, which the bench seeds alike.
    const db = new Client({ connectionString: url });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO widgets (product_id, audience, data_version, content) VALUES
           ('big', 'generic', 1, '{"type":"card","id":"g","children":[]}'),
           ('small', $1, 1, '{"type":"card","id":"s","children":[]}')`,
        [userAudience(1)],
      );
    } finally {
      await db.end();
    }
    await seedPersonalisedWidgets(url, 'product', { productId: 'big', count: USERS });
    app = await startApp('product-api', {
      PRODUCT_DATABASE_URL: url,
      STUDIO_JWT_SECRET: 'studio-secret-for-tests-only',
      PLATFORM_ADMIN_KEY: 'admin-key-for-tests-only',
    });
  }, 120_000);

  const list = async (query: string): Promise<WidgetPage> => {
    const response = await fetch(`${app.url}/v1/products/big/widgets?${query}`, {
      headers: { 'x-api-key': KEY },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as WidgetPage;
  };

  it('answers the first page and the next by cursor, in audience order, without overlap', async () => {
    const first = await list(`audience=user&limit=${PAGE}`);
    expect(first.widgets.map((widget) => widget.audience)).toEqual(
      Array.from({ length: PAGE }, (_, i) => userAudience(i + 1)),
    );
    expect(first.nextCursor).not.toBeNull();

    const second = await list(`audience=user&limit=${PAGE}&cursor=${first.nextCursor}`);
    expect(second.widgets.map((widget) => widget.audience)).toEqual(
      Array.from({ length: PAGE }, (_, i) => userAudience(PAGE + i + 1)),
    );
    const seen = new Set(first.widgets.map((widget) => widget.audience));
    expect(second.widgets.filter((widget) => seen.has(widget.audience))).toEqual([]);

    // Without an audience filter the generic widget comes first; the other product's rows never show.
    const all = await list('limit=2');
    expect(all.widgets.map((widget) => widget.audience)).toEqual(['generic', userAudience(1)]);
  });

  it('reads a page deep in the listing through the primary key index, never a scan of the table', async () => {
    // auto_explain reports the plan of every statement the store runs, as a notice on its connection.
    const plans: string[] = [];
    const pool = new Pool({
      connectionString: url,
      max: 1,
      options:
        '-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 ' +
        '-c auto_explain.log_level=notice -c auto_explain.log_format=text',
    });
    pool.on('connect', (client) => client.on('notice', (notice) => plans.push(notice.message ?? '')));
    // The adapter declares its own copy of pg's types; the Pool is the same class.
    const client = new ProductDatabaseClient({
      adapter: new PrismaPg(pool as unknown as ConstructorParameters<typeof PrismaPg>[0]),
    });
    try {
      const store = new PostgresWidgetStore(new PostgresConnection('productDatabase', client));
      // As the studio's product page lists (every audience), and as a product lists its users' widgets.
      for (const kind of [undefined, 'user'] as const) {
        const page = await store.find('big', { kind, after: userAudience(700_000), limit: PAGE });
        expect(page.map((widget) => widget.audience)).toEqual(
          Array.from({ length: PAGE }, (_, i) => userAudience(700_001 + i)),
        );
      }
      const listing = plans.filter((plan) => plan.includes('widgets'));
      expect(listing).toHaveLength(2);
      for (const plan of listing) {
        expect(plan).toMatch(/Index Scan using widgets_pkey on widgets/);
        expect(plan).not.toMatch(/Seq Scan/);
      }
    } finally {
      await client.$disconnect();
      await pool.end().catch(() => undefined);
    }
  });
});
