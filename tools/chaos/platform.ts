import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { Client } from 'pg';
import { freePort, seedProductTeam, waitFor, workspaceRoot } from '@hwp/dev-services';

// The platform the chaos run, the fuzz suite and the authorization matrix start: the built app bundles as
// real processes (several instances each if asked), on fixed ports so that a restarted instance keeps
// its address, with shared secrets and two seeded product teams.

export type AppName = 'core-api' | 'product-api' | 'outbox-worker' | 'ingester';
export const APP_NAMES: readonly AppName[] = ['product-api', 'outbox-worker', 'ingester', 'core-api'];

export const SECRETS = {
  JWT_SECRET: 'platform-suite-user-jwt-secret',
  STUDIO_JWT_SECRET: 'platform-suite-studio-secret',
  PLATFORM_ADMIN_KEY: 'platform-suite-admin-key',
  PLATFORM_REFRESH_KEY: 'platform-suite-refresh-key',
  // Registered by the sample products' service for each product: the platform signs its calls with it.
  SAMPLE_PRODUCTS_SECRET: 'platform-suite-sample-products-signing-secret',
} as const;

/** Two teams with two products each: team A and team B of the authorization matrix. */
export const TEAMS = {
  a: { id: 'team-a', apiKey: 'team-a-api-key-0001', productIds: ['deals', 'subscriptions'] },
  b: { id: 'team-b', apiKey: 'team-b-api-key-0001', productIds: ['loyalty', 'travel'] },
} as const;
export const PRODUCT_IDS = [...TEAMS.a.productIds, ...TEAMS.b.productIds];
/**
 * The products that answer the ingester's refresh of a cold user. These ids are also sample products
 * (libs/sample-products): the sample products' service (apps/sample-products) registers their endpoints
 * with team B's key and answers them with a widget per user.
 */
export const REFRESH_PRODUCT_IDS: readonly string[] = TEAMS.b.productIds;

/** Settings every app of the platform gets besides the service URLs. */
const PLATFORM_ENV: Record<string, string> = {
  ...SECRETS,
  LOG_LEVEL: 'warn',
  SAMPLE_PRODUCT_KEYS: REFRESH_PRODUCT_IDS.map((productId) => `${productId}=${TEAMS.b.apiKey}`).join(','),
  GENERIC_PULL_SECONDS: '0',
  // The load comes from one address; behind a real load balancer every client has its own.
  RATE_LIMIT_PER_IP_PER_MINUTE: '1000000000',
  RATE_LIMIT_PER_USER_PER_MINUTE: '1000000000',
};

/** One process of an app, or a `next start` of the web build; `start` again after `kill` restarts it on the same port. */
export class AppInstance {
  private child: ChildProcess | undefined;

