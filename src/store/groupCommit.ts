import { errorMessage } from '../log.ts';
import type { Db } from './db.ts';
import { type Durability, durability } from './walSync.ts';

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Queued {
  unit: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export type GroupCommit = <T>(unit: () => T) => Promise<T>;

/**
 * A unit that committed, but the sync that makes its batch durable failed: what it wrote is in the
 * database, and not surely on disk. Its caller acknowledges nothing; trying the sync again may.
 */
export class NotDurableError extends Error {
  constructor(cause: unknown) {
    super(`committed, but not made durable: ${errorMessage(cause)}`, { cause });
    this.name = 'NotDurableError';
  }
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
 * The batch commits without blocking on the disk (`durability.relaxed`) and is then made durable by an
 * asynchronous sync of the write-ahead log (`durability.durable`): the event loop keeps running (it
 * acknowledges, receives the next answers) while the disk works. The units that arrive while a batch
 * waits for its sync commit together once it is done, and share the next sync — as many answers per
 * commit as a blocking fsync would gather, without the block. A unit's promise settles only after the
 * sync that covers its batch; if that sync fails, every unit of the batch is rejected, so nothing is
 * acknowledged that was not made durable.
 */
export function groupCommit(db: Db, durable: Durability = durability(db)): GroupCommit {
  let queue: Queued[] = [];
  // Nested in the batch's transaction, better-sqlite3 runs this in a savepoint. Made once: making a
  // transaction function allocates its four variants, and this runs for every answer.
  const inSavepoint = db.transaction((unit: () => unknown) => unit());
  /** A batch of ours is waiting for its sync: the units arriving meanwhile wait to commit after it. */
  let syncing = false;

  const flush = (): void => {
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    const settled: Settled[] = [];
    try {
      durable.relaxed(() =>
        db.transaction(() => {
          for (const item of batch) {
            try {
              settled.push({ ok: true, value: inSavepoint(item.unit) });
            } catch (error) {
              settled.push({ ok: false, error });
            }
          }
        })(),
      );
    } catch (error) {
      // The commit itself failed: nothing of the batch is stored.
      countQueued(db, -batch.length);
      for (const item of batch) item.reject(error);
      return;
    }
    const settle = (syncError?: { error: unknown }): void => {
      countQueued(db, -batch.length);
      batch.forEach((item, i) => {
        const s = settled[i] as Settled;
        if (!s.ok) item.reject(s.error);
        else if (syncError) item.reject(new NotDurableError(syncError.error));
        else item.resolve(s.value);
      });
    };
    syncing = true;
    durable
      .durable()
      .then(
        () => settle(),
        (error: unknown) => settle({ error }),
      )
      .finally(() => {
        syncing = false;
        // What arrived during the sync commits now, together, and shares the next sync.
        if (queue.length > 0) setImmediate(flush);
      });
  };

  return <T>(unit: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ unit, resolve: resolve as (value: unknown) => void, reject });
      countQueued(db, 1);
      if (queue.length === 1 && !syncing) setImmediate(flush);
    });
}
