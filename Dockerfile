# Klaxon worker and API (the same image; docker-compose.yml picks the command).
# Built once: the first stage compiles the TypeScript, the workflow bundle and the web console (`npm run
# build`, which needs the dev dependencies); the image runs that output under plain node (`npm run worker:prod`,
# `npm run api:prod`): no tsx, no process-wide source maps, no bundling at each worker start.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
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
RUN npm ci --omit=dev --no-audit --no-fund
# Read beside the compiled code: migrations from sql/, the version from package.json.
COPY sql ./sql
# dist/ holds the compiled code, the workflow bundle and the web console (dist/web).
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
CMD ["npm", "run", "api:prod"]
