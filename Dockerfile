# Plenum in a container. Build: docker build -t plenum .
# Run it with compose.yaml, or see docs/OPERATIONS.md ("Containers").
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source where no prebuilt binary fits; npm ci also builds
# Plenum's own native media helpers (binding.gyp, src/server/media/native).
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json binding.gyp ./
COPY src/server/media/native ./src/server/media/native
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PLENUM_HOST=0.0.0.0 \
    PLENUM_PORT=8080 \
    PLENUM_DATA_DIR=/var/lib/plenum
WORKDIR /app
# The server runs its TypeScript through tsx, so the modules come along whole.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build/Release/plenum_media.node ./build/Release/plenum_media.node
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json /app/tsconfig.json ./
COPY --from=build /app/src ./src
COPY --from=build /app/deploy/healthcheck.mjs ./deploy/healthcheck.mjs
RUN groupadd --system plenum && useradd --system --gid plenum --home-dir /var/lib/plenum plenum \
    && mkdir -p /var/lib/plenum && chown plenum:plenum /var/lib/plenum
USER plenum
VOLUME ["/var/lib/plenum"]
# HTTP(S) and the media range (PLENUM_MEDIA_PORTS, UDP) that compose.yaml publishes.
EXPOSE 8080 40000-40199/udp
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "deploy/healthcheck.mjs"]
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "src/server/main.ts", "serve"]
