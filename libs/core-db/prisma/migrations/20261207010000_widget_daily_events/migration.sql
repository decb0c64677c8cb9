-- Analytics: custom track events per widget version and day, and their counted properties per day
-- (bounded cardinality, docs/analytics.md).

CREATE TABLE "widget_daily_events" (
    "product_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "audience" TEXT NOT NULL,
    "data_version" BIGINT NOT NULL,
    "event_name" TEXT NOT NULL,
    "count" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "widget_daily_events_pkey" PRIMARY KEY ("product_id", "day", "audience", "data_version", "event_name")
);

CREATE TABLE "widget_daily_event_properties" (
    "product_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "event_name" TEXT NOT NULL,
    "property" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "count" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "widget_daily_event_properties_pkey" PRIMARY KEY ("product_id", "day", "event_name", "property", "value")
);
