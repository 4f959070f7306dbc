# syntax=docker/dockerfile:1
# Klaxon worker and API (the same image; the command picks which: docker-compose.yml and
# deploy/kubernetes show both).
#
# Built once: the first stage compiles the TypeScript, the workflow bundle and the web console (`npm run
# build`, which needs the dev dependencies); the image runs that output under plain node: no tsx, no
# source maps, no bundling at each worker start. It runs as an unprivileged user (uid 1000, numeric so
# Kubernetes' runAsNonRoot can check it) and writes nothing at run time, so it runs with a read-only root
# file system. node is PID 1 with nothing in between (no npm, no shell): SIGTERM reaches Klaxon's own
# handlers, which drain (the API fails /readyz first, then finishes requests in flight; a worker finishes
# the pages in flight) within SHUTDOWN_TIMEOUT_SECONDS. test/dockerfile.test.ts lints this file and runs
# its commands outside Docker.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm's cache is a BuildKit cache mount: kept between builds, never in a layer.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY notifiers ./notifiers
COPY store ./store
COPY api ./api
COPY worker ./worker
COPY runtime ./runtime
COPY scripts ./scripts
COPY web ./web
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund
# Read beside the compiled code: migrations from sql/, the version from package.json.
COPY sql ./sql
# dist/ holds the compiled code, the workflow bundle and the web console (dist/web).
COPY --from=build /app/dist ./dist
# Owned by root, read by uid 1000: the process cannot change its own code.
USER 1000:1000
EXPOSE 3000 9464 9465
# /healthz of whichever process this container runs (the API on PORT, a worker on WORKER_METRICS_PORT).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["node", "dist/scripts/healthcheck.js"]
# The API; a worker's command is
#   ["node", "--require", "./dist/worker/workflow-stack-traces.js", "dist/worker/main.js"]
CMD ["node", "dist/api/main.js"]
