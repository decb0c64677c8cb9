-- The W3C traceparent of the write that produced an outbox row, handed on to the widget stream so that the
-- pipeline's processes continue one trace (docs/adr/0017-pipeline-tracing.md). NULL: the write was not
-- traced (tracing off, no caller's trace), or the row predates tracing.
ALTER TABLE "outbox" ADD COLUMN "traceparent" TEXT;
