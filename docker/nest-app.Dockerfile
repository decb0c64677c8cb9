# syntax=docker/dockerfile:1
# Multi-stage image of one Node.js service of the platform. Build it per app from the repository root, APP
# being the app's folder under apps/:
#   docker build -f docker/nest-app.Dockerfile --build-arg APP=core-api -t hwp/core-api .
# (apps: core-api, ingester, outbox-worker, product-api, sample-products; docker/compose.yml builds all five.)

FROM node:24-bookworm-slim AS deps
WORKDIR /repo
COPY package.json package-lock.json ./
# The workspace packages the lockfile links (npm ci links them; the build fills them in).
COPY libs/sdui-schema/package.json libs/sdui-schema/
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NX_NO_CLOUD=true NX_DAEMON=false
RUN npm ci --no-audit --no-fund

FROM deps AS build
ARG APP
COPY . .
RUN test -n "$APP" || (echo "build with --build-arg APP=<folder under apps/>" && exit 1)
# The Prisma clients are generated code (not committed); the bundle inlines them. `prisma generate` never
# runs the schema engine: pointing at any file keeps it from downloading one. The Nx project is named in
# the app's project.json (apps/sample-products is the project sample-products-service).
RUN PRISMA_SCHEMA_ENGINE_BINARY=/usr/local/bin/node npx prisma generate --schema libs/core-db/prisma/schema.prisma \
 && PRISMA_SCHEMA_ENGINE_BINARY=/usr/local/bin/node npx prisma generate --schema libs/product-db/prisma/schema.prisma \
 && npx nx build "$(node -p "require('./apps/$APP/project.json').name")" --outputStyle=stream

FROM node:24-bookworm-slim AS runtime
ARG APP
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
# Only this app's dependencies: the build writes a package.json and lockfile with just the packages its
# bundle's projects import (Nx's generatePackageJson). No install scripts: Prisma's engine download is not
# needed with its driver adapter, and msgpackr's native part is optional (prebuilt, else plain JS).
COPY --from=build /repo/dist/apps/${APP}/package.json /repo/dist/apps/${APP}/package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /repo/dist/apps/${APP}/ ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=2s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "main.js"]
