import { startPlatform, type Platform, type PlatformApp } from '@hwp/dev-services';
import { migrate } from '@hwp/migrator';
import type { Logger } from '../lib/log';

// The private platform moved to libs/dev-services (the web's end-to-end tests start it too).
export type BenchApp = PlatformApp;
export type BenchPlatform = Platform;

/** A private platform for benchmarks (see startPlatform); BENCH_ENV_<NAME>=value sets <NAME> for every app. */
export const startBenchPlatform = (log: Logger) =>
  startPlatform({ migrate, log, name: 'hwp-bench', envPrefix: 'BENCH_ENV_' });

/** The p-th percentile (0-100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A markdown table from rows of cells. */
export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
