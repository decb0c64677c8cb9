// Shared webpack build of the NestJS apps: one bundle per app with the workspace libs inlined and
// node_modules left external. Type checking is a separate step (`npm run typecheck`). Beside main.js the
// build writes a package.json and package-lock.json of only the packages the app's projects import (Nx's
// generatePackageJson, from the project graph), which the app's image installs (docker/nest-app.Dockerfile).
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { basename, join } = require('node:path');

/**
 * Keeps the workspace libs (`@hwp/*`) in the bundle. node_modules also links @hwp/sdui-schema, the package
 * the web installs like an outside app, and the externals of node_modules would otherwise leave it out.
 */
class BundleWorkspaceLibs {
  apply(compiler) {
    compiler.options.externals = [compiler.options.externals]
      .flat()
      .map((external) =>
        typeof external === 'function'
          ? (data, callback) => (data.request?.startsWith('@hwp/') ? callback() : external(data, callback))
          : external,
      );
  }
}

module.exports = function nestAppWebpackConfig(appDir) {
  return {
    output: { path: join(__dirname, '../../dist/apps', basename(appDir)) },
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'tsc',
        main: join(appDir, 'src/main.ts'),
        tsConfig: join(appDir, 'tsconfig.app.json'),
        outputHashing: 'none',
        optimization: false,
        sourceMap: true,
        skipTypeChecking: true,
        generatePackageJson: true,
        externalDependencies: 'all',
      }),
      new BundleWorkspaceLibs(),
    ],
  };
};