  constructor(
    readonly name: AppName | 'web' | 'sample-products',
    /** e.g. "core-api#2". */
    readonly label: string,
    private readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the bundle (or the web) and waits until /ready (the web: /api/health) answers 200. */
  async start(timeoutMs = 60_000): Promise<void> {
    const out = openSync(this.logFile, 'a');
    const [command, args, cwd] =
      this.name === 'web'
        ? [
            join(workspaceRoot(), 'node_modules/.bin/next'),
            ['start', '--hostname', '127.0.0.1', '--port', String(this.port)],
            join(workspaceRoot(), 'apps/web'),
          ]
        : [process.execPath, [join(workspaceRoot(), 'dist/apps', this.name, 'main.js')], undefined];
    const child = spawn(command, args, {
      cwd,
      env: { PATH: process.env['PATH'], ...this.env, PORT: String(this.port) },
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    this.child = child;
    LIVE.add(child);
    child.once('exit', () => LIVE.delete(child));
    await waitFor(
      `${this.label} /ready`,
      async () => {
        if (!this.running) throw new Error(`${this.label} exited; its output:\n${this.outputTail()}`);
        return fetch(`${this.url}${this.name === 'web' ? '/api/health' : '/ready'}`).then(
          (response) => response.ok,
          () => false,
        );
      },
      timeoutMs,
    );
  }

  /** Sends `signal` (kill -9 by default) and waits until the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  outputTail(bytes = 4_000): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').slice(-bytes) : '';
  }
}

// Whatever happens to the caller, no app process outlives it.
const LIVE = new Set<ChildProcess>();
process.once('exit', () => LIVE.forEach((child) => child.kill('SIGKILL')));

export interface ServiceUrls {
  DATABASE_URL: string;
  PRODUCT_DATABASE_URL: string;
  REDIS_URL: string;
  CACHE_REDIS_URL: string;
}

/** With one sample products' service beside product-api (no OpenAPI document of its own). */
export type Apps = Record<AppName, AppInstance[]> & { 'sample-products'?: AppInstance[] };

/** The first instance of `app`, which the calls that need only one go to. */
export function firstInstance(apps: Apps, app: AppName): AppInstance {
  const [first] = apps[app];
  if (!first) throw new Error(`no ${app} instance is running`);
  return first;
}

/**
 * Seeds both teams and the home layout (every product, team A's first), then starts `instances` of each
 * app (product-api first: the others need it) with their logs in `logDir`.
 */
export async function startApps(
  services: ServiceUrls,
  instances: Partial<Record<AppName, number>>,
  { logDir, env = {} }: { logDir: string; env?: Record<string, string> },
): Promise<Apps> {
  await seedTeamsAndLayout(services);
  const apps = {} as Apps;
  for (const name of APP_NAMES) {
    apps[name] = [];
    for (let n = 1; n <= (instances[name] ?? 0); n++) {
      const label = `${name}#${n}`;
      apps[name].push(
        new AppInstance(
          name,
          label,
          await freePort(),
          { ...PLATFORM_ENV, ...services, ...env },
          join(logDir, `${label}.log`),
        ),
      );
    }
    await Promise.all(apps[name].map((app) => app.start()));
    // product-api's URL is only known now: the sample products register their endpoints there, and the
    // ingester's refresh worker reads them from it.
    if (name === 'product-api' && apps[name][0]) {
      env = { PRODUCT_API_URL: apps[name][0].url, ...env };
      const sampleProducts = new AppInstance(
        'sample-products',
        'sample-products#1',
        await freePort(),
        { ...PLATFORM_ENV, ...services, ...env },
        join(logDir, 'sample-products#1.log'),
      );
      apps['sample-products'] = [sampleProducts];
      await sampleProducts.start();
    }
  }
  return apps;
}

/**
 * One `next start` of the web build (apps/web/.next) per core-api instance, each pointed at its own: the
 * web makes one core-api call per page, and a front load balancer spreads the pages over the web servers.
 */
export async function startWebInstances(apps: Apps, logDir: string): Promise<AppInstance[]> {
  const webs = await Promise.all(
    apps['core-api'].map(
      async (coreApi, i) =>
        new AppInstance(
          'web',
          `web#${i + 1}`,
          await freePort(),
          {
            NEXT_TELEMETRY_DISABLED: '1',
            DEMO_MODE: '1',
            JWT_SECRET: SECRETS.JWT_SECRET,
            STUDIO_JWT_SECRET: SECRETS.STUDIO_JWT_SECRET,
            CORE_API_URL: coreApi.url,
            PRODUCT_API_URL: firstInstance(apps, 'product-api').url,
          },
          join(logDir, `web#${i + 1}.log`),
        ),
    ),
  );
  await Promise.all(webs.map((web) => web.start()));
  return webs;
}

export async function stopApps(apps: Apps): Promise<void> {
  await Promise.all(Object.values(apps).flatMap((instances) => instances.map((app) => app.kill())));
}

async function seedTeamsAndLayout(services: ServiceUrls): Promise<void> {
  for (const team of Object.values(TEAMS))
    await seedProductTeam(services.PRODUCT_DATABASE_URL, { ...team, productIds: [...team.productIds] });
  const core = new Client({ connectionString: services.DATABASE_URL });
  await core.connect();
  try {
    for (const [position, productId] of PRODUCT_IDS.entries())
      await core.query(
        'INSERT INTO home_slots (product_id, position) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [productId, position],
      );
  } finally {
    await core.end();
  }
}

/** A user's bearer token for core-api. */
export function userToken(userId: string, secret: string = SECRETS.JWT_SECRET): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(secret));
}

/** A studio session token from product-api for a team API key or the admin key. */
export async function studioToken(productApiUrl: string, apiKey: string): Promise<string> {
  const response = await fetch(`${productApiUrl}/v1/studio/session`, {
    method: 'POST',
    headers: { 'x-api-key': apiKey },
  });
  if (response.status !== 200) throw new Error(`studio session refused: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** A valid SDUI widget. */
export const card = (id: string, text: string) => ({
  type: 'card',
  id,
  children: [{ type: 'text', id: `${id}-text`, text }],
});

/** The OpenAPI document a running app serves. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  security?: Record<string, string[]>[];
}
export interface OpenApiOperation {
  security?: Record<string, string[]>[];
  parameters?: {
    name: string;
    in: 'path' | 'query' | 'header';
    required?: boolean;
    example?: unknown;
    schema?: { example?: unknown };
  }[];
  requestBody?: { content: Record<string, unknown> };
}

export async function openApiDocument(app: AppInstance): Promise<OpenApiDocument> {
  const response = await fetch(`${app.url}/docs/openapi.json`);
  if (response.status !== 200) throw new Error(`${app.label} serves no OpenAPI document`);
  return (await response.json()) as OpenApiDocument;
}
