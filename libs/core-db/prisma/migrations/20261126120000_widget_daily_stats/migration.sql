-- Analytics: daily impressions and clicks per widget version, and the stream entries already folded in.

CREATE TABLE "widget_daily_stats" (
    "product_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "audience" TEXT NOT NULL,
    "data_version" BIGINT NOT NULL,
    "impressions" BIGINT NOT NULL DEFAULT 0,
    "clicks" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "widget_daily_stats_pkey" PRIMARY KEY ("product_id", "day", "audience", "data_version")
);

CREATE TABLE "analytics_applied_entries" (
    "entry_id" TEXT NOT NULL,
    "applied_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "analytics_applied_entries_pkey" PRIMARY KEY ("entry_id")
);

CREATE INDEX "analytics_applied_entries_applied_at_idx" ON "analytics_applied_entries"("applied_at");
