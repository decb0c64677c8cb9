-- Segments: named sets of a product's user ids, maintained by the product (docs/adr/0027-segments.md).

-- data_version grows by one with every accepted change of the segment (its creation or renaming, each page of
-- members, its deletion); the outbox events of its members carry it, so the core side applies them guarded
-- by it. A deleted segment keeps its row (deleted_at set, no members), so that its versions keep growing if
-- it is created again and a replayed older event can never bring back a member.
CREATE TABLE "segments" (
    "product_id" TEXT NOT NULL,
    "segment_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "data_version" BIGINT NOT NULL,
    "member_count" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "segments_pkey" PRIMARY KEY ("product_id", "segment_id")
);

ALTER TABLE "segments" ADD CONSTRAINT "segments_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One row per member; the primary key is the keyset of the member listing.
CREATE TABLE "segment_members" (
    "product_id" TEXT NOT NULL,
    "segment_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,

    CONSTRAINT "segment_members_pkey" PRIMARY KEY ("product_id", "segment_id", "user_id")
);

ALTER TABLE "segment_members" ADD CONSTRAINT "segment_members_product_id_segment_id_fkey" FOREIGN KEY ("product_id", "segment_id") REFERENCES "segments"("product_id", "segment_id") ON DELETE CASCADE ON UPDATE CASCADE;
