export {
  MAX_EVENTS_PER_BATCH,
  MAX_EVENT_AGE_MS,
  MAX_EVENT_AHEAD_MS,
  analyticsEventSchema,
  dailyCounts,
  eventBatchSchema,
  type AnalyticsEvent,
  type DailyCount,
} from './analytics-event';
export {
  AGGREGATOR_GROUP,
  ANALYTICS_STREAM,
  analyticsEntryFields,
  decodeAnalyticsEntry,
} from './analytics-stream';
