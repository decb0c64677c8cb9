import { Inject, Injectable } from '@nestjs/common';
import { PRODUCT_DATABASE, ProductPrisma, type ProductDatabaseClient } from '@hwp/product-db';
import type { PostgresConnection } from '@hwp/service-kit';
import { segmentAudience, segmentStreamKey } from '@hwp/widget-events';
import type {
  MembershipPage,
  MembershipResult,
  Segment,
  SegmentDeletion,
  SegmentStore,
} from '../domain/segments';

interface SegmentRow {
  product_id: string;
  segment_id: string;
  name: string;
  member_count: bigint;
  data_version: bigint;
  created_at: Date;
  updated_at: Date;
}

export type Transaction = Parameters<Parameters<ProductDatabaseClient['$transaction']>[0]>[0];

/**
 * Segments and their members. A membership page or a deletion is one transaction that first locks the
 * segment's row: pages of one segment are applied one after the other and take versions in that order, so
 * the version an event carries orders it after every change it saw (two concurrent pages could otherwise
 * add and remove one user with the versions the other way round).
 */
@Injectable()
export class PostgresSegmentStore implements SegmentStore {
  constructor(@Inject(PRODUCT_DATABASE) private readonly db: PostgresConnection<ProductDatabaseClient>) {}

  /** Creating a deleted segment again keeps its version, so its new members' events outrank its deletion. */
  async put(productId: string, segmentId: string, name: string): Promise<Segment> {
    const [row] = await this.db.client.$queryRaw<SegmentRow[]>`
      INSERT INTO segments AS s (product_id, segment_id, name, data_version)
      VALUES (${productId}, ${segmentId}, ${name}, 0)
      ON CONFLICT (product_id, segment_id) DO UPDATE SET
        name = EXCLUDED.name,
        updated_at = now(),
        created_at = CASE WHEN s.deleted_at IS NULL THEN s.created_at ELSE now() END,
        deleted_at = NULL
      RETURNING ${SEGMENT_COLUMNS}`;
    if (!row) throw new Error(`saving segment ${productId}/${segmentId} returned no row`);
    return toSegment(row);
  }

  async get(productId: string, segmentId: string): Promise<Segment | undefined> {
    const [row] = await this.db.client.$queryRaw<SegmentRow[]>`
      SELECT ${SEGMENT_COLUMNS} FROM segments
      WHERE product_id = ${productId} AND segment_id = ${segmentId} AND deleted_at IS NULL`;
    return row ? toSegment(row) : undefined;
  }

  async find(productId: string, after: string | undefined, limit: number): Promise<Segment[]> {
    const rows = await this.db.client.$queryRaw<SegmentRow[]>`
      SELECT ${SEGMENT_COLUMNS} FROM segments
      WHERE product_id = ${productId} AND deleted_at IS NULL AND segment_id > ${after ?? ''}
      ORDER BY segment_id LIMIT ${limit}::int`;
    return rows.map(toSegment);
  }

  async members(
    productId: string,
    segmentId: string,
    after: string | undefined,
    limit: number,
  ): Promise<string[]> {
    const rows = await this.db.client.$queryRaw<{ user_id: string }[]>`
      SELECT user_id FROM segment_members
      WHERE product_id = ${productId} AND segment_id = ${segmentId} AND user_id > ${after ?? ''}
      ORDER BY user_id LIMIT ${limit}::int`;
    return rows.map((row) => row.user_id);
  }

  changeMembers(
    productId: string,
    segmentId: string,
    { add, remove }: MembershipPage,
    acceptedAt: number,
    traceparent?: string,
  ): Promise<MembershipResult | undefined> {
    return this.db.client.$transaction(async (tx) => {
      if (!(await lockLive(tx, productId, segmentId))) return undefined;
      const added = add.length
        ? await tx.$executeRaw`
            INSERT INTO segment_members (product_id, segment_id, user_id)
            SELECT ${productId}, ${segmentId}, unnest(${add}::text[])
            ON CONFLICT DO NOTHING`
        : 0;
      const removed = remove.length
        ? await tx.$executeRaw`
            DELETE FROM segment_members
            WHERE product_id = ${productId} AND segment_id = ${segmentId} AND user_id = ANY(${remove}::text[])`
        : 0;
      const [row] = await tx.$queryRaw<{ data_version: bigint; member_count: bigint }[]>`
        UPDATE segments SET data_version = data_version + 1, member_count = member_count + ${added - removed}::int,
          updated_at = now()
        WHERE product_id = ${productId} AND segment_id = ${segmentId}
        RETURNING data_version, member_count`;
      if (!row) throw new Error(`segment ${productId}/${segmentId} vanished while locked`);
      await insertEvent(
        tx,
        productId,
        segmentId,
        row.data_version,
        { add, remove, deleted: false },
        acceptedAt,
        traceparent,
      );
      return {
        added,
        removed,
        memberCount: Number(row.member_count),
        dataVersion: Number(row.data_version),
      };
    }, PAGE_TRANSACTION);
  }

