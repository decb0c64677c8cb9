export {
  MAX_USERS_PER_CALL,
  MAX_WIDGETS_PER_PAGE,
  acceptedBatch,
  acceptedWidget,
  campaignBody,
  encodeCursor,
  endpointRegistration,
  platformRefreshEndpoints,
  registeredEndpoint,
  studioSession,
  userIdSchema,
  widgetBody,
  widgetList,
  widgetListQuery,
} from './product-api';
export {
  analyticsQuery,
  homeLayout,
  ingestedWidgetList,
  ingestedWidgetsQuery,
  layoutBody,
  productAnalytics,
} from './core-api';
export { genericPull, refreshRequest, usersRefresh, type RefreshRequest } from './product-refresh';
