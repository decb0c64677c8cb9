/** The environment variable through which the global set-up hands the platform to the test workers. */
export const PLATFORM_ENV = 'HWP_E2E_PLATFORM';

export interface E2ePlatform {
  /** The web server pointed at this platform. */
  webUrl: string;
  productApiUrl: string;
  coreApiUrl: string;
  teamKey: string;
  teamProducts: string[];
  /** A product of another team. */
  otherProduct: string;
  adminKey: string;
  /** The environment the platform's apps run with (databases, Redis), to start another of them. */
  appEnv: Record<string, string>;
}
