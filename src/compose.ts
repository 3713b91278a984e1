import type { EmulatorConfig } from './config/resolve.js';
import { Emulator } from './emulator.js';
import type { EmulatorOptions } from './messaging/types.js';
import { EmulatorConfigError } from './errors.js';
import { openDataDir } from './persistence/data-dir.js';
import { restoreState } from './persistence/state.js';

/**
 * Make an emulator from a resolved config: the core (src/emulator.ts), then, with `dataDir`, persistence above it
 * (the SQLite file is opened, its state restored into the core, and the data dir attached to record every change).
 */
export function createEmulator(config: EmulatorConfig, options: EmulatorOptions = {}): Emulator {
  const emulator = new Emulator(config, options);
  // Loaded only with a data dir: without one no SQLite module is touched.
  if (config.dataDir === undefined) return emulator;
  let dataDir: ReturnType<typeof openDataDir>;
  try {
    dataDir = openDataDir(config.dataDir);
  } catch (error) {
    void emulator.close();
    throw error;
  }
  try {
    const counts = restoreState(emulator, dataDir.load());
    dataDir.attach(emulator);
    emulator.log.info({ dataDir: dataDir.file, ...counts }, 'state restored from the data dir');
  } catch (error) {
    dataDir.close();
    void emulator.close();
    throw new EmulatorConfigError([{ source: dataDir.file, field: 'dataDir', problem: `could not be restored (${(error as Error).message})`, fix: 'move the file away to start empty, or start without --data-dir' }]);
  }
  return emulator;
}
