import { Inject, Injectable } from '@nestjs/common';
import { PRODUCT_DATABASE, type ProductDatabaseClient } from '@hwp/product-db';
import type { PostgresConnection } from '@hwp/service-kit';
import type { Audience, PipelineEvent } from '@hwp/widget-events';
import { CONFIG, type Config } from '../config';
import type { ClaimedEvent, Outbox } from '../domain/ports';

interface OutboxRow {
  id: bigint;
  product_id: string;
  /** The widget's audience, or `segment:<segmentId>`. */
  audience: string;
  data_version: bigint;
  /**
   * As product-api writes it: the SDUI widget (null for a deletion), or a segment's change (its audience is
   * then `segment:<segmentId>`), and when it accepted the write.
   */
  payload:
    | { widget: object | null; acceptedAt: number }
    | { segment: { add: string[]; remove: string[]; deleted: boolean }; acceptedAt: number };
  created_at: Date;
  traceparent: string | null;
}

/**
 * The outbox table with row leases. Leases are set and checked against the database clock, so the
 * workers' clocks do not matter.
 */
@Injectable()
export class OutboxRepository implements Outbox {
  private readonly db: ProductDatabaseClient;
  private readonly owner: string;
  private readonly leaseMs: number;

  constructor(
    @Inject(PRODUCT_DATABASE) connection: PostgresConnection<ProductDatabaseClient>,
    @Inject(CONFIG) config: Config,
  ) {
    this.db = connection.client;
    this.owner = config.INSTANCE_ID;
    this.leaseMs = config.OUTBOX_LEASE_MS;
  }

  /**
   * Claims by lease, never by an "id above the last one seen" watermark: ids are taken at insert but
   * rows become visible at commit, so a transaction that commits late holds a lower id than rows already
   * published. Here such a row simply has no lease and is claimed by the next look. SKIP LOCKED lets
   * concurrent workers take disjoint batches instead of waiting on each other.
   */
  async claim(limit: number): Promise<ClaimedEvent[]> {
    const rows = await this.db.$queryRaw<OutboxRow[]>`
      WITH candidates AS MATERIALIZED (
        SELECT id FROM outbox
        WHERE leased_until IS NULL OR leased_until < now()
        ORDER BY id
        LIMIT ${limit}::int
        FOR UPDATE SKIP LOCKED
      ), claimed AS (
        UPDATE outbox SET leased_by = ${this.owner}, leased_until = now() + ${this.leaseMs}::int * interval '1 millisecond'
        FROM candidates WHERE outbox.id = candidates.id
        RETURNING outbox.id, product_id, audience, data_version, payload, created_at, traceparent
      )
      SELECT * FROM claimed ORDER BY id`;
    return rows.map((row) => ({ event: eventOf(row), createdAt: row.created_at }));
  }

  async remove(eventIds: string[]): Promise<void> {
    await this.db.$executeRaw`
      DELETE FROM outbox WHERE id = ANY(${eventIds}::bigint[]) AND leased_by = ${this.owner}`;
  }

  async release(eventIds: string[]): Promise<void> {
    await this.db.$executeRaw`
      UPDATE outbox SET leased_by = NULL, leased_until = NULL
      WHERE id = ANY(${eventIds}::bigint[]) AND leased_by = ${this.owner}`;
  }

  async backlog(): Promise<number> {
    const [{ rows }] = await this.db.$queryRaw<[{ rows: number }]>`SELECT count(*)::int AS rows FROM outbox`;
    return rows;
  }
}

function eventOf({ id, product_id, audience, data_version, payload, traceparent }: OutboxRow): PipelineEvent {
  const common = {
    eventId: id.toString(),
    productId: product_id,
    dataVersion: Number(data_version),
    acceptedAt: payload.acceptedAt,
    ...(traceparent === null ? {} : { traceparent }),
  };
  if ('segment' in payload)
    return { ...common, segmentId: audience.slice('segment:'.length), ...payload.segment };
  return {
    ...common,
    audience: audience as Audience,
    widget: payload.widget === null ? null : JSON.stringify(payload.widget),
  };
}
