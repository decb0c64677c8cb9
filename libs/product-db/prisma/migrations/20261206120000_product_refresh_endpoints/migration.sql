-- Each product's registered refresh endpoint (docs/adr/0016-product-refresh-contract.md): where the
-- platform's refresh worker calls it, the secret it signs those calls with, and how often it pulls the
-- product's generic widget (NULL: never).
CREATE TABLE "product_refresh_endpoints" (
    "product_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "generic_pull_seconds" INTEGER,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "product_refresh_endpoints_pkey" PRIMARY KEY ("product_id"),
    CONSTRAINT "product_refresh_endpoints_generic_pull_seconds_check" CHECK ("generic_pull_seconds" IS NULL OR "generic_pull_seconds" > 0)
);

ALTER TABLE "product_refresh_endpoints" ADD CONSTRAINT "product_refresh_endpoints_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;
