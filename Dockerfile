# One image for the API and the worker (ROLE=api | ROLE=worker), built in stages:
#   build   - all dependencies, the Prisma client, `npm run build` (JavaScript + workflow bundle in dist/)
#   deps    - production dependencies only (no tsx, no embedded PostgreSQL, no Temporal test kit)
#   runtime - node, tini, dist/ and those dependencies; runs as `node`, not root
# Production uses external PostgreSQL and Temporal (docker-compose.yml): ROLE=all, which starts the
# embedded development servers, does not work in this image by design.
FROM node:24.11.1-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
# The postinstall script generates the Prisma client into src/db/generated.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY temporal ./temporal
COPY skills ./skills
COPY playbooks ./playbooks
RUN npm run build

FROM node:24.11.1-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: the only one left among production dependencies would regenerate the Prisma
# client, which the build stage compiled into dist/ already; Temporal's native core ships prebuilt.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24.11.1-bookworm-slim AS runtime
# tini as PID 1: signals reach node (SIGTERM drains the worker and closes the API), zombies are reaped.
RUN apt-get update && apt-get install -y --no-install-recommends tini ca-certificates && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
# Owned by root, run as node: the service cannot rewrite its own code.
COPY package.json ./
COPY scripts/run.mjs ./scripts/run.mjs
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/main.js"]
