import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workspaceRoot } from '@hwp/dev-services';
import { requiredSecrets } from './lib/app-config';
import { SCRAPED_APPS } from './observability/alert-rules';
import { DASHBOARDS } from './observability/dashboards';

const root = workspaceRoot();
const composeFile = join(root, 'docker/compose.yml');
const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      build?: { context: string; dockerfile: string };
      command?: string[];
      healthcheck?: unknown;
      environment?: Record<string, string>;
      volumes?: string[];
    }
  >;
};
const APPS = ['core-api', 'ingester', 'outbox-worker', 'product-api', 'sample-products', 'web'];

function service(name: string) {
  const found = compose.services[name];
  if (!found) throw new Error(`docker/compose.yml has no service ${name}`);
  return found;
}
function environmentOf(name: string): Record<string, string> {
  const { environment } = service(name);
  if (!environment) throw new Error(`compose service ${name} has no environment`);
  return environment;
}
function commandOf(name: string): string {
  const { command } = service(name);
  if (!command) throw new Error(`compose service ${name} has no command`);
  return command.join(' ');
}
/** The host:port of a URL, or undefined when it is not set. */
const hostOf = (url: string | undefined) => (url === undefined ? undefined : new URL(url).host);

describe('docker/compose.yml', () => {
  it('builds every app from a multi-stage Dockerfile that exists', () => {
    for (const app of APPS) {
      const build = compose.services[app]?.build;
      expect(build, app).toBeDefined();
      if (!build) continue;
      const dockerfile = join(root, 'docker', build.context, build.dockerfile);
      expect(existsSync(dockerfile), dockerfile).toBe(true);
      expect(readFileSync(dockerfile, 'utf8').match(/^FROM /gm)?.length, dockerfile).toBeGreaterThan(1);
    }
  });

  it('runs the two Redis roles with their settings: durable never evicts, cache is bounded LRU', () => {
    const durable = commandOf('redis-durable');
    expect(durable).toContain('--appendonly yes');
    expect(durable).toContain('--maxmemory-policy noeviction');
    const cache = commandOf('redis-cache');
    expect(cache).toMatch(/--maxmemory \d+mb/);
    expect(cache).toContain('--maxmemory-policy allkeys-lru');
  });

  it('health-checks every NestJS app on /ready', () => {
    for (const app of APPS.filter((name) => name !== 'web')) {
      expect(JSON.stringify(service(app).healthcheck), app).toContain('/ready');
    }
  });

  it('pools database connections through PgBouncer, except what needs a session (migrations, LISTEN)', () => {
    expect(environmentOf('pgbouncer')['POOL_MODE']).toBe('transaction');
    for (const app of ['core-api', 'ingester', 'product-api']) {
      const env = environmentOf(app);
      expect(hostOf(env['DATABASE_URL']), app).toBe('pgbouncer:6432');
      expect(hostOf(env['PRODUCT_DATABASE_URL']), app).toBe('pgbouncer:6432');
    }
    for (const app of ['migrate', 'outbox-worker']) {
      const env = environmentOf(app);
      expect(hostOf(env['DATABASE_URL']), app).toBe('postgres:5432');
      expect(hostOf(env['PRODUCT_DATABASE_URL']), app).toBe('postgres:5432');
    }
  });

  it("is a demo: every app runs with DEMO_MODE=1 (the demo's secrets) or is given each secret it needs", () => {
    for (const app of APPS) {
      const env = environmentOf(app);
      if (env['DEMO_MODE'] === '1') continue;
      const secrets = app === 'web' ? [{ name: 'STUDIO_JWT_SECRET' }] : requiredSecrets(app);
      for (const { name, or } of secrets)
        expect(env[name] ?? (or === undefined ? undefined : env[or]), `${app} sets ${name}`).toBeDefined();
    }
  });

  it('provisions Prometheus and Grafana from files of the repo: the scrape config, the rules, every dashboard', () => {
    const mounts = (service: string) =>
      new Map(
        (compose.services[service]?.volumes ?? [])
          .map((volume) => volume.split(':'))
          .flatMap(([source, target]) =>
            source?.startsWith('.') && target ? [[target, join(root, 'docker', source)] as const] : [],
          ),
      );
    const prometheus = mounts('prometheus');
    const grafana = mounts('grafana');
    for (const source of [...prometheus.values(), ...grafana.values()])
      expect(existsSync(source), source).toBe(true);
    expect(prometheus.get('/etc/prometheus/alerts.yml')).toBe(
      join(root, 'observability/prometheus/alerts.yml'),
    );
    const config = parse(readFileSync(prometheus.get('/etc/prometheus/prometheus.yml')!, 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    expect(config.rule_files).toEqual(['alerts.yml']);
    // Each app scraped under its own name (the job the alert rules name), at its compose service's port.
    expect(config.scrape_configs.map((job) => [job.job_name, job.static_configs[0]?.targets])).toEqual(
      SCRAPED_APPS.map((app) => [app, [`${app}:3000`]]),
    );
    const dashboards = grafana.get('/var/lib/grafana/dashboards/home-widget-platform')!;
    const provider = parse(
      readFileSync(
        join(grafana.get('/etc/grafana/provisioning/dashboards')!, 'home-widget-platform.yml'),
        'utf8',
      ),
    ) as { providers: { options: { path: string } }[] };
    expect(provider.providers[0]?.options.path).toBe('/var/lib/grafana/dashboards/home-widget-platform');
    expect(readdirSync(dashboards).sort()).toEqual(DASHBOARDS.map(({ uid }) => `${uid}.json`).sort());
    const datasources = parse(
      readFileSync(join(grafana.get('/etc/grafana/provisioning/datasources')!, 'prometheus.yml'), 'utf8'),
    ) as { datasources: { uid: string; url: string }[] };
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ uid: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
  });

  it('points the web tier and the sample products at the other services by their compose names', () => {
    const web = environmentOf('web');
    expect(hostOf(web['CORE_API_URL'])).toBe('core-api:3000');
    expect(hostOf(web['PRODUCT_API_URL'])).toBe('product-api:3000');
    const sample = environmentOf('sample-products');
    expect(hostOf(sample['PRODUCT_API_URL'])).toBe('product-api:3000');
    // Registered on product-api: the ingester calls the sample products there.
    expect(hostOf(sample['PUBLIC_URL'])).toBe('sample-products:3000');
  });

  it("migrates, then seeds the demo's teams, whose keys the sample products use", () => {
    const command = commandOf('migrate');
    expect(command).toMatch(/tools\/db\/migrate\.ts && .*tools\/demo\/seed\.ts/);
    expect(environmentOf('sample-products')['DEMO_MODE']).toBe('1');
  });

  // Machines without Docker's compose plugin (like CI here) report this one as skipped.
  const hasCompose = spawnSync('docker', ['compose', 'version']).status === 0;
  it.runIf(hasCompose)('is valid for Docker Compose itself', () => {
    const result = spawnSync('docker', ['compose', '-f', composeFile, 'config', '-q'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
