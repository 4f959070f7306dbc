# Klaxon worker and API (the same image; docker-compose.yml picks the command).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Dev dependencies stay out; tsx (a runtime dependency) runs the TypeScript directly.
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY store ./store
COPY api ./api
COPY worker ./worker
COPY runtime ./runtime
COPY scripts ./scripts
COPY sql ./sql
USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
