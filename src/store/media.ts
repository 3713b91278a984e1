import type { Clock } from '../clock.js';

/** One stored media object. */
export interface MediaObject {
  accountId: string;
  mediaId: string;
  bytes: Buffer;
  contentType: string;
  cacheControl?: string;
  createdAt: number;
}

/** Limits: per-object size, total bytes kept (oldest evicted first), and retention on the emulator's clock. */
export interface MediaLimits {
  maxObjectBytes: number;
  maxTotalBytes: number;
  retentionMs: number;
}

/** A change to the media store, for persistence: an object stored, or one gone (deleted, evicted, expired, cleared). */
export type MediaChange = { kind: 'put'; object: MediaObject } | { kind: 'remove'; accountId: string; mediaId: string };

const key = (accountId: string, mediaId: string) => `${accountId}\u0000${mediaId}`;

/** Media per account, bounded by total bytes with oldest-first eviction and by retention; both are counted. */
export class MediaStore {
  // Insertion order across accounts: the first entry is the oldest object.
  private objects = new Map<string, MediaObject>();
  private totalBytes = 0;
  private evictedCount = 0;
  private expiredCount = 0;
  private readonly listeners = new Set<(change: MediaChange) => void>();

  constructor(
    readonly limits: MediaLimits,
    private readonly clock: Clock,
  ) {}

  /** Store (or overwrite, as Bandwidth does) an object; evicts the oldest beyond the byte cap. */
  put(object: Omit<MediaObject, 'createdAt'>): MediaObject {
    this.remove(object.accountId, object.mediaId);
    // Objects past retention free their bytes first, so they are counted as expired rather than evicted.
    this.sweepExpired();
    const stored: MediaObject = { ...object, createdAt: this.clock.now() };
    this.insert(stored);
    for (const listener of this.listeners) listener({ kind: 'put', object: stored });
    return stored;
  }

  /** Put back an object of an earlier run (restart, import) with its original upload time; restore oldest first. */
  restore(object: MediaObject): void {
    this.remove(object.accountId, object.mediaId);
    this.insert(object);
  }

  /** Take over the objects of a store filled aside (an import built before anything was replaced); this one was just cleared. */
  adopt(other: MediaStore): void {
    this.objects = other.objects;
    this.totalBytes = other.totalBytes;
    this.evictedCount += other.evictedCount;
    this.expiredCount += other.expiredCount;
  }

  // Store an object (its id already free), evicting the oldest beyond the byte cap; the newest always stays.
  private insert(object: MediaObject): void {
    this.objects.set(key(object.accountId, object.mediaId), object);
    this.totalBytes += object.bytes.length;
    while (this.totalBytes > this.limits.maxTotalBytes && this.objects.size > 1) {
      const oldest = this.objects.values().next().value as MediaObject;
      this.remove(oldest.accountId, oldest.mediaId);
      this.evictedCount++;
    }
  }

  /** An object as stored, even past its retention (nothing is swept): what an upload would replace. */
  peek(accountId: string, mediaId: string): MediaObject | undefined {
    return this.objects.get(key(accountId, mediaId));
  }

  /**
   * Take back an object just stored, without a trace (the write its answer depended on failed, so persistence rolled
   * it back already), putting back `previous`, the object it replaced, if any.
   */
  withdraw(accountId: string, mediaId: string, previous?: MediaObject): void {
    const k = key(accountId, mediaId);
    const object = this.objects.get(k);
    if (object) {
      this.objects.delete(k);
      this.totalBytes -= object.bytes.length;
    }
    if (previous) {
      this.objects.set(k, previous);
      this.totalBytes += previous.bytes.length;
    }
  }

  /** Call `listener` on every stored and removed object; returns the unsubscribe function. */
  subscribe(listener: (change: MediaChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** An object, unless missing or past its retention. */
  get(accountId: string, mediaId: string): MediaObject | undefined {
    const object = this.objects.get(key(accountId, mediaId));
    if (object && this.expired(object)) {
      this.remove(accountId, mediaId);
      this.expiredCount++;
      return undefined;
    }
    return object;
  }

  /** Delete an object; true if it existed. */
  remove(accountId: string, mediaId: string): boolean {
    const k = key(accountId, mediaId);
    const object = this.objects.get(k);
    if (!object) return false;
    this.objects.delete(k);
    this.totalBytes -= object.bytes.length;
    for (const listener of this.listeners) listener({ kind: 'remove', accountId, mediaId });
    return true;
  }

  /** An account's live objects sorted by id (stable paging order). */
  list(accountId: string): MediaObject[] {
    const out: MediaObject[] = [];
    for (const object of [...this.objects.values()]) {
      if (object.accountId !== accountId) continue;
      if (this.expired(object)) {
        this.remove(object.accountId, object.mediaId);
        this.expiredCount++;
      } else out.push(object);
    }
    return out.sort((a, b) => (a.mediaId < b.mediaId ? -1 : a.mediaId > b.mediaId ? 1 : 0));
  }

  /** Every live object across accounts, oldest upload first (export). */
  entries(): MediaObject[] {
    this.sweepExpired();
    return [...this.objects.values()];
  }

  /** Forget every object, or one account's. */
  clear(accountId?: string): void {
    for (const object of [...this.objects.values()])
      if (accountId === undefined || object.accountId === accountId) this.remove(object.accountId, object.mediaId);
  }

  /** Sizes, evictions and expiries, for health and metrics. */
  stats(): { objects: number; bytes: number; evicted: number; expired: number; capBytes: number } {
    this.sweepExpired();
    return { objects: this.objects.size, bytes: this.totalBytes, evicted: this.evictedCount, expired: this.expiredCount, capBytes: this.limits.maxTotalBytes };
  }

  // Insertion order is upload order, so the objects past retention are a prefix of the map (deleting while iterating a Map is safe).
  private sweepExpired(): void {
    for (const object of this.objects.values()) {
      if (!this.expired(object)) break;
      this.remove(object.accountId, object.mediaId);
      this.expiredCount++;
    }
  }

  private expired(object: MediaObject): boolean {
    return this.clock.now() - object.createdAt >= this.limits.retentionMs;
  }
}
