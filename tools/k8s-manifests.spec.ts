import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { PodMonitor, PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { workspaceRoot } from '@hwp/dev-services';
import { configVariables, requiredSecrets } from './lib/app-config';
import { ALERT_RULES, SCRAPED_APPS } from './observability/alert-rules';
import { DASHBOARDS } from './observability/dashboards';

const dir = join(workspaceRoot(), 'docker/k8s');

/** The Kubernetes models whose JSON Schemas validate each kind (kubernetes-models, from the API's OpenAPI). */
// Typed loosely: `validate` comes from @kubernetes-models/base, whose types this tsconfig cannot resolve.
const MODELS: Record<string, new (data: never) => unknown> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
};

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

interface Container {
  name: string;
  env?: { name: string; value?: string; valueFrom?: Record<string, { name?: string; key?: string }> }[];
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string> };
}

function kustomizationOf(folder: string) {
  const [document] = parseAllDocuments(readFileSync(join(folder, 'kustomization.yaml'), 'utf8'));
  if (!document) throw new Error(`${folder}/kustomization.yaml is empty`);
  return document.toJS() as { resources: string[] };
}
const kustomization = kustomizationOf(dir);
/** The overlay for clusters with the Prometheus Operator: the base and the observability objects. */
const monitoringDir = join(workspaceRoot(), 'docker/k8s-monitoring');
const monitoring = kustomizationOf(monitoringDir);
const objectsOf = (folder: string, files: string[]) =>
  files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(folder, file), 'utf8')).map(
      (document) => document.toJS() as Manifest,
    ),
  );
const manifests: Manifest[] = [
  ...objectsOf(dir, kustomization.resources),
  ...objectsOf(
    monitoringDir,
    monitoring.resources.filter((resource) => resource !== '../k8s'),
  ),
];
const byKind = (kind: string) => manifests.filter((manifest) => manifest.kind === kind);
const named = (kind: string, name: string) =>
  byKind(kind).find((manifest) => manifest.metadata.name === name);
/** The manifest of `kind` named `name`; an error names a missing one. */
function manifestOf(kind: string, name: string): Manifest {
  const manifest = named(kind, name);
  if (!manifest) throw new Error(`no ${kind} ${name} in the manifests`);
  return manifest;
}
/** The first container of a Deployment; an error names a Deployment without one. */
function containerOf(app: string): Container {
  const deployment = manifestOf('Deployment', app);
  const [container] = (deployment.spec as { template: { spec: { containers: Container[] } } }).template.spec
    .containers;
  if (!container) throw new Error(`Deployment ${app} has no container`);
  return container;
}

const NEST_APPS = ['core-api', 'product-api', 'ingester', 'outbox-worker'];

