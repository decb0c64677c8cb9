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
 * Starts a private Prometheus (Debian's package) that scrapes `jobs`' /metrics and evaluates `ruleFiles`,
 * its files in `dir`.
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
  // One left running by an interrupted demo scrapes what it was told then: start it again on this config.
  const previous = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined;
  if (previous !== undefined && runs(previous, configFile)) await stopPid(previous);
  const pid = spawnDetached(
    SYSTEM_PACKAGES.prometheus.binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    join(dir, 'prometheus.log'),
  );
  writeFileSync(pidFile, String(pid));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`prometheus on port ${port}`, () => {
    if (!isAlive(pid)) throw new Error(`prometheus exited: see ${join(dir, 'prometheus.log')}`);
    return fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
  });
  return { pid, port, url, stop: (signal = 'SIGTERM') => stopPid(pid, signal) };
}

/** Whether `pid` is still the Prometheus started on `configFile` (and not a process that took its id). */
function runs(pid: number, configFile: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`--config.file=${configFile}`);
  } catch {
    return false;
  }
}
