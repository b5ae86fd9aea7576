import type { Db } from './db.ts';

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Queued {
  unit: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export type GroupCommit = <T>(unit: () => T) => Promise<T>;

/** Units queued for a commit and not yet committed, per database (over all its group commits). */
const queued = new WeakMap<Db, number>();

/** How many write units are waiting for their group commit on `db`. */
export const queuedCommits = (db: Db): number => queued.get(db) ?? 0;

/**
 * Commits the write units that arrive in the same turn of the event loop in one transaction, so a burst
 * of answers shares one fsync (the database syncs every commit, `synchronous = FULL`) instead of paying
 * one each. Each unit runs in its own savepoint, in arrival order: one that throws is rolled back alone
 * and its caller gets the error, the others still commit. A unit's promise settles only once the
 * transaction holding it has committed (or failed), so "acknowledged" still means "on disk".
 */
export function groupCommit(db: Db): GroupCommit {
  let queue: Queued[] = [];

  const flush = (): void => {
    const batch = queue;
    queue = [];
    queued.set(db, queuedCommits(db) - batch.length);
    const settled: Settled[] = [];
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
    } catch (error) {
      // The commit itself failed: nothing of the batch is stored.
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const s = settled[i] as Settled;
      if (s.ok) item.resolve(s.value);
      else item.reject(s.error);
    });
  };

  return <T>(unit: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ unit, resolve: resolve as (value: unknown) => void, reject });
      queued.set(db, queuedCommits(db) + 1);
      if (queue.length === 1) setImmediate(flush);
    });
}
