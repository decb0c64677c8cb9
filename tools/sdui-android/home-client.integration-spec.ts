import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoreDatabase } from '@hwp/core-db';
import { freePort, waitFor } from '@hwp/dev-services';
import { SDUI_SCHEMA_VERSION } from '@hwp/sdui-schema';
import { signStudioToken } from '@hwp/studio-auth';
import { spawnApp, startApp, useTestDatabase, useTestRedis, userToken, type AppProcess } from '@hwp/testing';
import { GENERIC, encodeWidgetEvent, shardOf, streamKey } from '@hwp/widget-events';
import { MAVEN_COORDINATES, artifactPaths } from './artifacts';
import { KotlinDriver, compileKotlin, docSamples, type DriverLine } from './kotlin-driver';

// The Kotlin SDK on the JVM against a real core-api (Postgres, Redis) and a real ingester, which applies the
// widgets published here and aggregates the events the SDK sends (ADR 0020). The SDK is the built jar
// (`nx run sdui-android-sdk:build`), on a classpath of the jar, the Kotlin stdlib and Android's org.json.

const ROOT = join(__dirname, '../..');
const JWT_SECRET = 'android-sdk-test-secret-0123456789';
const STUDIO_JWT_SECRET = 'android-sdk-studio-secret-0123456789';
const SHARDS = 4;
const DOC = join(ROOT, 'docs/sdui/android.md');
const FIXTURE = join(ROOT, 'libs/sdui-schema/fixtures/valid/screen-typical-home.json');
/** The SDK's JVM test driver, which the spec runs against the built jar. */
const DRIVER_SOURCES = join(ROOT, 'libs/sdui-android-sdk/src/test/kotlin');

const artifacts = artifactPaths(ROOT, SDUI_SCHEMA_VERSION);

const card = (id: string) =>
  JSON.stringify({ type: 'card', id, children: [{ type: 'text', id: `${id}-text`, text: `text of ${id}` }] });

/** The widget ids of a fetch result or refreshed update, or its error. */
const shown = (line: DriverLine) =>
  line['result'] as { kind: string; widgets?: string[]; notModified?: boolean };

