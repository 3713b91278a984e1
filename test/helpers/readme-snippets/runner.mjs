// Runs one README snippet module (argv[2]) to its end. A module whose default export is a function (a globalSetup
// recipe) is called as its runner would, the emulator it publishes in BANDWIDTH_BASE_PATH is asked whether it is
// ready, and the teardown it returns is called. Prints SNIPPET DONE last; the process must then exit by itself.
import { pathToFileURL } from 'node:url';

const snippet = await import(pathToFileURL(process.argv[2]).href);
if (typeof snippet.default === 'function') {
  const teardown = await snippet.default();
  if (process.env.BANDWIDTH_BASE_PATH) {
    const ready = await fetch(`${process.env.BANDWIDTH_BASE_PATH}/__emulator/ready`);
    if (!ready.ok) throw new Error(`the emulator the setup started is not ready: ${ready.status}`);
    process.stdout.write('SNIPPET SETUP READY\n');
  }
  if (typeof teardown === 'function') await teardown();
}
process.stdout.write('SNIPPET DONE\n');
