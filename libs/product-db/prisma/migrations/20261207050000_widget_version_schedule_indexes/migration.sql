-- What a schedule is built from (docs/adr/0030-campaigns-in-the-read-path.md): the windowed versions, and the
-- deletions without a window that withdraw everything before them. Both are a small part of a widget's
-- history (an ingester's scheduled pull republishes the generic widget every few seconds), so product-api
-- finds them here without reading the whole history, on every everyday publish. Prisma's schema cannot
-- express a partial index.
CREATE INDEX "widget_versions_windowed" ON "widget_versions" ("product_id", "audience", "data_version")
  WHERE "active_from" IS NOT NULL OR "active_until" IS NOT NULL;

CREATE INDEX "widget_versions_withdrawals" ON "widget_versions" ("product_id", "audience", "data_version")
  WHERE "content" IS NULL AND "active_from" IS NULL AND "active_until" IS NULL;
