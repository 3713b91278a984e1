import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { createEmulator } from '../../src/compose.js';
import { resolveConfig } from '../../src/config/resolve.js';
import type { ConfigFile } from '../../src/config/schema.js';
import type { Emulator } from '../../src/emulator.js';
import { buildApp } from '../../src/server.js';

/** One pino line, parsed. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** pino's numbers for the levels tests look for. */
export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** An emulator listening on 127.0.0.1:0 whose log lines (at `level`) are kept, raw and parsed. */
export interface LoggedEmulator {
  url: string;
  emulator: Emulator;
  app: FastifyInstance;
  /** Every line written so far, as written. */
  raw: string[];
  /** Every line written so far, parsed. */
  lines(): LogLine[];
  close(): Promise<void>;
}

/**
 * Start an emulator as the CLI runs it (createEmulator + buildApp + listen) with a pino logger writing into memory,
 * so a test reads exactly what an operator would see at that level.
 */
export async function startLogged(options: ConfigFile, level = 'info'): Promise<LoggedEmulator> {
  const raw: string[] = [];
  const logger = pino({ level, base: undefined }, { write: (line: string) => void raw.push(line) });
  const config = resolveConfig({ overrides: { port: 0, ...options, logLevel: level as ConfigFile['logLevel'] } });
  const emulator = createEmulator(config, { logger });
  const app = await buildApp(emulator);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    emulator,
    app,
    raw,
    lines: () => raw.map((line) => JSON.parse(line) as LogLine),
    close: async () => {
      await app.close();
    },
  };
}
