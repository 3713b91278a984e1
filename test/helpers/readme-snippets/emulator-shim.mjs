// bandwidth-emulator (the built package, by its own name) as a README snippet sees it: startEmulator's fixed ports
// 4010 and 4011 become free ones (0), as every test server binds.
import * as emulator from 'bandwidth-emulator';

export * from 'bandwidth-emulator';

/** startEmulator, with port 4010 or 4011 replaced by a free port. */
export function startEmulator(options = {}) {
  return emulator.startEmulator(options.port === 4010 || options.port === 4011 ? { ...options, port: 0 } : options);
}
