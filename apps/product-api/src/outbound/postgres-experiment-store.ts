import { Inject, Injectable } from '@nestjs/common';
import {
  PRODUCT_DATABASE,
  ProductPrisma,
  type ExperimentModel as ExperimentRow,
  type ProductDatabaseClient,
} from '@hwp/product-db';
import type { PostgresConnection } from '@hwp/service-kit';
import { experimentAudience } from '@hwp/widget-events';
import type { Caller } from '../domain/audit';
import {
  deliveryOf,
  type Decision,
  type Experiment,
  type ExperimentAudience,
  type ExperimentState,
  type ExperimentStore,
  type SaveOutcome,
  type Variant,
} from '../domain/experiments';
import { auditRow } from './postgres-audit-log';
import { holdLiveSegment, type Transaction } from './postgres-segment-store';
import { saveWithOutbox } from './postgres-widget-store';

/** The partial unique index of the migration: one running experiment per product and audience. */
const ONE_RUNNING = 'experiments_one_running_per_audience';

/** A refusal decided inside the transaction: it rolls back, and the caller gets the refusal. */
class Refused extends Error {
  constructor(readonly decision: Extract<Decision, { ok: false }>) {
    super(decision.detail);
  }
}

@Injectable()
export class PostgresExperimentStore implements ExperimentStore {
  constructor(@Inject(PRODUCT_DATABASE) private readonly db: PostgresConnection<ProductDatabaseClient>) {}

  async save(
    productId: string,
    experimentId: string,
    decide: (current: Experiment | undefined) => Decision,
    caller: Caller,
    traceparent?: string,
    retried = false,
  ): Promise<SaveOutcome> {
    try {
      const experiment = await this.db.client.$transaction(async (tx) => {
        const current = await locked(tx, productId, experimentId);
        const decision = decide(current);
        if (!decision.ok) throw new Refused(decision);
        const { next, action } = decision;
        if (!action) {
          if (current) return current;
          throw new Error(`${productId}/${experimentId}: a new experiment is always a change`);
        }
        // The segment is held FOR SHARE: a deletion (FOR UPDATE) waits for this transaction, then sees it.
        const segmentId = next.audience === 'everyone' ? undefined : next.audience.slice('segment:'.length);
        if (segmentId !== undefined && !(await holdLiveSegment(tx, productId, segmentId)))
          throw new Refused({
            ok: false,
            reason: 'invalid',
            pointer: '/audience',
            detail: `no segment ${segmentId}`,
          });
        const now = new Date();
        const fields = {
          name: next.name,
          audience: next.audience,
          variants: next.variants as unknown as ProductPrisma.InputJsonValue,
          state: next.state,
          updatedAt: now,
          startedAt: current?.startedAt ?? (next.state === 'running' ? now : null),
          stoppedAt: current?.stoppedAt ?? (next.state === 'stopped' ? now : null),
        };
        const row = current
          ? await tx.experiment.update({
              where: { productId_experimentId: { productId, experimentId } },
              data: { ...fields, dataVersion: { increment: 1 } },
            })
          : await tx.experiment.create({
              data: { productId, experimentId, ...fields, dataVersion: 1, createdAt: now },
            });
        await tx.auditRecord.create({
          data: {
            ...auditRow(caller, action, productId, `experiment:${experimentId}`),
            dataVersion: row.dataVersion,
          },
        });
        const saved = toExperiment(row);
        // The core side learns of a start or a stop through the widgets' outbox, at the next version of
        // the experiment's audience, in this transaction (the audit record above is the change's).
        const delivery = deliveryOf(current?.state, saved);
        if (delivery)
          await saveWithOutbox(
            tx,
            productId,
            [{ audience: experimentAudience(experimentId), widget: delivery.content }],
            now.getTime(),
            caller,
            null,
            traceparent,
          );
        return saved;
      });
      return { ok: true, experiment };
    } catch (error) {
      if (error instanceof Refused) return error.decision;
      // Two first writes of one new experiment: the loser finds the winner's row locked and decides again.
      if (violates(error, 'experiments_pkey') && !retried)
        return this.save(productId, experimentId, decide, caller, traceparent, true);
      if (violates(error, ONE_RUNNING))
        return {
          ok: false,
          reason: 'invalid',
          pointer: '/state',
          detail: 'another experiment is already running on this slot for this audience; stop it first',
        };
      throw error;
    }
  }

  async get(productId: string, experimentId: string): Promise<Experiment | undefined> {
    const row = await this.db.client.experiment.findUnique({
      where: { productId_experimentId: { productId, experimentId } },
    });
    return row ? toExperiment(row) : undefined;
  }

  async find(productId: string, after: string | undefined, limit: number): Promise<Experiment[]> {
    const rows = await this.db.client.experiment.findMany({
      where: { productId, ...(after === undefined ? {} : { experimentId: { gt: after } }) },
      orderBy: { experimentId: 'asc' },
      take: limit,
    });
    return rows.map(toExperiment);
  }
}

/** The experiment's row, locked for the transaction, if it exists. */
async function locked(
  tx: Transaction,
  productId: string,
  experimentId: string,
): Promise<Experiment | undefined> {
  const [row] = await tx.$queryRaw<{ exists: boolean }[]>`
    SELECT true AS exists FROM experiments
    WHERE product_id = ${productId} AND experiment_id = ${experimentId} FOR UPDATE`;
  if (!row) return undefined;
  const experiment = await tx.experiment.findUniqueOrThrow({
    where: { productId_experimentId: { productId, experimentId } },
  });
  return toExperiment(experiment);
}

/** Whether the error is a unique violation of the named index, however the driver adapter reports it. */
function violates(error: unknown, index: string): boolean {
  return (
    error instanceof ProductPrisma.PrismaClientKnownRequestError &&
    error.code === 'P2002' &&
    JSON.stringify(error.meta ?? {}).includes(index)
  );
}

function toExperiment(row: ExperimentRow): Experiment {
  return {
    productId: row.productId,
    experimentId: row.experimentId,
    name: row.name,
    audience: row.audience as ExperimentAudience,
    variants: row.variants as unknown as Variant[],
    state: row.state as ExperimentState,
    dataVersion: Number(row.dataVersion),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    startedAt: row.startedAt,
    stoppedAt: row.stoppedAt,
  };
}