  delete(
    productId: string,
    segmentId: string,
    acceptedAt: number,
    traceparent?: string,
  ): Promise<SegmentDeletion> {
    return this.db.client.$transaction(async (tx): Promise<SegmentDeletion> => {
      if (!(await lockLive(tx, productId, segmentId))) return { ok: false, reason: 'unknown-segment' };
      const [running] = await tx.$queryRaw<{ experiment_id: string }[]>`
        SELECT experiment_id FROM experiments
        WHERE product_id = ${productId} AND audience = ${segmentAudience(segmentId)} AND state = 'running'
        LIMIT 1`;
      if (running) return { ok: false, reason: 'in-use', experimentId: running.experiment_id };
      await tx.$executeRaw`
        DELETE FROM segment_members WHERE product_id = ${productId} AND segment_id = ${segmentId}`;
      const [row] = await tx.$queryRaw<{ data_version: bigint }[]>`
        UPDATE segments SET data_version = data_version + 1, member_count = 0, updated_at = now(), deleted_at = now()
        WHERE product_id = ${productId} AND segment_id = ${segmentId}
        RETURNING data_version`;
      if (!row) throw new Error(`segment ${productId}/${segmentId} vanished while locked`);
      await insertEvent(
        tx,
        productId,
        segmentId,
        row.data_version,
        { add: [], remove: [], deleted: true },
        acceptedAt,
        traceparent,
      );
      return { ok: true };
    }, DELETION_TRANSACTION);
  }
}

// Prisma ends an interactive transaction after 5 s by default. A page waits for the segment's lock while
// the pages before it are applied, and deleting a segment of millions removes millions of rows.
const PAGE_TRANSACTION = { maxWait: 10_000, timeout: 120_000 };
const DELETION_TRANSACTION = { maxWait: 10_000, timeout: 30 * 60_000 };

/** The columns every segment query returns. */
const SEGMENT_COLUMNS = ProductPrisma.raw(
  'product_id, segment_id, name, member_count, data_version, created_at, updated_at',
);

async function lockLive(tx: Transaction, productId: string, segmentId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`
    SELECT 1 FROM segments
    WHERE product_id = ${productId} AND segment_id = ${segmentId} AND deleted_at IS NULL
    FOR UPDATE`;
  return rows.length > 0;
}

/**
 * Whether the segment exists; FOR SHARE keeps it from being deleted (a deletion locks it FOR UPDATE) until
 * the caller's transaction ends, so nothing is published to a segment deleted meanwhile.
 */
export async function holdLiveSegment(
  tx: Transaction,
  productId: string,
  segmentId: string,
): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`
    SELECT 1 FROM segments
    WHERE product_id = ${productId} AND segment_id = ${segmentId} AND deleted_at IS NULL
    FOR SHARE`;
  return rows.length > 0;
}

/** The segment's outbox event: the whole page (not only what changed), so a redelivery repairs the core side. */
async function insertEvent(
  tx: Transaction,
  productId: string,
  segmentId: string,
  dataVersion: bigint,
  segment: { add: string[]; remove: string[]; deleted: boolean },
  acceptedAt: number,
  traceparent: string | undefined,
): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO outbox (product_id, audience, data_version, payload, traceparent)
    VALUES (${productId}, ${segmentStreamKey(segmentId)}, ${dataVersion},
      jsonb_build_object('segment', ${JSON.stringify(segment)}::jsonb, 'acceptedAt', ${acceptedAt}::bigint),
      ${traceparent ?? null})`;
}

function toSegment(row: SegmentRow): Segment {
  return {
    productId: row.product_id,
    segmentId: row.segment_id,
    name: row.name,
    memberCount: Number(row.member_count),
    dataVersion: Number(row.data_version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
