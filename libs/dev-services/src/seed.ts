import { createHash } from 'node:crypto';
import { Client } from 'pg';
import type { DatabaseKind } from './workspace';

/** Adds a product team owning `productIds` with one API key, straight into the product database. */
export async function seedProductTeam(
  productDatabaseUrl: string,
  team: { id: string; apiKey: string; productIds: string[] },
) {
  const db = new Client({ connectionString: productDatabaseUrl });
  await db.connect();
  try {
    await db.query('INSERT INTO teams (id, name) VALUES ($1, $1) ON CONFLICT DO NOTHING', [team.id]);
    for (const productId of team.productIds) {
      await db.query('INSERT INTO products (id, team_id, name) VALUES ($1, $2, $1) ON CONFLICT DO NOTHING', [
        productId,
        team.id,
      ]);
    }
    const hash = createHash('sha256').update(team.apiKey).digest('hex');
    await db.query(
      'INSERT INTO api_keys (id, team_id, key_hash, label) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [`${team.id}-key`, team.id, hash, 'test key'],
    );
  } finally {
    await db.end();
  }
}

/**
 * The audience of the n-th user (from 1) of seedPersonalisedWidgets: `user:u0000001` on, seven digits, so
 * that audience order is seeding order up to 9,999,999.
 */
export function seededUserAudience(n: number): string {
  return `${SEEDED_USER}${String(n).padStart(SEEDED_DIGITS, '0')}`;
}

const SEEDED_USER = 'user:u';
const SEEDED_DIGITS = 7;

/**
 * `count` personalised widgets of `productId` (a small card each, version 1, users seededUserAudience(1)
 * on) straight into the product or the core database, then ANALYZE, so that the planner knows them. One
 * statement: a million rows in seconds, where a million API writes would take minutes. Core rows stand
 * as the ingester leaves them (accepted now).
 */
export async function seedPersonalisedWidgets(
  databaseUrl: string,
  database: DatabaseKind,
  { productId, count }: { productId: string; count: number },
): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const [columns, values] = database === 'core' ? [', accepted_at', ', now()'] : ['', ''];
    await db.query(
      `INSERT INTO widgets (product_id, audience, data_version, content${columns})
       SELECT $1::text, $3 || lpad(n::text, $4, '0'), 1,
              jsonb_build_object('type', 'card', 'id', 'c' || n,
                'children', jsonb_build_array(jsonb_build_object('type', 'text', 'id', 't' || n, 'text', 'Hi')))${values}
       FROM generate_series(1, $2::int) AS n`,
      [productId, count, SEEDED_USER, SEEDED_DIGITS],
    );
    await db.query('ANALYZE widgets');
  } finally {
    await db.end();
  }
}
