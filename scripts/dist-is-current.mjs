// `npm start` builds first only when this exits 1: dist/ is missing, or a source it is built from is newer than it.
// Why: `npm install` no longer builds (a `prepare` script made every tarball install warn), so a fresh clone needs
// the build at its first start, but a restart should not pay about 25 s for a build that changes nothing.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
// The last file `npm run build` writes (scripts/build-lib.mjs), so a build stopped halfway counts as missing.
const built = join(root, 'dist/cjs/index.cjs');
const inputs = ['src', 'ui', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];

/** The newest modification time of a file, or of every file under a folder. */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let time = 0;
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) time = Math.max(time, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  return time;
}

const current = existsSync(built) && inputs.every((input) => !existsSync(join(root, input)) || newest(join(root, input)) <= statSync(built).mtimeMs);
process.exit(current ? 0 : 1);
