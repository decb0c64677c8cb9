# syntax=docker/dockerfile:1
# Multi-stage image of the Next.js web app (home screen and studio):
#   docker build -f docker/web.Dockerfile -t hwp/web .

FROM node:20-bookworm-slim AS build
WORKDIR /repo
COPY package.json package-lock.json ./
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NX_NO_CLOUD=true NX_DAEMON=false NEXT_TELEMETRY_DISABLED=1
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund
COPY . .
RUN npx nx build web --outputStyle=stream

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000
WORKDIR /repo
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund || npm install --omit=dev --no-audit --no-fund
COPY --from=build /repo/apps/web/.next ./apps/web/.next
COPY --from=build /repo/apps/web/next.config.ts /repo/apps/web/package.json* ./apps/web/
COPY --from=build /repo/apps/web/public ./apps/web/public
USER node
EXPOSE 3000
WORKDIR /repo/apps/web
CMD ["sh", "-c", "exec /repo/node_modules/.bin/next start --hostname 0.0.0.0 --port $PORT"]
