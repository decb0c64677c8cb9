// The physical limits of the write path, measured on the platform's own Postgres and durable Redis:
// pgbench running product-api's write transaction (widget state upsert + outbox row, one statement, as
// in apps/product-api/src/outbound/postgres-widget-store.ts) against a copy of the product database, and
// redis-benchmark appending widget-sized entries to a stream with XADD.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { installedPostgresBinDir } from '@hwp/dev-services';

const REDIS_BENCHMARK = '/usr/bin/redis-benchmark';

// pgbench substitutes :name with a bound parameter (-M prepared), like product-api's $1..$3.
const PRODUCT_WRITE = `\\set user random(1, :users)
WITH saved AS (
  INSERT INTO widgets AS w (product_id, audience, data_version, content, updated_at)
  VALUES (:product, :audience_prefix || :user, 1, :widget::jsonb, now())
  ON CONFLICT (product_id, audience) DO UPDATE
    SET data_version = w.data_version + 1, content = EXCLUDED.content, updated_at = EXCLUDED.updated_at
  RETURNING product_id, audience, data_version, content
)
INSERT INTO outbox (product_id, audience, data_version, payload)
SELECT product_id, audience, data_version,
       jsonb_build_object('widget', content, 'acceptedAt', (extract(epoch FROM now()) * 1000)::bigint)
FROM saved;
`;

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(
      `${command} failed (exit ${result.status}): ${(result.stderr || result.stdout).slice(-1500)}`,
    );
  return result.stdout;
}

/**
 * Product write transactions per second: `clients` connections for `seconds`, each transaction one user's
 * widget of `productId`, in a scratch copy of the product database (no outbox-worker drains it).
 */
export async function pgbenchProductWrites(options: {
  adminUrl: string;
  productDatabaseUrl: string;
  scratchDir: string;
  productId: string;
  widget: object;
  users: number;
  seconds: number;
}): Promise<{ transactionsPerSecond: number; clients: number }> {
  const source = new URL(options.productDatabaseUrl).pathname.slice(1);
  const copy = `${source}_pgbench`;
  const admin = new Client({ connectionString: options.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${copy}" TEMPLATE "${source}"`);
    const script = join(options.scratchDir, 'product-write.sql');
    writeFileSync(script, PRODUCT_WRITE);
    const copyUrl = new URL(options.productDatabaseUrl);
    copyUrl.pathname = `/${copy}`;
    const clients = 8;
    const output = run(join(installedPostgresBinDir(), 'pgbench'), [
      '--no-vacuum',
      '--protocol=prepared',
      `--client=${clients}`,
      '--jobs=2',
      `--time=${options.seconds}`,
      `--define=users=${options.users}`,
      `--define=product=${options.productId}`,
      '--define=audience_prefix=user:pgbench-',
      `--define=widget=${JSON.stringify(options.widget)}`,
      `--file=${script}`,
      copyUrl.toString(),
    ]);
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output);
    if (!tps) throw new Error(`pgbench printed no tps: ${output.slice(-1500)}`);
    return { transactionsPerSecond: Math.round(Number(tps[1])), clients };
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${copy}" WITH (FORCE)`);
    await admin.end();
  }
}

/** XADD per second on the durable Redis: `requests` entries of `payloadBytes` from 50 clients, one stream. */
export function redisBenchmarkXadd(options: { port: number; requests: number; payloadBytes: number }): {
  xaddPerSecond: number;
  clients: number;
} {
  const clients = 50;
  const stream = 'bench:xadd';
  const output = run(REDIS_BENCHMARK, [
    '-h',
    '127.0.0.1',
    '-p',
    String(options.port),
    '-c',
    String(clients),
    '-n',
    String(options.requests),
    '--csv',
    'XADD',
    stream,
    '*',
    'event',
    'x'.repeat(options.payloadBytes),
  ]);
  run(REDIS_BENCHMARK, ['-h', '127.0.0.1', '-p', String(options.port), '-n', '1', '-c', '1', 'DEL', stream]);
  // --csv: a header line, then "<command>","<requests per second>",...
  const line = output.trim().split('\n').pop() ?? '';
  const rps = Number(line.split('","')[1]);
  if (!Number.isFinite(rps) || rps <= 0)
    throw new Error(`redis-benchmark printed no rate: ${output.slice(-800)}`);
  return { xaddPerSecond: Math.round(rps), clients };
}
