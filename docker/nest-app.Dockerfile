# syntax=docker/dockerfile:1
# Multi-stage image of one NestJS app of the platform. Build it per app from the repository root:
#   docker build -f docker/nest-app.Dockerfile --build-arg APP=core-api -t hwp/core-api .
# (apps: core-api, ingester, outbox-worker, product-api; docker/compose.yml builds all four.)

FROM node:20-bookworm-slim AS deps
WORKDIR /repo
COPY package.json package-lock.json ./
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NX_NO_CLOUD=true NX_DAEMON=false
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund

FROM deps AS build
ARG APP
COPY . .
RUN test -n "$APP" || (echo "build with --build-arg APP=<app>" && exit 1)
RUN PRISMA_SCHEMA_ENGINE_BINARY=/usr/local/bin/node npx prisma generate --schema libs/core-db/prisma/schema.prisma \
 && PRISMA_SCHEMA_ENGINE_BINARY=/usr/local/bin/node npx prisma generate --schema libs/product-db/prisma/schema.prisma \
 && npx nx build "$APP" --outputStyle=stream

FROM node:20-bookworm-slim AS runtime
ARG APP
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund || npm install --omit=dev --no-audit --no-fund
COPY --from=build /repo/dist/apps/${APP}/ ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=2s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "main.js"]
