import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSystemPackages, SYSTEM_PACKAGES } from './system-packages';
import { isAlive, spawnDetached, stopPid, waitFor, type ManagedProcess } from './processes';

export interface PrometheusOptions {
  /** Its configuration, data and log. */
  dir: string;
  port: number;
  /** Scrape jobs: the job name (an app's name, as the alert rules expect) → its `host:port` targets. */
  jobs: Record<string, string[]>;
  /** Rule files, each already written (YAML or JSON). */
  ruleFiles?: string[];
  /** How often it scrapes and evaluates the rules (Prometheus duration syntax); 15s by default. */
  interval?: string;
  log?: (line: string) => void;
}

export interface PrometheusInstance extends ManagedProcess {
  readonly url: string;
}

/**
 * Starts (or re-attaches to) a private Prometheus (Debian's package) that scrapes `jobs`' /metrics and
 * evaluates `ruleFiles`, its files in `dir`.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusInstance> {
  const { dir, port, jobs, ruleFiles = [], interval = '15s' } = options;
  ensureSystemPackages(['prometheus'], options.log);
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'prometheus.yml');
  // JSON is YAML: no YAML writer needed.
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: ruleFiles,
    scrape_configs: Object.entries(jobs).map(([job, targets]) => ({
      job_name: job,
      static_configs: [{ targets }],
    })),
  };
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const pidFile = join(dir, 'prometheus.pid');
  let pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined;
  if (pid === undefined || !isAlive(pid)) {
    pid = spawnDetached(
      SYSTEM_PACKAGES.prometheus.binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // Re-reads the configuration on POST /-/reload (a re-attached instance after the apps moved).
        '--web.enable-lifecycle',
      ],
      join(dir, 'prometheus.log'),
    );
    writeFileSync(pidFile, String(pid));
  } else {
    await fetch(`http://127.0.0.1:${port}/-/reload`, { method: 'POST' });
  }
  const url = `http://127.0.0.1:${port}`;
  const startedPid = pid;
  await waitFor(`prometheus on port ${port}`, () => {
    if (!isAlive(startedPid)) throw new Error(`prometheus exited: see ${join(dir, 'prometheus.log')}`);
    return fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
  });
  return { pid, port, url, stop: (signal = 'SIGTERM') => stopPid(startedPid, signal) };
}