describe('docker/k8s (kustomize)', () => {
  it('lists every manifest file of the folder in kustomization.yaml', () => {
    const files = readdirSync(dir).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    // The base needs no CRD; the monitoring overlay adds the Prometheus Operator's objects to it.
    expect(objectsOf(dir, kustomization.resources).map(({ apiVersion }) => apiVersion)).not.toContain(
      'monitoring.coreos.com/v1',
    );
    const overlayFiles = readdirSync(monitoringDir).filter(
      (file) => file.endsWith('.yaml') && file !== 'kustomization.yaml',
    );
    expect([...monitoring.resources].sort()).toEqual(['../k8s', ...overlayFiles].sort());
  });

  it("validates every object against the Kubernetes API's schema for its kind", () => {
    for (const manifest of manifests) {
      const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
      expect(Model, `${manifest.apiVersion} ${manifest.kind} ${manifest.metadata.name}`).toBeDefined();
      expect(
        () => (new Model!(manifest as never) as { validate(): void }).validate(),
        manifest.metadata.name,
      ).not.toThrow();
    }
  });

  it('runs every app with readiness on /ready, liveness on /health, resource requests and a disruption budget', () => {
    for (const app of [...NEST_APPS, 'web']) {
      const deployment = manifestOf('Deployment', app);
      const container = containerOf(app);
      expect(container.readinessProbe?.httpGet?.path, app).toBe(app === 'web' ? '/api/health' : '/ready');
      expect(container.livenessProbe?.httpGet?.path, app).toBe(app === 'web' ? '/api/health' : '/health');
      expect(container.resources?.requests, app).toMatchObject({
        cpu: expect.any(String),
        memory: expect.any(String),
      });
      const budget = named('PodDisruptionBudget', app);
      expect(budget?.spec?.['selector'], app).toEqual(deployment.spec?.['selector']);
    }
  });

  it('autoscales core-api and the ingester', () => {
    const targets = byKind('HorizontalPodAutoscaler').map(
      (hpa) => (hpa.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef,
    );
    expect(targets).toEqual(
      expect.arrayContaining([
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'core-api' },
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ingester' },
      ]),
    );
    for (const { name } of targets) expect(named('Deployment', name), name).toBeDefined();
  });

  it("sets only variables each app's config knows, from keys the ConfigMap and Secrets have", () => {
    const keysOf = (kind: string, name: string) => {
      const manifest = manifestOf(kind, name);
      return Object.keys(manifest.data ?? manifest.stringData ?? {});
    };
    for (const app of NEST_APPS) {
      const known = configVariables(app);
      expect(known, app).toContain('DATABASE_POOL_SIZE');
      for (const variable of containerOf(app).env ?? []) {
        if (variable.name === 'NODE_OPTIONS') continue; // Node's own (core-api's heap limit)
        expect(known, `${app} sets ${variable.name}`).toContain(variable.name);
        const ref = variable.valueFrom?.['configMapKeyRef'] ?? variable.valueFrom?.['secretKeyRef'];
        if (ref === undefined) continue;
        const kind = variable.valueFrom?.['configMapKeyRef'] ? 'ConfigMap' : 'Secret';
        expect(keysOf(kind, ref.name ?? ''), `${app}: ${kind} ${ref.name} has ${ref.key}`).toContain(ref.key);
      }
    }
  });

  it('runs every app outside demo mode, with each secret its config needs from the Secret', () => {
    for (const app of [...NEST_APPS, 'web']) {
      const env = containerOf(app).env ?? [];
      const names = env.map(({ name }) => name);
      expect(names, app).not.toContain('DEMO_MODE');
      const fromSecret = env.filter(({ valueFrom }) => valueFrom?.['secretKeyRef']).map(({ name }) => name);
      // The web's only secret outside demo mode is the studio's (apps/web/src/server/config.ts).
      const secrets = app === 'web' ? [{ name: 'STUDIO_JWT_SECRET' }] : requiredSecrets(app);
      for (const { name, or } of secrets) {
        const set = fromSecret.includes(name) || (or !== undefined && names.includes(or));
        expect(set, `${app} gets ${name}${or ? ` or ${or}` : ''}`).toBe(true);
      }
    }
    // What the check reads from the configs' source, so that a change of their form cannot pass it silently.
    expect(requiredSecrets('core-api')).toEqual([
      { name: 'JWT_SECRET', or: 'JWT_JWKS_URL' },
      { name: 'STUDIO_JWT_SECRET', or: undefined },
    ]);
  });

  // Machines without kubectl report this one as skipped.
  const hasKubectl = spawnSync('kubectl', ['version', '--client']).status === 0;
  it.runIf(hasKubectl)('builds with kustomize, the base alone and with the monitoring overlay', () => {
    for (const folder of [dir, monitoringDir]) {
      const result = spawnSync('kubectl', ['kustomize', folder], { encoding: 'utf8' });
      expect(result.stderr, folder).toBe('');
      expect(result.status, folder).toBe(0);
    }
  });

  it('monitors the apps for the Prometheus Operator: the alert rules, every app scraped by its name, the dashboards', () => {
    const rule = named('PrometheusRule', 'home-widget-platform');
    const groups = (rule?.spec as { groups: { rules: { alert: string }[] }[] }).groups;
    expect(groups.flatMap((group) => group.rules.map(({ alert }) => alert))).toEqual(
      ALERT_RULES.map(({ alert }) => alert),
    );
    const monitor = manifestOf('PodMonitor', 'home-widget-platform').spec as {
      selector: { matchExpressions: { key: string; values: string[] }[] };
      podMetricsEndpoints: { port: string; relabelings: { targetLabel: string }[] }[];
    };
    expect(monitor.selector.matchExpressions[0]).toMatchObject({
      key: 'app.kubernetes.io/name',
      values: [...SCRAPED_APPS],
    });
    // The scraped pods expose the named port, and each app's job label is its name (what AppDown names).
    for (const app of SCRAPED_APPS) expect(JSON.stringify(containerOf(app)), app).toContain('"name":"http"');
    expect(monitor.podMetricsEndpoints[0]?.port).toBe('http');
    expect(monitor.podMetricsEndpoints[0]?.relabelings[0]?.targetLabel).toBe('job');
    const dashboards = manifestOf('ConfigMap', 'grafana-dashboards');
    expect(dashboards.metadata.labels?.['grafana_dashboard']).toBe('1');
    expect(Object.keys(dashboards.data ?? {}).sort()).toEqual(
      DASHBOARDS.map(({ uid }) => `${uid}.json`).sort(),
    );
    for (const json of Object.values(dashboards.data ?? {}))
      expect(JSON.parse(json).panels.length).toBeGreaterThan(0);
  });
});
