import type { Db } from './db.ts';
import { type WalSync, walSync } from './walSync.ts';

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Queued {
  unit: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export type GroupCommit = <T>(unit: () => T) => Promise<T>;

export interface GroupCommitOptions {
  /**
   * Makes everything committed so far durable without blocking the event loop (default: an asynchronous
   * `fdatasync` of the database's write-ahead log, `walSync`). Tests pass their own to hold or fail it.
   */
  sync?: WalSync;
}

/** Units queued for a commit or waiting for its sync, not yet settled, per database. */
const queued = new WeakMap<Db, number>();
/** Who waits for `db` to have no unit queued. */
const idleWaiters = new WeakMap<Db, Array<() => void>>();

/** How many write units are waiting for their group commit on `db` (or for that commit's sync). */
export const queuedCommits = (db: Db): number => queued.get(db) ?? 0;

/** Resolves once no write unit waits for its commit or its sync on `db` (at once when none does). */
export function commitsSettled(db: Db): Promise<void> {
  if (queuedCommits(db) === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const waiting = idleWaiters.get(db) ?? [];
    waiting.push(resolve);
    idleWaiters.set(db, waiting);
  });
}

function countQueued(db: Db, n: number): void {
  const now = queuedCommits(db) + n;
  queued.set(db, now);
  if (now > 0) return;
  const waiting = idleWaiters.get(db);
  idleWaiters.delete(db);
  for (const resolve of waiting ?? []) resolve();
}

/**
 * Commits the write units that arrive in the same turn of the event loop in one transaction, and settles
 * them only once that transaction is durable. Each unit runs in its own savepoint, in arrival order: one
 * that throws is rolled back alone and its caller gets the error, the others still commit.
 *
 * Durable without blocking: the transaction commits with `synchronous = NORMAL` (in WAL mode SQLite then
 * skips the fsync at commit, the only one a commit does), and then the write-ahead log is synced with an
 * asynchronous `fdatasync` on libuv's thread pool, so the event loop keeps running (acknowledging,
 * receiving the next answers) while the disk works. At most one sync runs at a time: the batches that
 * commit while it runs share the next one, which starts when it ends (a sync already under way may have
 * missed their frames). A unit's promise settles only after the sync that covers its batch: if that sync
 * fails, every unit of the batch is rejected, so nothing is acknowledged that was not made durable.
 *
 * Every other write of the app keeps `synchronous = FULL`; the connection is set back to it right after
 * the batch's commit. Checkpoints still sync the log before and the database file after, whatever the
 * setting. Without a write-ahead log (an in-memory database) the batch commits as every other write does
 * and there is nothing more to sync.
 */
export function groupCommit(db: Db, options: GroupCommitOptions = {}): GroupCommit {
  let queue: Queued[] = [];
  const sync = options.sync ?? walSync(db);
  const durable = sync ? coalesced(sync) : null;
  const count = (n: number) => countQueued(db, n);

  const flush = (): void => {
    const batch = queue;
    queue = [];
    const settled: Settled[] = [];
    try {
      if (durable) db.pragma('synchronous = NORMAL');
      try {
        db.transaction(() => {
          for (const item of batch) {
            try {
              // Nested in the batch's transaction, better-sqlite3 runs this in a savepoint.
              settled.push({ ok: true, value: db.transaction(item.unit)() });
            } catch (error) {
              settled.push({ ok: false, error });
            }
          }
        })();
      } finally {
        if (durable && db.open) db.pragma('synchronous = FULL');
      }
    } catch (error) {
      // The commit itself failed: nothing of the batch is stored.
      count(-batch.length);
      for (const item of batch) item.reject(error);
      return;
    }
    const settle = (syncError?: { error: unknown }): void => {
      count(-batch.length);
      batch.forEach((item, i) => {
        const s = settled[i] as Settled;
        if (!s.ok) item.reject(s.error);
        else if (syncError) item.reject(syncError.error);
        else item.resolve(s.value);
      });
    };
    if (!durable) settle();
    else
      durable().then(
        () => settle(),
        (error: unknown) => settle({ error }),
      );
  };

  return <T>(unit: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ unit, resolve: resolve as (value: unknown) => void, reject });
      count(1);
      if (queue.length === 1) setImmediate(flush);
    });
}

/**
 * `sync`, with at most one call running: a request while one runs waits for the next call, which starts
 * when the running one ends and serves every request made meanwhile.
 */
function coalesced(sync: WalSync): () => Promise<void> {
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const start = (): Promise<void> => {
    const p = sync().finally(() => {
      if (running === p) running = null;
    });
    running = p;
    return p;
  };
  return () => {
    if (!running) return start();
    if (!next) {
      next = running
        .catch(() => {})
        .then(() => {
          next = null;
          return start();
        });
    }
    return next;
  };
}
