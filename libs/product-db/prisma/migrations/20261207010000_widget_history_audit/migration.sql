-- Widget history, drafts and the audit log (docs/adr/0025-widget-history-and-audit.md).

-- Every accepted version of a product's widget per audience, written in the statement that accepts it;
-- content NULL is a deletion. Rows are never changed: a rollback writes a new version.
CREATE TABLE "widget_versions" (
    "product_id" TEXT NOT NULL,
    "audience" TEXT NOT NULL,
    "data_version" BIGINT NOT NULL,
    "content" JSONB,
    "actor_kind" TEXT NOT NULL,
    "actor_id" TEXT NOT NULL,
    "accepted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "widget_versions_pkey" PRIMARY KEY ("product_id", "audience", "data_version"),
    CONSTRAINT "widget_versions_actor_kind_check" CHECK ("actor_kind" IN ('key', 'studio'))
);

ALTER TABLE "widget_versions" ADD CONSTRAINT "widget_versions_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A team's unpublished widget per audience: validated like a publish, never delivered.
CREATE TABLE "widget_drafts" (
    "product_id" TEXT NOT NULL,
    "audience" TEXT NOT NULL,
    "content" JSONB NOT NULL,
    "actor_kind" TEXT NOT NULL,
    "actor_id" TEXT NOT NULL,
    "saved_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "widget_drafts_pkey" PRIMARY KEY ("product_id", "audience"),
    CONSTRAINT "widget_drafts_actor_kind_check" CHECK ("actor_kind" IN ('key', 'studio'))
);

ALTER TABLE "widget_drafts" ADD CONSTRAINT "widget_drafts_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Who did what, appended in the transaction of the write it records. No foreign keys: the record outlives
-- what it names, and a cascade would be a DELETE, which the trigger below refuses.
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "team_id" TEXT NOT NULL,
    "actor_kind" TEXT NOT NULL,
    "actor_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "product_id" TEXT NOT NULL,
    "audience" TEXT,
    "data_version" BIGINT,
    "request_id" TEXT NOT NULL,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "audit_log_actor_kind_check" CHECK ("actor_kind" IN ('key', 'studio'))
);

CREATE INDEX "audit_log_product_id_id_idx" ON "audit_log"("product_id", "id");

-- Append-only, enforced by the database for every role and every client: changing or removing a record
-- fails, whatever the application does.
CREATE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER "audit_log_no_update_or_delete" BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"();
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_append_only"();
