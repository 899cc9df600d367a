# syntax=docker/dockerfile:1
# AutoSTUN image: deploy/docker/compose.yaml shows how to run it (host networking, volumes, a downloader).

# Build: the full dev toolchain (TypeScript, esbuild, tsx, Vite, turbo) exists only here. It bundles the daemon
# into apps/server/dist; the image runs that JavaScript, with no TypeScript loader installed.
FROM node:20-bookworm AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund && npm run build

# Runtime dependencies only. The full Debian image has a compiler, in case better-sqlite3 finds no prebuilt
# binary to download; the slim image below gets the result without carrying the compiler.
FROM node:20-bookworm AS production
WORKDIR /app
COPY . .
COPY --from=build /src/apps/console/dist apps/console/dist
COPY --from=build /src/apps/server/dist apps/server/dist
RUN sh deploy/install-production.sh

FROM node:20-bookworm-slim
# nft is how `forward: nftables` installs its rules. The daemon runs as an unprivileged user, which gets no
# capabilities from `cap_add`; the file capability lets nft alone use CAP_NET_ADMIN, and only when the
# container was granted it (otherwise exec of nft is refused and the daemon reports why).
RUN apt-get update \
  && apt-get install -y --no-install-recommends nftables libcap2-bin \
  && setcap cap_net_admin+ep /usr/sbin/nft \
  && apt-get purge -y libcap2-bin \
  && rm -rf /var/lib/apt/lists/*
COPY --from=production /app /app
# The app tree stays root-owned so the daemon cannot rewrite its own code; only /data is its to write.
RUN mkdir -p /data /config && chown node:node /data
WORKDIR /app
ENV NODE_ENV=production
ENV AUTOSTUN_DATA_DIR=/data
ENV AUTOSTUN_API_LISTEN=127.0.0.1:7878
USER node
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["node", "/app/deploy/docker/healthcheck.mjs"]
ENTRYPOINT ["node", "/app/apps/server/bin/autostun.mjs"]
CMD ["serve"]
