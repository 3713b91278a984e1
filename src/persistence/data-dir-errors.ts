/** A data dir problem in plain words: what is wrong and how to fix it. */
export interface DataDirCause {
  problem: string;
  fix: string;
}

const OTHERWISE = 'or start without --data-dir';

/**
 * The real cause of an error opening, reading or writing the data dir, from its code (Node's errno codes for the
 * folder, better-sqlite3's SQLITE_* codes for the file): a corrupt file is not a permissions problem, nor is a full disk.
 */
export function explainDataDirError(error: unknown, folder: string, file: string): DataDirCause {
  const e = error as { code?: string; message?: string };
  const code = e.code ?? '';
  const message = e.message ?? String(error);
  // Node's fs messages start with their code ("ENOTDIR: not a directory, mkdir ..."): say it once.
  const detail = code && !message.startsWith(code) ? `${code}: ${message}` : message;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return {
      problem: `${file} is corrupt or not an emulator state file (${detail})`,
      fix: `move it away to start empty (mv ${file} ${file}.bad), restore it from a backup, ${OTHERWISE}`,
    };
  }
  if (code === 'ENOSPC' || code === 'SQLITE_FULL' || code === 'EDQUOT') {
    return { problem: `the disk holding ${folder} is full (${detail})`, fix: `free some space, give a folder on another disk, ${OTHERWISE}` };
  }
  if (code === 'EROFS') {
    return {
      problem: `${folder} is on a read-only file system (${detail})`,
      fix: `give a folder on a writable file system (a Docker volume mounted without :ro), ${OTHERWISE}`,
    };
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_PERM' || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_AUTH') {
    return {
      problem: `this user may not create or write ${code.startsWith('SQLITE') ? file : folder} (${detail})`,
      fix: `give a folder this user can create and write (check its owner and mode), ${OTHERWISE}`,
    };
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    return { problem: `${folder}, or a folder on its path, is a file (${detail})`, fix: `give the path of a folder (it is created if missing), ${OTHERWISE}` };
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return {
      problem: `${file} is locked by another process, perhaps another emulator with the same data dir (${detail})`,
      fix: `stop the other process, or give each emulator its own --data-dir`,
    };
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'EISDIR') {
    return {
      problem: `${file} cannot be opened: it may be a folder, or its folder unreadable (${detail})`,
      fix: `remove or rename whatever is at ${file}, give another folder, ${OTHERWISE}`,
    };
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') {
    return {
      problem: `reading or writing ${file} failed at the disk (${detail})`,
      fix: `check the disk and its free space, give another folder, ${OTHERWISE}`,
    };
  }
  return { problem: `${folder} cannot be used (${detail})`, fix: `give a folder this user can create and write, ${OTHERWISE}` };
}