describe('the Kotlin SDK (HomeClient) against core-api', () => {
  let env: { DATABASE_URL: string; CACHE_REDIS_URL: string; REDIS_URL: string; JWT_SECRET: string };
  let coreApi: AppProcess;
  let corePort: number;
  let durable: Redis;
  let db: ReturnType<typeof createCoreDatabase>;
  let driver: KotlinDriver;
  let samples: string[];

  /** Publishes version `dataVersion` of the deals widget as the outbox-worker does: onto the ingester's stream. */
  const publish = (dataVersion: number) =>
    durable.xadd(
      streamKey(shardOf('deals', GENERIC, SHARDS)),
      '*',
      ...encodeWidgetEvent({
        eventId: `deals-${dataVersion}`,
        productId: 'deals',
        audience: GENERIC,
        dataVersion,
        widget: card(`deals-v${dataVersion}`),
        acceptedAt: Date.now(),
      }),
    );

  const applied = (dataVersion: number) =>
    waitFor(`the ingester to apply deals v${dataVersion}`, async () => {
      const row = await db.widget.findUnique({
        where: { productId_audience: { productId: 'deals', audience: GENERIC } },
      });
      return row?.dataVersion === BigInt(dataVersion);
    });

  /** core-api on the same port every time, so the SDK's client reconnects to the restarted process. */
  async function startCoreApi(): Promise<AppProcess> {
    const app = spawnApp('core-api', { ...env, STUDIO_JWT_SECRET, PORT: String(corePort) });
    await waitFor('core-api /ready', async () => {
      if (app.process.exitCode !== null) throw new Error(`core-api exited:\n${app.output()}`);
      return fetch(`${app.url}/ready`).then(
        (response) => response.ok,
        () => false,
      );
    });
    return app;
  }

  beforeAll(async () => {
    if (!existsSync(artifacts.jar))
      throw new Error(`${artifacts.jar} is missing: build it first (npx nx run sdui-android-sdk:build)`);
    samples = docSamples(readFileSync(DOC, 'utf8'));
    const [driverJar] = await Promise.all([
      // kotlinc and the services start side by side: the compile is the longest part of this file.
      compileKotlin({
        name: 'sdk-driver',
        folders: [DRIVER_SOURCES],
        samples,
        classpath: [artifacts.jar],
      }),
      (async () => {
        env = {
          DATABASE_URL: await useTestDatabase('core'),
          CACHE_REDIS_URL: await useTestRedis('cache'),
          REDIS_URL: await useTestRedis('durable'),
          JWT_SECRET,
        };
        db = createCoreDatabase(env.DATABASE_URL, { max: 1 });
        durable = new Redis(env.REDIS_URL);
        await db.homeSlot.create({ data: { productId: 'deals', position: 0 } });
        corePort = await freePort();
        [coreApi] = await Promise.all([
          startCoreApi(),
          startApp('ingester', { ...env, WIDGET_STREAM_SHARDS: String(SHARDS) }),
        ]);
        await publish(1);
        await applied(1);
      })(),
    ]);
    driver = KotlinDriver.start(artifacts.jar, driverJar);
    await driver.send(`client ${coreApi.url} ${await userToken('ada', JWT_SECRET)}`);
  }, 180_000);

  afterAll(async () => {
    await driver?.stop();
    durable?.disconnect();
    await db?.$disconnect();
  });

  it('fetches the screen with its capability headers, then gets 304 and answers the kept copy', async () => {
    const first = shown(await driver.send('fetch'));
    expect(first).toEqual({ kind: 'loaded', notModified: false, stale: false, widgets: ['deals-v1'] });
    const second = shown(await driver.send('fetch'));
    expect(second).toEqual({ kind: 'loaded', notModified: true, stale: false, widgets: ['deals-v1'] });
  });

  it('shows a published widget live, from the stream', async () => {
    await driver.send('live');
    await driver.next((line) => line['update'] === 'connected', 'the stream to open');
    expect(shown(await driver.next((line) => line['update'] === 'refreshed', 'the screen'))).toMatchObject({
      kind: 'loaded',
      widgets: ['deals-v1'],
    });
    await publish(2);
    const update = await driver.next(
      (line) => line['update'] === 'refreshed' && shown(line).widgets?.[0] === 'deals-v2',
      'the screen with deals v2',
    );
    expect(shown(update)).toMatchObject({ kind: 'loaded', notModified: false });
  });

  it('reconnects after core-api restarts and shows what changed while it was down', async () => {
    await coreApi.stop();
    const dropped = await driver.next((line) => line['update'] === 'disconnected', 'the drop');
    expect(dropped['error']).toEqual({ type: 'StreamEnded' });
    await publish(3);
    await applied(3);
    coreApi = await startCoreApi();
    await driver.next((line) => line['update'] === 'connected', 'the reconnection');
    const refreshed = await driver.next((line) => line['update'] === 'refreshed', 'the screen after it');
    expect(shown(refreshed)).toEqual({
      kind: 'loaded',
      notModified: false,
      stale: false,
      widgets: ['deals-v3'],
    });
  });

  it("batches impressions, clicks and track events to POST /v1/events, and the studio's analytics count them", async () => {
    const reports = ['impression', 'impression', 'click', 'track'].map((kind) => `report ${kind} deals-v3`);
    // A track event: its name, then its properties as key=value.
    reports[3] += ' add_to_cart plan=annual';
    for (const report of reports) expect(await driver.send(report)).toMatchObject({ queued: true });
    expect((await driver.send('flush'))['delivery']).toEqual({ kind: 'sent', count: 4 });

    const studio = await signStudioToken(
      { teamId: 'team-deals', productIds: ['deals'], role: 'team' },
      STUDIO_JWT_SECRET,
    );
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 24 * 3600_000).toISOString().slice(0, 10);
    const counted = async () => {
      const response = await fetch(
        `${coreApi.url}/v1/analytics/products/deals?from=${yesterday}&to=${today}`,
        {
          headers: { authorization: `Bearer ${studio}` },
        },
      );
      const { stats, events, properties } = (await response.json()) as {
        stats: { audience: string; dataVersion: string; impressions: number; clicks: number }[];
        events: { audience: string; dataVersion: string; event: string; count: number }[];
        properties: { event: string; property: string; value: string; count: number }[];
      };
      const version3 = <T extends { audience: string; dataVersion: string }>(rows: T[]) =>
        rows.filter((row) => row.audience === 'generic' && row.dataVersion === '3');
      return {
        ...version3(stats).reduce(
          (sum, row) => ({ impressions: sum.impressions + row.impressions, clicks: sum.clicks + row.clicks }),
          {
            impressions: 0,
            clicks: 0,
          },
        ),
        events: version3(events).map(({ event, count }) => [event, count]),
        properties: properties.map(({ event, property, value, count }) => [event, property, value, count]),
      };
    };
    await expect.poll(counted, { timeout: 15_000 }).toEqual({
      impressions: 2,
      clicks: 1,
      events: [['add_to_cart', 1]],
      properties: [['add_to_cart', 'plan', 'annual', 1]],
    });
  });

  it('answers malformed JSON, newer node types, 5xx, another schema major, a dropped stream and refused events with typed results', async () => {
    const { faults } = (await driver.send('faults', 40_000)) as { faults: Record<string, unknown> };
    const kept = ['holo-fallback', 'kept'];
    expect(faults).toEqual({
      malformed: { kind: 'failed', error: { type: 'MalformedScreen', path: '' }, lastGood: null },
      // an unknown type with a fallback shows the fallback; one without is left out
      newerComponents: { kind: 'loaded', notModified: false, stale: false, widgets: kept },
      badGateway: { kind: 'failed', error: { type: 'ServerError', status: 502 }, lastGood: kept },
      otherMajor: {
        kind: 'failed',
        error: { type: 'MalformedScreen', path: '/schemaVersion' },
        lastGood: kept,
      },
      notModified: { kind: 'loaded', notModified: true, stale: false, widgets: kept },
      ifNoneMatch: [null, null, '"e1"', '"e1"', '"e1"'],
      restoredCopy: kept,
      events: [
        {
          kind: 'failed',
          error: { type: 'ServerError', status: 503, retryAfterSeconds: 1 },
          kept: 2,
          dropped: 0,
        },
        { kind: 'sent', count: 2 },
      ],
      // the widget's provenance names an experiment and its variant: so do its events
      eventCampaign: { experimentId: 'spring', variantId: 'bold' },
      invalidEvents: [
        { kind: 'failed', error: { type: 'Refused', status: 400, detail: 'invalid' }, kept: 0, dropped: 1 },
        { kind: 'nothing-queued' },
      ],
      // a listener that throws does not stop the stream; the id of the last event comes back on reconnect
      stream: [
        { update: 'connected' },
        { update: 'refreshed', result: { kind: 'loaded', notModified: true, stale: false, widgets: kept } },
        { update: 'refreshed', result: { kind: 'loaded', notModified: true, stale: false, widgets: kept } },
        { update: 'disconnected', error: { type: 'StreamEnded' } },
        { update: 'connected' },
        { update: 'refreshed', result: { kind: 'loaded', notModified: true, stale: false, widgets: kept } },
      ],
      lastEventIds: [null, '7'],
    });
  });

  it('sends its schema version and components: core-api adapts the screen to them, and refuses another major', async () => {
    const token = await userToken('ada', JWT_SECRET);
    // Without `text`, the deals card (a card around one text) has nothing left to show, and no fallback.
    await driver.send(`client ${coreApi.url} ${token} 1.0.0 section,card,carousel,banner`);
    expect(shown(await driver.send('fetch'))).toEqual({
      kind: 'loaded',
      notModified: false,
      stale: false,
      widgets: [],
    });
    await driver.send(`client ${coreApi.url} ${token} 2.0.0 card,text`);
    expect(shown(await driver.send('fetch'))).toMatchObject({
      kind: 'failed',
      error: { type: 'Refused', status: 406 },
      lastGood: null,
    });
  });

  it('is a jar, a sources jar and a POM in a Maven layout, and the jar alone decodes a golden fixture', async () => {
    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { widgets: { id: string }[] };
    expect((await driver.send(`decode ${FIXTURE}`))['widgets']).toEqual(fixture.widgets.map(({ id }) => id));

    const entries = (jar: string) => spawnSync('jar', ['--list', '--file', jar], { encoding: 'utf8' }).stdout;
    expect(entries(artifacts.jar)).toContain('com/homewidgets/sdui/client/HomeClient.class');
    expect(entries(artifacts.jar)).toContain('com/homewidgets/sdui/SduiDecoder.class');
    expect(entries(artifacts.sourcesJar)).toContain('com/homewidgets/sdui/client/HomeClient.kt');
    expect(entries(artifacts.sourcesJar)).toContain('com/homewidgets/sdui/SduiModels.kt');
    const pom = readFileSync(artifacts.pom, 'utf8');
    for (const value of [MAVEN_COORDINATES.groupId, MAVEN_COORDINATES.artifactId, SDUI_SCHEMA_VERSION])
      expect(pom).toContain(`>${value}<`);
  });

  it('compiles the code samples of docs/sdui/android.md against the jar', () => {
    // They were compiled with the driver before the first test (a kotlinc error fails the whole file).
    expect(samples.length).toBeGreaterThanOrEqual(5);
    expect(samples.join('\n')).toMatch(/HomeClient\(/);
  });
});
