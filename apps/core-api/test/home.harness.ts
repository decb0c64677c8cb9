import type { Redis } from 'ioredis';
import { INVALIDATION_CHANNEL, writeWidgetIfNewer, type WidgetInvalidation } from '@hwp/cache';
import { CorePrisma, createCoreDatabase } from '@hwp/core-db';
import type { Screen, Widget } from '@hwp/sdui-schema';
import { useTestDatabase, useTestRedis, userToken } from '@hwp/testing';
import type { Audience } from '@hwp/widget-events';

/** What the home integration tests share: tokens, seeding the core database, reading /v1/home and /metrics. */

export const JWT_SECRET = 'integration-test-secret-0123456789';

export function token(
  userId: string,
  { secret = JWT_SECRET, expiresAt = '1h' }: { secret?: string; expiresAt?: string | number } = {},
): Promise<string> {
  return userToken(userId, secret, expiresAt);
}

/** A valid widget: a card with one text (long text makes a large screen). */
export function card(id: string, text = `text of ${id}`): Widget {
  return { type: 'card', id, children: [{ type: 'text', id: `${id}-text`, text }] } as Widget;
}

/** Writes the core database as the ingester does (layout, widgets), for tests that seed L3. */
export class CoreSeed {
  readonly db;

  constructor(databaseUrl: string) {
    this.db = createCoreDatabase(databaseUrl, { max: 2 });
  }

  async layout(productIds: string[]): Promise<void> {
    await this.db.homeSlot.deleteMany();
    await this.db.homeSlot.createMany({
      data: productIds.map((productId, position) => ({ productId, position })),
    });
  }

  /** Upserts one widget; null writes a tombstone. */
  async widget(
    productId: string,
    audience: string,
    dataVersion: number,
    widget: Widget | null,
  ): Promise<void> {
    const content = widget === null ? CorePrisma.DbNull : (widget as object);
    const version = BigInt(dataVersion);
    await this.db.widget.upsert({
      where: { productId_audience: { productId, audience } },
      create: { productId, audience, dataVersion: version, content, acceptedAt: new Date() },
      update: { dataVersion: version, content },
    });
  }

  /**
   * What the ingester does with an event: the database, then the version-guarded cache write, then the
   * announcement to core-api instances. Resolves with the number of subscribers that heard it.
   */
  async publish(
    cacheRedis: Redis,
    productId: string,
    audience: Audience,
    dataVersion: number,
    widget: Widget,
  ): Promise<number> {
    await this.widget(productId, audience, dataVersion, widget);
    await writeWidgetIfNewer(
      cacheRedis,
      { productId, audience, dataVersion, widget: JSON.stringify(widget) },
      60_000,
    );
    const invalidation: WidgetInvalidation = { productId, audience, dataVersion };
    return cacheRedis.publish(INVALIDATION_CHANNEL, JSON.stringify(invalidation));
  }

  close(): Promise<void> {
    return this.db.$disconnect();
  }
}

export function getHome(baseUrl: string, bearer: string | undefined, headers: Record<string, string> = {}) {
  return fetch(`${baseUrl}/v1/home`, {
    headers: { ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }), ...headers },
  });
}

export async function homeScreen(baseUrl: string, bearer: string, headers: Record<string, string> = {}) {
  const response = await getHome(baseUrl, bearer, headers);
  if (response.status !== 200) throw new Error(`GET /v1/home: ${response.status} ${await response.text()}`);
  return { response, screen: (await response.json()) as Screen };
}

export const widgetIds = (screen: Screen) => screen.widgets.map((widget) => widget.id);

/** The sum of a Prometheus metric's samples whose labels include `labels`. */
export async function metric(
  baseUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => wanted.every((label) => line.includes(label)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/**
 * core-api's environment over this test file's database and Redis dbs, the layout one product (`deals`)
 * with its generic widget `deals-g`; `overrides` are set on top.
 */
export async function seededAppEnv(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  const env = {
    DATABASE_URL: await useTestDatabase('core'),
    CACHE_REDIS_URL: await useTestRedis('cache'),
    REDIS_URL: await useTestRedis('durable'),
    JWT_SECRET,
    ...overrides,
  };
  const seed = new CoreSeed(env.DATABASE_URL);
  await seed.layout(['deals']);
  await seed.widget('deals', 'generic', 1, card('deals-g'));
  await seed.close();
  return env;
}
