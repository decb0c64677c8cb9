export {
  MAX_EVENTS_PER_BATCH,
  analyticsEventSchema,
  dailyCounts,
  type AnalyticsEvent,
  type DailyCount,
} from './analytics-event';
export {
  AGGREGATOR_GROUP,
  ANALYTICS_STREAM,
  analyticsEntryFields,
  decodeAnalyticsEntry,
} from './analytics-stream';
