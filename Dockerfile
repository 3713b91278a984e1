# bandwidth-emulator as a service container: docker run -p 4010:4010 -v "$PWD/scenarios:/scenarios" IMAGE
# Stage 1 builds with dev dependencies and assembles the production node_modules (the SQLite binding included);
# stage 2 copies them onto a clean base, so the runtime image has no compiler and no npm cache.
# The base is a build argument so an offline machine can build on a stand-in (test/docker/base-image.ts does).
ARG BASE_IMAGE=node:20-bookworm-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# The web inbox: its sources, and the build scripts that `npm run build` runs after tsc (inbox, CLI bundle, CommonJS build).
COPY ui ./ui
COPY scripts/build-ui.mjs scripts/build-cli.mjs scripts/build-lib.mjs ./scripts/
RUN npm ci --ignore-scripts --no-audit --no-fund && npm run build
# Production dependencies, install scripts off. better-sqlite3 (--data-dir) is installed on its own, pinned, with its
# install script (the prebuilt binding, or a compile where there is none): whether package.json lists it as an
# optional dependency or as an optional peer, `npm ci --omit=dev` alone may not bring it.
WORKDIR /prod
RUN cp /app/package.json /app/package-lock.json ./ \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && mkdir /sqlite && cd /sqlite && echo '{"private":true}' > package.json \
 && npm install --omit=dev --no-audit --no-fund --no-package-lock better-sqlite3@12.11.1 \
 && cd /prod && rm -rf node_modules/better-sqlite3 node_modules/bindings node_modules/file-uri-to-path \
 && cp -a /sqlite/node_modules/better-sqlite3 /sqlite/node_modules/bindings /sqlite/node_modules/file-uri-to-path node_modules/ \
 # The binding is all that runs: the SQLite sources and the compiler's objects stay behind.
 && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src node_modules/better-sqlite3/build/deps \
      node_modules/better-sqlite3/build/Release/obj.target node_modules/better-sqlite3/build/Release/.deps \
 && test -f node_modules/better-sqlite3/build/Release/better_sqlite3.node

FROM ${BASE_IMAGE}
ENV NODE_ENV=production \
    # Inside a container the emulator must listen on every interface; the default elsewhere stays 127.0.0.1.
    BW_EMULATOR_HOST=0.0.0.0 \
    BW_EMULATOR_PORT=4010 \
    # Mount scenario files here; an empty folder means the default outcome (delivered).
    BW_EMULATOR_SCENARIOS=/scenarios \
    # The local CA of proxy mode (README "Proxy mode in Docker"): under /data, so a volume keeps it across containers.
    BW_EMULATOR_CA_DIR=/data/ca
WORKDIR /app
COPY package.json ./
COPY --from=build /prod/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schema ./schema
COPY scenarios ./scenarios-examples
# /data/ca exists in the image, private to node: a named volume mounted there starts with that owner and mode.
RUN mkdir -p /scenarios /data/ca && chown -R node:node /scenarios /data && chmod 700 /data/ca
# /data: set BW_EMULATOR_DATA_DIR=/data to keep messages and pending callbacks across container restarts; name the
# volume (-v bw-data:/data) to keep it past `docker rm`.
VOLUME ["/data"]
USER node
EXPOSE 4010
# The probe follows the configured port (-e BW_EMULATOR_PORT=...) and sends BW_EMULATOR_CONTROL_TOKEN when one is
# set: /__emulator/* answers 401 without it.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
  CMD node -e "const t = process.env.BW_EMULATOR_CONTROL_TOKEN; fetch('http://127.0.0.1:' + (process.env.BW_EMULATOR_PORT || 4010) + '/__emulator/health', { headers: t ? { authorization: 'Bearer ' + t } : {} }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["node", "--max-semi-space-size=32", "bin/bandwidth-emulator.js"]
