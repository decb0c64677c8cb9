export {
  canAccessProduct,
  signStudioToken,
  verifyStudioToken,
  type StudioAuthentication,
  type StudioSession,
} from './studio-token';
