import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { Delivery, NextAttempt } from '../callbacks/dispatcher.js';
import type { Emulator } from '../emulator.js';
import { StorageWriteError, type DurableStorage } from '../messaging/types.js';
import { clampEpochMs } from '../validation/bounds.js';
import { lockDataDir, type DirLock } from './dir-lock.js';
import { makeFolder } from './make-folder.js';
import { EmulatorConfigError } from '../errors.js';
import { explainDataDirError } from './data-dir-errors.js';
import type { JournalEntry } from '../store/journal.js';
import type { MediaChange } from '../store/media.js';
import type { StoredMessage } from '../store/messages.js';
import type { OptOutChange } from '../store/opt-outs.js';
import type { PendingDelivery, PendingReply, PendingSteps, PendingWork } from '../model/pending.js';
import { playableSteps, ruleHitsOf, STATE_VERSION, type StateDocument } from './state-document.js';
import type { StagedState } from './state-document.js';

/** The state file inside the data dir. */
export const DATA_FILE = 'emulator.sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (ord INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, account_id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, account_id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS media (ord INTEGER PRIMARY KEY AUTOINCREMENT, account_id TEXT NOT NULL, media_id TEXT NOT NULL, content_type TEXT NOT NULL,
  cache_control TEXT, created_at INTEGER NOT NULL, bytes BLOB NOT NULL, UNIQUE (account_id, media_id));
