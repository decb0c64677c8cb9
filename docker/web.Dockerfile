# syntax=docker/dockerfile:1
# Multi-stage image of the Next.js web app (home screen and studio):
#   docker build -f docker/web.Dockerfile -t hwp/web .

FROM node:24-bookworm-slim AS build
WORKDIR /repo
COPY package.json package-lock.json ./
# The workspace packages the lockfile links (npm ci links them; the build fills them in).
COPY libs/sdui-schema/package.json libs/sdui-schema/
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NX_NO_CLOUD=true NX_DAEMON=false NEXT_TELEMETRY_DISABLED=1
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nx build web --outputStyle=stream

# Next.js's standalone output (next.config.ts): server.js and only the node_modules files it traced. The
# client assets are copied beside it, as Next leaves them out. The app has no public/ folder (its icons are
# app/ routes); one added later is copied with them (tools/docker-images.integration-spec.ts checks).
# Owned by the app's user: Next writes its cache under .next.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0
WORKDIR /app
COPY --from=build --chown=node:node /repo/apps/web/.next/standalone/ ./
COPY --from=build --chown=node:node /repo/apps/web/.next/static/ ./apps/web/.next/static/
USER node
EXPOSE 3000
CMD ["node", "apps/web/server.js"]
