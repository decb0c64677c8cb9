import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ensureSystemPackages, SYSTEM_PACKAGES, workspaceRoot } from '@hwp/dev-services';

// Prometheus' own checker (Debian's prometheus package, installed by the set-up) on the alert rules: their
// syntax, the compose scrape configuration, and the unit tests of every rule.

const root = workspaceRoot();
const promtool = join(SYSTEM_PACKAGES.prometheus.binary, '../promtool');
const scratch = mkdtempSync(join(tmpdir(), 'hwp-promtool-'));
// Installed by `npm test`'s set-up; run alone as root, installed here; otherwise the apt-get line to run.
beforeAll(() => ensureSystemPackages(['prometheus']));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(...args: string[]) {
  const result = spawnSync(promtool, args, { cwd: root, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('alert rules under promtool', () => {
  it('pass every unit test of observability/prometheus/tests', () => {
    const dir = 'observability/prometheus/tests';
    const files = readdirSync(join(root, dir)).filter((file) => file.endsWith('.yml'));
    expect(files.length).toBeGreaterThan(0);
    const { status, output } = run('test', 'rules', ...files.map((file) => join(dir, file)));
    expect(output).toContain('SUCCESS');
    expect(status, output).toBe(0);
  });

  it('are valid in the rules file, in the PrometheusRule of docker/k8s and in the compose configuration', () => {
    const rules = run('check', 'rules', 'observability/prometheus/alerts.yml');
    expect(rules.status, rules.output).toBe(0);
    const manifest = parseAllDocuments(
      readFileSync(join(root, 'docker/k8s-monitoring/observability.yaml'), 'utf8'),
    )
      .map((document) => document.toJS() as { kind: string; spec: { groups: unknown } })
      .find(({ kind }) => kind === 'PrometheusRule')!;
    const extracted = join(scratch, 'prometheus-rule.json');
    writeFileSync(extracted, JSON.stringify({ groups: manifest.spec.groups }));
    const k8s = run('check', 'rules', extracted);
    expect(k8s.status, k8s.output).toBe(0);
    const config = run('check', 'config', 'observability/prometheus/prometheus.yml');
    expect(config.status, config.output).toBe(0);
  });

  it('fail when a rule does not behave as its test says (the tests can fail)', () => {
    // The same tests against rules whose AppDown never fires.
    const rules = readFileSync(join(root, 'observability/prometheus/alerts.yml'), 'utf8');
    writeFileSync(join(scratch, 'alerts.yml'), rules.replace(/(up\{[^}]*\}) == 0/, '$1 == 2'));
    const tests = readFileSync(join(root, 'observability/prometheus/tests/alerts.test.yml'), 'utf8');
    writeFileSync(join(scratch, 'alerts.test.yml'), tests.replace('../alerts.yml', 'alerts.yml'));
    const { status, output } = run('test', 'rules', join(scratch, 'alerts.test.yml'));
    expect(output).toContain('alertname: AppDown');
    expect(status).not.toBe(0);
  });
});