CREATE TABLE IF NOT EXISTS scenarios (ord INTEGER PRIMARY KEY, scope TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending_steps (key TEXT PRIMARY KEY, account_id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending_deliveries (event_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending_replies (key TEXT PRIMARY KEY, account_id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS opt_outs (account_id TEXT NOT NULL, number TEXT NOT NULL, handset TEXT NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY (account_id, number, handset));
`;
const ACCOUNT_TABLES = ['messages', 'journal', 'media', 'pending_steps', 'pending_deliveries', 'pending_replies', 'opt_outs'] as const;
const SETTLED = new Set(['delivered', 'exhausted', 'cancelled']);

type Database = BetterSqlite3.Database;

// better-sqlite3 is an optional peer dependency (a native addon only --data-dir needs), loaded here and only here:
// an emulator without --data-dir never loads it, and an install without it works.
function loadSqlite(): typeof BetterSqlite3 {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  } catch (error) {
    throw new EmulatorConfigError([
      {
        source: 'dataDir',
        field: 'dataDir',
        problem: `needs better-sqlite3 (an optional peer dependency, not installed with the package), which could not be loaded (${(error as Error).message.split('\n')[0]})`,
        fix: 'run `npm install better-sqlite3@12` where bandwidth-emulator is installed, or start without --data-dir',
      },
    ]);
  }
}

/** Open (or create) the data dir and its SQLite file in WAL mode; errors name the folder and the fix. */
export function openDataDir(dir: string): DataDir {
  const Sqlite = loadSqlite();
  const folder = resolve(dir);
  const file = join(folder, DATA_FILE);
  let db: Database | undefined;
  let lock: DirLock;
  try {
    makeFolder(folder);
    // No busy wait: a data dir another emulator holds is refused at once, naming it (lockDataDir).
    db = new Sqlite(file, { timeout: 0 });
    lock = lockDataDir(db, folder);
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL loses nothing when the process dies (SIGKILL): a committed transaction is in the WAL file.
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
  } catch (error) {
    db?.close();
    if (error instanceof EmulatorConfigError) throw error;
    throw new EmulatorConfigError([{ source: 'dataDir', field: 'dataDir', ...explainDataDirError(error, folder, file) }]);
  }
  let version: string | undefined;
  try {
    version = (db.prepare('SELECT value FROM meta WHERE key = ?').get('version') as { value: string } | undefined)?.value;
  } catch (error) {
    db.close();
    lock.release();
    throw new EmulatorConfigError([{ source: file, field: 'dataDir', ...explainDataDirError(error, folder, file) }]);
  }
  if (version !== undefined && Number(version) !== STATE_VERSION) {
    db.close();
    lock.release();
    throw new EmulatorConfigError([
      {
        source: file,
        field: 'dataDir',
        problem: `holds state format ${version}; this emulator reads ${STATE_VERSION}`,
        fix: 'use another --data-dir, or export the state with the emulator that wrote it and import it here',
      },
    ]);
  }
  db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('version', String(STATE_VERSION));
  return new DataDir(db, file, lock);
}

/**
 * An emulator's state in SQLite: it watches the stores, the timeline and the dispatcher and writes every change in
 * a transaction committed at the end of the current tick, or at once where an answer depends on it (a message
 * accepted with 202, a media upload). What it holds at start is restored; a SIGKILL loses nothing answered.
 */
export class DataDir implements DurableStorage {
  private inTransaction = false;
  // The first error of this tick's transaction: SQLite may have rolled it back already (SQLITE_FULL), so nothing
  // more is written in it (each statement would commit on its own) and its commit reports the failure instead.
  private failure: { error: unknown } | undefined;
  // While an import is put in force: its reset and its state are on file already.
  private replacing = false;
  private readonly dirtyMessages = new Set<StoredMessage>();
  private readonly detachers: Array<() => void> = [];
  private emulator: Emulator | undefined;
  private seenJournalEvictions = 0;
  private closed = false;
  private readonly sql;

  constructor(
    private readonly db: Database,
    /** The SQLite file's path. */
    readonly file: string,
    private readonly lock?: DirLock,
  ) {
    this.sql = {
      upsertMessage: db.prepare('INSERT INTO messages (id, account_id, doc) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc'),
      removeMessage: db.prepare('DELETE FROM messages WHERE id = ?'),
      insertEntry: db.prepare('INSERT OR REPLACE INTO journal (seq, account_id, doc) VALUES (?, ?, ?)'),
      pruneJournal: db.prepare('DELETE FROM journal WHERE seq <= (SELECT seq FROM journal ORDER BY seq DESC LIMIT 1 OFFSET ?)'),
      putMedia: db.prepare('INSERT INTO media (account_id, media_id, content_type, cache_control, created_at, bytes) VALUES (?, ?, ?, ?, ?, ?)'),
      removeMedia: db.prepare('DELETE FROM media WHERE account_id = ? AND media_id = ?'),
      clearScenarios: db.prepare('DELETE FROM scenarios'),
      insertScenario: db.prepare('INSERT INTO scenarios (ord, scope, name, doc) VALUES (?, ?, ?, ?)'),
      putSteps: db.prepare('INSERT OR REPLACE INTO pending_steps (key, account_id, doc) VALUES (?, ?, ?)'),
      removeSteps: db.prepare('DELETE FROM pending_steps WHERE key = ?'),
      putDelivery: db.prepare('INSERT OR REPLACE INTO pending_deliveries (event_id, account_id, doc) VALUES (?, ?, ?)'),
      removeDelivery: db.prepare('DELETE FROM pending_deliveries WHERE event_id = ?'),
      putReply: db.prepare('INSERT OR REPLACE INTO pending_replies (key, account_id, doc) VALUES (?, ?, ?)'),
      removeReply: db.prepare('DELETE FROM pending_replies WHERE key = ?'),
      setMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      putOptOut: db.prepare('INSERT OR REPLACE INTO opt_outs (account_id, number, handset, doc) VALUES (?, ?, ?, ?)'),
      removeOptOut: db.prepare('DELETE FROM opt_outs WHERE account_id = ? AND number = ? AND handset = ?'),
    };
  }

  /** Everything the file holds, as a state document for restoreState(); a read error says its cause (corrupt file, disk). */
  load(): StateDocument {
    try {
      return this.read();
    } catch (error) {
      if (!(error as { code?: string }).code) throw error;
      throw new Error(explainDataDirError(error, dirname(this.file), this.file).problem, { cause: error });
    }
  }

  private read(): StateDocument {
    const docs = <T>(sql: string) => (this.db.prepare(sql).all() as Array<{ doc: string }>).map((r) => JSON.parse(r.doc) as T);
    const media = this.db.prepare('SELECT account_id, media_id, content_type, cache_control, created_at, bytes FROM media ORDER BY ord').all() as Array<{
      account_id: string;
      media_id: string;
      content_type: string;
      cache_control: string | null;
      created_at: number;
      bytes: Buffer;
    }>;
    const meta = (key: string) => (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
    const lastEvent = meta('lastEventNumber');
    const doc: StateDocument = {
      kind: 'bandwidth-emulator-state',
      version: STATE_VERSION,
      lastEventNumber: Number(lastEvent ?? 0),
      ruleHits: JSON.parse(meta('ruleHits') ?? '{}') as Record<string, number>,
      messages: docs('SELECT doc FROM messages ORDER BY ord'),
      media: media.map((m) => ({
        accountId: m.account_id,
        mediaId: m.media_id,
        contentType: m.content_type,
        ...(m.cache_control !== null ? { cacheControl: m.cache_control } : {}),
        createdAt: m.created_at,
        contentBase64: m.bytes.toString('base64'),
      })),
      journal: docs('SELECT doc FROM journal ORDER BY seq'),
      scenarios: (this.db.prepare('SELECT scope, name, doc FROM scenarios ORDER BY ord').all() as Array<{ scope: string; name: string; doc: string }>).map(
        (r) => ({ scope: r.scope, name: r.name, document: JSON.parse(r.doc) as unknown }),
      ),
      pending: this.pending(),
      optOuts: docs('SELECT doc FROM opt_outs ORDER BY rowid'),
    };
    return this.dropUnplayableSteps(doc);
  }

  // Rows no restore would play (left by an older emulator, e.g. steps a carrier action replaced) leave the file.
  private dropUnplayableSteps(doc: StateDocument): StateDocument {
    const playable = playableSteps(doc);
    const kept = new Set(playable); // a Set: thousands of pending steps would make includes() quadratic
    for (const p of doc.pending?.steps ?? []) if (!kept.has(p)) this.sql.removeSteps.run(stepsKey(p.messageId, p.recipient));
    return { ...doc, pending: { deliveries: [], ...doc.pending, steps: playable } };
  }

  /** The pending steps and callback events as the file holds them (after writing what this tick changed). */
  pending(): PendingWork & { replies: PendingReply[] } {
    this.commitInBackground();
    const docs = <T>(sql: string) => (this.db.prepare(sql).all() as Array<{ doc: string }>).map((r) => JSON.parse(r.doc) as T);
    return {
      steps: docs('SELECT doc FROM pending_steps'),
      deliveries: docs('SELECT doc FROM pending_deliveries'),
      replies: docs('SELECT doc FROM pending_replies'),
    };
  }

  /** Start writing the emulator's changes; stops (keeping what is pending on file) when the emulator closes. */
  attach(emulator: Emulator): void {
    this.emulator = emulator;
    const { store, journal, clock, media, scenarios, timeline, dispatcher, optOuts } = emulator.parts;
    this.seenJournalEvictions = journal.stats().evicted;
    const scale = () => clock.scale;
    const now = () => clock.now();
    emulator.attachStorage(this);
    this.detachers.push(
      store.subscribe((change) => this.touch(change.message)),
      store.subscribeNotes((message) => this.touch(message)),
      // Only messages the cap evicts leave the file: one held over the cap for its pending work stays with it.
      store.subscribeEvictions((message) => this.write(() => this.sql.removeMessage.run(message.id))),
      journal.subscribe((entry) => this.recordEntry(entry)),
      media.subscribe((change) => this.recordMedia(change)),
      scenarios.onRuntimeChange(() => this.writeScenarios()),
      optOuts.subscribe((change) => this.recordOptOut(change)),
      timeline.observe({
        planned: (message, recipient, steps, explanation) => {
          if (steps.length === 0) return;
          this.writeSteps({
            accountId: message.accountId,
            messageId: message.id,
            recipient,
            steps: [...steps],
            next: 0,
            dueAt: clampEpochMs(now() + steps[0]!.afterMs * scale()),
            explanation,
          });
        },
        fired: (message, recipient, index, steps) => {
          const next = steps[index + 1];
          if (!next) return this.write(() => this.sql.removeSteps.run(stepsKey(message.id, recipient)));
          this.writeSteps({
            accountId: message.accountId,
            messageId: message.id,
            recipient,
            steps: [...steps],
            next: index + 1,
            dueAt: clampEpochMs(now() + (next.afterMs - steps[index]!.afterMs) * scale()),
            explanation: stepsExplanation(message, recipient),
          });
        },
        // The carrier's own event is a dispatcher delivery (written when queued); the replaced steps must never replay.
        replaced: (message, recipient) => this.write(() => this.sql.removeSteps.run(stepsKey(message.id, recipient))),
      }),
      dispatcher.observe({
        queued: (delivery) => this.writeDelivery(delivery, { attempt: 1, retriesUsed: 0, withCredentials: false }, now()),
        retrying: (delivery, next: NextAttempt) => this.writeDelivery(delivery, next, clampEpochMs(now() + next.delayMs * scale())),
      }),
      emulator.onState({
        committed: () => this.commitOrThrow(),
        reset: (accountId) => this.forget(accountId),
        replyPlanned: ({ afterMs, ...planned }) => {
          const pending: PendingReply = { ...planned, dueAt: clampEpochMs(now() + afterMs * scale()) };
          this.write(() => this.sql.putReply.run(pending.key, pending.accountId, JSON.stringify(pending)));
        },
        replyFired: (key) => this.write(() => this.sql.removeReply.run(key)),
      }),
      // Detach before close() cancels anything: what is still pending stays on file for the next start.
      emulator.onClose(() => this.close()),
    );
  }

  // Commit what this tick changed; on failure roll back and throw (what it held stays in memory only).
  private commit(): void {
    if (!this.inTransaction || this.closed) return;
    const emulator = this.emulator;
    if (emulator && !this.failure) {
      try {
        const { store, journal, timeline } = emulator.parts;
        for (const message of this.dirtyMessages) {
          // An evicted, reset or withdrawn message may still change (its timers run); it must not come back on file.
          if (store.get(message.accountId, message.id) === message) this.sql.upsertMessage.run(message.id, message.accountId, JSON.stringify(message));
        }
        const { evicted: journalEvicted, cap: journalCap } = journal.stats();
        if (journalEvicted > this.seenJournalEvictions) this.sql.pruneJournal.run(journalCap);
        this.seenJournalEvictions = journalEvicted;
        this.sql.setMeta.run('lastEventNumber', String(timeline.lastEventNumber));
        this.sql.setMeta.run('ruleHits', JSON.stringify(ruleHitsOf(emulator)));
      } catch (error) {
        this.failure = { error };
      }
    }
    if (!this.failure) {
      try {
        this.db.exec('COMMIT');
      } catch (error) {
        this.failure = { error };
      }
    }
    const failure = this.failure;
    this.inTransaction = false;
    this.failure = undefined;
    this.dirtyMessages.clear();
    if (!failure) return;
    if (this.db.inTransaction) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // Nothing more to undo: the transaction is gone either way.
      }
    }
    throw failure.error;
  }

  /**
   * Commit what this tick changed now, because an answer depends on it (a 202, an upload's 204, an inbound 201).
   * Throws StorageWriteError when it cannot: the transaction is rolled back, and the caller takes its change back.
   */
  commitOrThrow(): void {
    try {
      this.commit();
    } catch (error) {
      throw new StorageWriteError(this.file, error);
    }
  }

  // Background writes (a step fired, a callback attempt) that fail are logged: they are kept in memory only, so after
  // a restart such a callback may be sent again (at least once), and a settled one may reappear as pending.
  private commitInBackground(): void {
    try {
      this.commit();
    } catch (error) {
      const cause = explainDataDirError(error, dirname(this.file), this.file);
      this.emulator?.log.error(
        { err: error, file: this.file, fix: cause.fix },
        `could not write the data dir: ${cause.problem}; this change is kept in memory only`,
      );
    }
  }

  /** Write what is pending and close the file; later changes are not recorded. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.commitInBackground();
    for (const detach of this.detachers.splice(0)) detach();
    this.closed = true;
    this.db.close();
    this.lock?.release();
  }

  // Every write joins the tick's transaction, opened on the first write and committed when the tick's work is done.
  // A write never throws into the emulator: its failure is kept for the commit, which reports it.
  private write(fn: () => void): void {
    if (this.closed || this.replacing) return;
    if (!this.inTransaction) {
      this.inTransaction = true;
      queueMicrotask(() => this.commitInBackground());
      try {
        this.db.exec('BEGIN');
      } catch (error) {
        this.failure = { error };
      }
    }
    if (this.failure) return;
    try {
      fn();
    } catch (error) {
      this.failure = { error };
    }
  }

  private touch(message: StoredMessage): void {
    this.write(() => this.dirtyMessages.add(message));
  }

  private recordEntry(entry: JournalEntry): void {
    this.write(() => {
      this.sql.insertEntry.run(entry.seq, entry.accountId, JSON.stringify(entry));
      if (SETTLED.has(entry.outcome)) this.sql.removeDelivery.run(entry.eventId);
    });
  }

  private recordMedia(change: MediaChange): void {
    this.write(() => {
      if (change.kind === 'remove') this.sql.removeMedia.run(change.accountId, change.mediaId);
      else {
        const o = change.object;
        this.sql.putMedia.run(o.accountId, o.mediaId, o.contentType, o.cacheControl ?? null, o.createdAt, o.bytes);
      }
    });
  }

  private recordOptOut(change: OptOutChange): void {
    this.write(() => {
      if (change.kind === 'add') {
        const e = change.entry;
        this.sql.putOptOut.run(e.accountId, e.number, e.handset, JSON.stringify(e));
      } else if (change.kind === 'remove') this.sql.removeOptOut.run(change.accountId, change.number, change.handset);
      else if (change.accountId === undefined) this.db.prepare('DELETE FROM opt_outs').run();
      else this.db.prepare('DELETE FROM opt_outs WHERE account_id = ?').run(change.accountId);
    });
  }

  private writeScenarios(): void {
    const emulator = this.emulator!;
    this.write(() => {
      this.sql.clearScenarios.run();
      emulator.parts.scenarios.runtimeScenarios().forEach(({ scope, scenario }, i) => {
        this.sql.insertScenario.run(i, scope, scenario.name, JSON.stringify(emulator.scenarioDocument(scenario) ?? null));
      });
    });
  }

  private writeSteps(pending: PendingSteps): void {
    this.write(() => this.sql.putSteps.run(stepsKey(pending.messageId, pending.recipient), pending.accountId, JSON.stringify(pending)));
  }

  private writeDelivery(delivery: Delivery, next: Omit<NextAttempt, 'delayMs'>, dueAt: number): void {
    // Callback credentials are not written: they come from the config again at restore.
    const { auth: _auth, requested: _requested, dropped: _dropped, ...rest } = delivery;
    const pending: PendingDelivery = {
      delivery: rest,
      next: { attempt: next.attempt, retriesUsed: next.retriesUsed, withCredentials: next.withCredentials },
      dueAt,
    };
    this.write(() => this.sql.putDelivery.run(delivery.eventId, delivery.accountId, JSON.stringify(pending)));
  }

  private forget(accountId?: string): void {
    this.write(() => {
      for (const table of ACCOUNT_TABLES) {
        if (accountId === undefined) this.db.prepare(`DELETE FROM ${table}`).run();
        else this.db.prepare(`DELETE FROM ${table} WHERE account_id = ?`).run(accountId);
      }
    });
    this.commitInBackground();
  }

  /**
   * Replace everything on file with a staged import, in one transaction, then run `putInForce` (which resets the
   * emulator and commits the staged state): the file is written first, so a write that fails (StorageWriteError)
   * leaves both the file and the emulator as they were. While `putInForce` runs, nothing is written: the reset and
   * the restored state are already on file.
   */
  replace<T>(staged: StagedState, putInForce: () => T): T {
    this.commitOrThrow();
    const { doc, store, journal, media, scenarios, optOuts, lastEventNumber } = staged;
    const kept = (accountId: string, messageId: string) => store.get(accountId, messageId) !== undefined;
    const write = this.db.transaction(() => {
      for (const table of [...ACCOUNT_TABLES, 'scenarios']) this.db.prepare(`DELETE FROM ${table}`).run();
      for (const accountId of store.accounts()) for (const m of store.list(accountId)) this.sql.upsertMessage.run(m.id, m.accountId, JSON.stringify(m));
      for (const entry of journal.list()) this.sql.insertEntry.run(entry.seq, entry.accountId, JSON.stringify(entry));
      for (const o of media.entries()) this.sql.putMedia.run(o.accountId, o.mediaId, o.contentType, o.cacheControl ?? null, o.createdAt, o.bytes);
      for (const [i, s] of scenarios.entries()) this.sql.insertScenario.run(i, s.scope, s.scenario.name, JSON.stringify(s.document ?? null));
      for (const p of playableSteps(doc))
        if (kept(p.accountId, p.messageId)) this.sql.putSteps.run(stepsKey(p.messageId, p.recipient), p.accountId, JSON.stringify(p));
      for (const p of doc.pending?.deliveries ?? []) this.sql.putDelivery.run(p.delivery.eventId, p.delivery.accountId, JSON.stringify(p));
      for (const p of doc.pending?.replies ?? []) if (kept(p.accountId, p.messageId)) this.sql.putReply.run(p.key, p.accountId, JSON.stringify(p));
      for (const e of optOuts.entries()) this.sql.putOptOut.run(e.accountId, e.number, e.handset, JSON.stringify(e));
      this.sql.setMeta.run('lastEventNumber', String(Math.max(lastEventNumber, this.emulator?.parts.timeline.lastEventNumber ?? 0)));
      this.sql.setMeta.run('ruleHits', JSON.stringify(doc.ruleHits ?? {}));
    });
    try {
      write();
    } catch (error) {
      throw new StorageWriteError(this.file, error);
    }
    this.replacing = true;
    try {
      return putInForce();
    } finally {
      this.replacing = false;
      this.dirtyMessages.clear();
    }
  }
}

const stepsKey = (messageId: string, recipient: string) => `${messageId}\u0000${recipient}`;

// The explanation recorded when the recipient's plan was made (its 'planned' timeline entry).
function stepsExplanation(message: StoredMessage, recipient: string): string | undefined {
  const planned = message.timeline.find((t) => t.what === 'planned' && t.recipient === recipient);
  return planned?.detail?.explanation as string | undefined;
}
