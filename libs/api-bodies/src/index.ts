export {
  MAX_USERS_PER_CALL,
  acceptedBatch,
  acceptedWidget,
  campaignBody,
  endpointRegistration,
  platformRefreshEndpoints,
  registeredEndpoint,
  studioSession,
  userIdSchema,
  widgetBody,
  widgetList,
} from './product-api';
export { homeLayout, ingestedWidgetList, layoutBody, productAnalytics } from './core-api';
