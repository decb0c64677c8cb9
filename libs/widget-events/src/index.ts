export {
  GENERIC,
  PRODUCT_ID_PATTERN,
  USER_ID_PATTERN,
  audienceUser,
  isAudience,
  userAudience,
  type Audience,
} from './audience';
export { CONSUMER_GROUP, allShards, deadLetterKey, shardOf, streamKey } from './stream';
export {
  decodeWidgetEvent,
  encodeWidgetEvent,
  fieldPairs,
  type DecodeResult,
  type StreamFields,
  type WidgetEvent,
} from './widget-event';
export { DEAD_LETTER_FIELDS, splitDeadLetter, type DeadLetterParts } from './dead-letter';
export {
  REFRESH_REPLAY_WINDOW_SECONDS,
  REFRESH_SIGNATURE_HEADER,
  REFRESH_TIMESTAMP_HEADER,
  signRefreshCall,
  verifyRefreshCall,
  type RefreshRequest,
  type SignatureCheck,
} from './refresh-signature';
