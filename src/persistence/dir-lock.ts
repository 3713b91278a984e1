import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { EmulatorConfigError } from '../errors.js';

/** The note in the data dir naming the emulator that holds it (for the error another one gets); not the lock itself. */
export const OWNER_FILE = 'emulator.owner.json';

/** Who holds a data dir, as its owner note says. */
interface Owner {
  pid: number;
  host: string;
  since: string;
}

/** A data dir held by this emulator: release() removes the owner note (closing the database ends the lock). */
export interface DirLock {
  release(): void;
}

/**
 * Take the data dir for this emulator, or throw EmulatorConfigError naming the emulator that holds it and the fix.
 * The lock is SQLite's own: `locking_mode = EXCLUSIVE` keeps an exclusive lock on the file from the first
 * transaction until the connection closes (a second connection, in this process or another, gets SQLITE_BUSY at
 * once). The operating system drops it when the process dies, so a data dir left by a killed emulator (kill -9, a
 * crash, a container stopped hard) is taken over without a stale-lock check, whatever its owner note says.
 */
export function lockDataDir(db: BetterSqlite3.Database, folder: string): DirLock {
  db.pragma('locking_mode = EXCLUSIVE');
  try {
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') throw error;
    const owner = readOwner(folder);
    const who = owner ? `the emulator with pid ${owner.pid} on host ${owner.host} (running since ${owner.since})` : 'another process (it left no owner note)';
    throw new EmulatorConfigError([
      {
        source: 'dataDir',
        field: 'dataDir',
        problem: `${folder} is in use by ${who}; two emulators must never share a data dir`,
        fix: `stop that emulator first${owner ? ` (kill ${owner.pid})` : ''}, or give this one another --data-dir`,
      },
    ]);
  }
  const note = join(folder, OWNER_FILE);
  const owner: Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  // Written aside and renamed, so another emulator never reads half a note.
  const temporary = `${note}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(owner) + '\n');
  renameSync(temporary, note);
  return {
    release() {
      // Only our own note: after a takeover the file names the emulator that holds the dir now.
      if (readOwner(folder)?.pid === owner.pid && readOwner(folder)?.since === owner.since) rmSync(note, { force: true });
    },
  };
}

function readOwner(folder: string): Owner | undefined {
  try {
    const value = JSON.parse(readFileSync(join(folder, OWNER_FILE), 'utf8')) as Partial<Owner>;
    return typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.since === 'string' ? (value as Owner) : undefined;
  } catch {
    return undefined;
  }
}
