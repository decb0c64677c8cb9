export { appBundle, expectMalformedUrlRejected, spawnApp, startApp, type AppName, type AppProcess } from './app-process';
export { testServices, useTestDatabase, useTestRedis, type TestServices } from './services';
