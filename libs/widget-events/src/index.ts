export {
  GENERIC,
  PRODUCT_ID_PATTERN,
  SEGMENT_ID_PATTERN,
  USER_ID_PATTERN,
  audienceExperiment,
  audienceSegment,
  audienceUser,
  experimentAudience,
  isAudience,
  segmentAudience,
  userAudience,
  type Audience,
} from './audience';
export {
  activeEntry,
  checkSlotContent,
  isActiveAt,
  isEverydayOnly,
  isSlotContentText,
  nextBoundary,
  scheduleAfter,
  type ActiveWindow,
  type ExperimentContent,
  type ExperimentVariant,
  type ScheduleContent,
  type ScheduledEntry,
  type SlotContent,
  type SlotContentCheck,
} from './slot-content';
export { CONSUMER_GROUP, allShards, deadLetterKey, shardOf, streamKey } from './stream';
export {
  decodeWidgetEvent,
  encodeWidgetEvent,
  fieldPairs,
  type DecodeResult,
  type StreamFields,
  type WidgetEvent,
} from './widget-event';
export {
  MAX_MEMBERS_PER_PAGE,
  decodeSegmentEvent,
  encodePipelineEvent,
  encodeSegmentEvent,
  isSegmentEntry,
  isSegmentEvent,
  segmentStreamKey,
  shardOfEvent,
  type PipelineEvent,
  type SegmentDecodeResult,
  type SegmentEvent,
} from './segment-event';
export { DEAD_LETTER_FIELDS, splitDeadLetter, type DeadLetterParts } from './dead-letter';
export {
  REFRESH_CALL_ID_HEADER,
  REFRESH_REPLAY_WINDOW_SECONDS,
  REFRESH_SIGNATURE_HEADER,
  REFRESH_SIGNATURE_PATTERN,
  REFRESH_TIMESTAMP_HEADER,
  REFRESH_TIMESTAMP_PATTERN,
  signRefreshCall,
  verifyRefreshCall,
  type SignatureCheck,
} from './refresh-signature';
