-- Schedules (docs/adr/0030-campaigns-in-the-read-path.md): a widget version may be shown only inside its
-- window, from active_from (inclusive) until active_until (exclusive); NULL: since ever / for ever.
ALTER TABLE "widget_versions" ADD COLUMN "active_from" TIMESTAMPTZ(3),
ADD COLUMN "active_until" TIMESTAMPTZ(3);
