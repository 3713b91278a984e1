# bandwidth-emulator as a service container: docker run -p 4010:4010 -v "$PWD/scenarios:/scenarios" IMAGE
# Stage 1 builds with dev dependencies; stage 2 runs with production dependencies only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# The web inbox: its sources, and the build scripts that `npm run build` runs after tsc (inbox, CLI bundle, CommonJS build).
COPY ui ./ui
COPY scripts/build-ui.mjs scripts/build-cli.mjs scripts/build-lib.mjs ./scripts/
RUN npm ci --ignore-scripts && npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    # Inside a container the emulator must listen on every interface; the default elsewhere stays 127.0.0.1.
    BW_EMULATOR_HOST=0.0.0.0 \
    BW_EMULATOR_PORT=4010 \
    # Mount scenario files here; an empty folder means the default outcome (delivered).
    BW_EMULATOR_SCENARIOS=/scenarios
WORKDIR /app
COPY package.json package-lock.json ./
# better-sqlite3 (--data-dir) is the package's optional peer, not a dependency: the image installs it, pinned. Scripts
# stay off for every package but better-sqlite3: its install fetches the prebuilt SQLite binding.
RUN npm ci --omit=dev --ignore-scripts && npm install --save-prod --ignore-scripts better-sqlite3@12.11.1 && npm rebuild better-sqlite3 && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schema ./schema
COPY scenarios ./scenarios-examples
# /data: mount a volume and set BW_EMULATOR_DATA_DIR=/data to keep state across container restarts.
RUN mkdir -p /scenarios /data && chown node:node /scenarios /data
USER node
EXPOSE 4010
# The probe follows the configured port (-e BW_EMULATOR_PORT=...) and sends BW_EMULATOR_CONTROL_TOKEN when one is
# set: /__emulator/* answers 401 without it.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
  CMD node -e "const t = process.env.BW_EMULATOR_CONTROL_TOKEN; fetch('http://127.0.0.1:' + (process.env.BW_EMULATOR_PORT || 4010) + '/__emulator/health', { headers: t ? { authorization: 'Bearer ' + t } : {} }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["node", "--max-semi-space-size=32", "bin/bandwidth-emulator.js"]
