export { defineGuardedWrite, writeWidgetIfNewer, type CacheWrite } from './guarded-write';
export {
  InProcessCache,
  type CacheRead,
  type InProcessCacheOptions,
  type LoadPolicy,
  type ReadOutcome,
} from './in-process-cache';
export {
  INVALIDATION_CHANNEL,
  LAYOUT_CHANNEL,
  MAX_ANNOUNCED_USERS,
  SEGMENT_CHANGES_CHANNEL,
  decodeCachedWidget,
  encodeCachedWidget,
  encodeSegmentChanges,
  encodeWidgetInvalidations,
  parseSegmentChanges,
  parseWidgetInvalidations,
  sharedFieldAudience,
  widgetHashField,
  widgetHashKey,
  type CachedWidget,
  type SegmentChanges,
  type WidgetInvalidation,
} from './layout';
export {
  USER_REFRESH_JOB,
  USER_REFRESH_JOB_OPTIONS,
  USER_REFRESH_PREFIX,
  USER_REFRESH_QUEUE,
  enqueueUserRefreshes,
  userRefreshClaimKey,
  type UserRefreshJob,
} from './user-refresh';
export { COMPLETE_FIELD, readWidgetHash, refillWidgetHash, type WidgetHash } from './widget-hash';
export {
  PERSONALISED_USERS_BUCKETS,
  countPersonalisedUsers,
  incompletePersonalisedUserBuckets,
  listPersonalisedUsers,
  lookUpPersonalisedUser,
  markPersonalisedUserBucketsComplete,
  personalisedUsersBucket,
  personalisedUsersKey,
  readPersonalisedUsers,
  type IndexedUser,
} from './personalised-users';
export { UserIdFilter } from './user-id-filter';
export {
  SEGMENT_FLOORS_KEY,
  applySegmentMemberships,
  countSegmentIndexUsers,
  liveSegments,
  parseMemberships,
  raiseSegmentFloor,
  segmentFloor,
  segmentFloors,
  segmentKey,
  segmentMembershipKey,
  readSegmentIndexUsers,
  storedMemberships,
} from './segment-memberships';
