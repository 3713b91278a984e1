import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Create a folder and its missing parents, one level at a time. Not `mkdirSync(folder, { recursive: true })`: on
 * Node 20 that spins forever on a path the kernel refuses with ENOENT although the parent exists (any folder under
 * `/proc`), which froze start-up with `--data-dir /proc/x`. Here that is an ENOENT error at once.
 */
export function makeFolder(folder: string): void {
  try {
    mkdirSync(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(folder).isDirectory()) return;
    const parent = dirname(folder);
    // Only a missing parent is worth a retry; the parent must exist after it, or the error stands.
    if (code !== 'ENOENT' || parent === folder || exists(parent)) throw error;
    makeFolder(parent);
    mkdirSync(folder);
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
