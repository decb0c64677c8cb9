import { createHash } from 'node:crypto';
import { Client } from 'pg';

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
