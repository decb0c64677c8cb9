-- Everything shared by many users (generic, segment and experiment widgets) is read in one query by every
-- core-api instance (docs/adr/0030-campaigns-in-the-read-path.md): a partial index keeps that query off
-- the millions of users' rows. Prisma cannot declare a partial index; the schema agreement leaves it out.
CREATE INDEX "widgets_shared_idx" ON "widgets" ("product_id") WHERE "audience" NOT LIKE 'user:%';
