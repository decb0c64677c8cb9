-- The claim query never uses this index, and indexing leased_until makes every lease update a non-HOT
-- update, which defeats the table's fillfactor (see docs/adr/0007-outbox-claiming.md).
DROP INDEX "outbox_leased_until_id_idx";
