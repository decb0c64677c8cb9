import type { Client } from 'pg';
import { MAX_MEMBERS_PER_PAGE, segmentStreamKey } from '@hwp/widget-events';

export interface RepublishedSegment {
  productId: string;
  segmentId: string;
  dataVersion: number;
  /** Members put in the outbox again; 0 for a deleted segment, whose deletion is. */
  members: number;
  deleted: boolean;
}

/**
 * Puts every segment's current state in the outbox again, for the pipeline to deliver to the segment index
 * after the durable Redis lost it (docs/adr/0027-segments.md): each segment's members in pages at the
 * segment's current version, read in one snapshot with that version, and each deleted segment's deletion.
 * Equal versions change nothing in the index, and any change made meanwhile carries a higher version, so it
 * is safe while the platform runs and safe to run again.
 */
export async function republishSegments(
  db: Client,
  options: { productId?: string; pageSize?: number; progress?: (segment: RepublishedSegment) => void },
): Promise<RepublishedSegment[]> {
  const pageSize = options.pageSize ?? MAX_MEMBERS_PER_PAGE;
  const { rows: segments } = await db.query<{ product_id: string; segment_id: string }>(
    `SELECT product_id, segment_id FROM segments WHERE $1::text IS NULL OR product_id = $1
     ORDER BY product_id, segment_id`,
    [options.productId ?? null],
  );
  const done: RepublishedSegment[] = [];
  for (const { product_id: productId, segment_id: segmentId } of segments) {
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      const segment = await republishOne(db, productId, segmentId, pageSize);
      await db.query('COMMIT');
      if (segment) {
        done.push(segment);
        options.progress?.(segment);
      }
    } catch (error) {
      await db.query('ROLLBACK');
      throw error;
    }
  }
  return done;
}

async function republishOne(
  db: Client,
  productId: string,
  segmentId: string,
  pageSize: number,
): Promise<RepublishedSegment | undefined> {
  const {
    rows: [segment],
  } = await db.query<{ data_version: string; deleted: boolean }>(
    `SELECT data_version, deleted_at IS NOT NULL AS deleted FROM segments
     WHERE product_id = $1 AND segment_id = $2`,
    [productId, segmentId],
  );
  // Never changed yet (version 0): nothing to deliver.
  if (!segment || segment.data_version === '0') return undefined;
  const dataVersion = Number(segment.data_version);
  const event = (add: string[], deleted: boolean) =>
    db.query(
      `INSERT INTO outbox (product_id, audience, data_version, payload)
       VALUES ($1, $2, $3, jsonb_build_object('segment', $4::jsonb, 'acceptedAt', $5::bigint))`,
      [
        productId,
        segmentStreamKey(segmentId),
        dataVersion,
        JSON.stringify({ add, remove: [], deleted }),
        Date.now(),
      ],
    );
  if (segment.deleted) {
    await event([], true);
    return { productId, segmentId, dataVersion, members: 0, deleted: true };
  }
  let members = 0;
  let after = '';
  for (;;) {
    const { rows } = await db.query<{ user_id: string }>(
      `SELECT user_id FROM segment_members WHERE product_id = $1 AND segment_id = $2 AND user_id > $3
       ORDER BY user_id LIMIT $4`,
      [productId, segmentId, after, pageSize],
    );
    if (rows.length === 0) break;
    await event(
      rows.map((row) => row.user_id),
      false,
    );
    members += rows.length;
    after = rows[rows.length - 1]?.user_id ?? after;
  }
  return { productId, segmentId, dataVersion, members, deleted: false };
}
