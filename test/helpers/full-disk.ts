// A full disk for the data dir, without filling one: while it is on, every COMMIT of any better-sqlite3 connection in
// this process fails with SQLITE_FULL, as SQLite answers when the disk (or the file's page limit) is full. The
// transaction is then still open and is rolled back by whoever committed, as with a real full disk.
import Sqlite from 'better-sqlite3';
import { vi } from 'vitest';

/** Make every COMMIT fail with SQLITE_FULL until the returned function is called. */
export function fullDisk(): () => void {
  const probe = new Sqlite(':memory:');
  const statementProto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as { run: (...args: unknown[]) => unknown };
  probe.close();
  const full = () => new Sqlite.SqliteError('database or disk is full', 'SQLITE_FULL');
  const realExec = Sqlite.prototype.exec;
  const realRun = statementProto.run;
  const exec = vi.spyOn(Sqlite.prototype, 'exec').mockImplementation(function (this: Sqlite.Database, sql: string) {
    if (/^\s*COMMIT\b/i.test(sql)) throw full();
    return realExec.call(this, sql);
  });
  // db.transaction() commits through a prepared COMMIT statement.
  const run = vi.spyOn(statementProto, 'run').mockImplementation(function (this: { source: string }, ...args: unknown[]) {
    if (/^\s*COMMIT\b/i.test(this.source)) throw full();
    return realRun.apply(this, args);
  });
  return () => {
    exec.mockRestore();
    run.mockRestore();
  };
}
