# One image for the API and the worker (ROLE=api | ROLE=worker). Production uses external
# PostgreSQL and Temporal (docker-compose.yml), so no Temporal CLI or Java is installed here.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl procps && rm -rf /var/lib/apt/lists/*
COPY --from=deps /app/node_modules ./node_modules
COPY . .
COPY --from=deps /app/src/db/generated ./src/db/generated
USER node
EXPOSE 3000
CMD ["node_modules/.bin/tsx", "src/main.ts"]
