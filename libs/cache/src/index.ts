export { writeWidgetIfNewer, type CacheWrite } from './guarded-write';
export {
  INVALIDATION_CHANNEL,
  decodeCachedWidget,
  encodeCachedWidget,
  widgetHashKey,
  type CachedWidget,
  type WidgetInvalidation,
} from './layout';
