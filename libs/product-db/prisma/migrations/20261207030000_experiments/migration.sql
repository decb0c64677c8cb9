-- Experiments: a product's A/B(/n) tests on its slot (docs/adr/0029-experiments.md).

-- audience is 'everyone' or 'segment:<segmentId>'; variants is the ordered list of
-- { variantId, basisPoints, widget } (the first is the control). data_version grows by one with every
-- accepted change, to order the experiment's events on the core side.
CREATE TABLE "experiments" (
    "product_id" TEXT NOT NULL,
    "experiment_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "audience" TEXT NOT NULL,
    "variants" JSONB NOT NULL,
    "state" TEXT NOT NULL,
    "data_version" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "stopped_at" TIMESTAMPTZ(3),

    CONSTRAINT "experiments_pkey" PRIMARY KEY ("product_id", "experiment_id"),
    CONSTRAINT "experiments_state_check" CHECK ("state" IN ('draft', 'running', 'stopped'))
);

ALTER TABLE "experiments" ADD CONSTRAINT "experiments_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- At most one running experiment per slot (a product has one) and audience: the rule holds under concurrent
-- starts, whatever product-api checked before writing. Prisma's schema cannot express a partial index.
CREATE UNIQUE INDEX "experiments_one_running_per_audience" ON "experiments" ("product_id", "audience") WHERE "state" = 'running';
