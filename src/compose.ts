import type { EmulatorConfig } from './config/resolve.js';
import { Emulator } from './emulator.js';
import type { EmulatorOptions } from './messaging/types.js';
import { EmulatorConfigError } from './errors.js';
import { openDataDir } from './persistence/data-dir.js';
import { restoreState } from './persistence/state.js';
import { checkStateDocument, StateDocumentError } from './persistence/state-document.js';

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
    const doc = dataDir.load();
    // The file is checked like an import: a row edited by hand or written by a broken build is named, never played.
    const problems = checkStateDocument(doc, dataDir.file, config.media);
    if (problems.length > 0) throw new StateDocumentError(problems);
    const counts = restoreState(emulator, doc);
    dataDir.attach(emulator);
    emulator.log.info({ dataDir: dataDir.file, ...counts }, 'state restored from the data dir');
  } catch (error) {
    dataDir.close();
    void emulator.close();
    const detail =
      error instanceof StateDocumentError
        ? error.problems
            .slice(0, 5)
            .map((p) => `${p.field} ${p.problem}`)
            .join('; ')
        : (error as Error).message;
    throw new EmulatorConfigError([
      {
        source: dataDir.file,
        field: 'dataDir',
        problem: `could not be restored (${detail})`,
        fix: 'move the file away to start empty, or start without --data-dir',
      },
    ]);
  }
  return emulator;
}
