-- Core database, first version: applied widgets and the home layout.

CREATE TABLE "widgets" (
    "product_id" TEXT NOT NULL,
    "audience" TEXT NOT NULL,
    "data_version" BIGINT NOT NULL,
    "content" JSONB,
    "accepted_at" TIMESTAMPTZ(3) NOT NULL,
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "widgets_pkey" PRIMARY KEY ("product_id", "audience")
);

CREATE INDEX "widgets_audience_idx" ON "widgets"("audience");

CREATE TABLE "home_slots" (
    "product_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "home_slots_pkey" PRIMARY KEY ("product_id")
);

CREATE UNIQUE INDEX "home_slots_position_key" ON "home_slots"("position");
