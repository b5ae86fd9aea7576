import { closeSync, constants, fdatasync, fsync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Db } from './db.ts';

/** Makes everything written to the database's write-ahead log so far durable; rejects when it cannot. */
export type WalSync = () => Promise<void>;

/**
 * An asynchronous `fdatasync` of the database's write-ahead log (`<file>-wal`) on libuv's thread pool:
 * what SQLite's commit does under `synchronous = FULL`, without blocking the event loop. Null for a
 * database without a write-ahead log (in memory, or a file system where WAL mode was refused).
 *
 * The log is opened afresh for each sync: an fsync covers the file, whichever descriptor asks, and SQLite
 * takes no lock on the log (its locks are on the `-shm` file), so closing our descriptor releases nothing
 * of SQLite's. The first sync also syncs the folder, as SQLite does on the first sync of a log it created,
 * so the log's own name survives a power cut. A log that is gone because the database was closed meanwhile
 * was checkpointed into the synced database file by that close: nothing is left to sync.
 */
export function walSync(db: Db): WalSync | null {
  if (db.memory || db.pragma('journal_mode', { simple: true }) !== 'wal') return null;
  const path = resolve(`${db.name}-wal`);
  // Windows opens no folder to sync (nor does SQLite there).
  let folderSynced = process.platform === 'win32';
  return async () => {
    // Opening and closing touch no disk (microseconds on the loop); the sync itself, the one slow part,
    // is the one trip to the thread pool.
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDWR);
    } catch (error) {
      if (!db.open && (error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      await new Promise<void>((done, fail) => fdatasync(fd, (error) => (error ? fail(error) : done())));
    } finally {
      closeSync(fd);
    }
    if (!folderSynced) {
      const folder = openSync(dirname(path), constants.O_RDONLY);
      try {
        await new Promise<void>((done, fail) => fsync(folder, (error) => (error ? fail(error) : done())));
      } finally {
        closeSync(folder);
      }
      folderSynced = true;
    }
  };
}

/**
 * Writes that are durable without blocking the event loop: `relaxed(write)` runs `write` with its commits
 * under `synchronous = NORMAL` (in WAL mode SQLite then skips the fsync at commit, the only one a commit
 * does; checkpoints still sync the log before and the database file after) and sets `FULL` back for every
 * other write; `durable()` resolves once everything committed before the call is on disk, by an
 * asynchronous sync of the log. A caller awaits `durable()` before anything that relies on those writes
 * (an acknowledgement, a message sent). At most one sync runs at a time: the calls made while one runs
 * share the next, which starts when it ends (a sync already under way may have missed their writes).
 */
export interface Durability {
  relaxed<T>(write: () => T): T;
  durable(): Promise<void>;
}

/**
 * The durability of `db`'s writes through `sync` (default: `walSync`). Without a write-ahead log there is
 * nothing to sync: writes commit as every other write does (`FULL`) and `durable()` resolves at once.
 */
export function durability(db: Db, sync: WalSync | null = walSync(db)): Durability {
  if (!sync) return { relaxed: (write) => write(), durable: () => Promise.resolve() };
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  let depth = 0;
  const start = (): Promise<void> => {
    const p = sync().finally(() => {
      if (running === p) running = null;
    });
    running = p;
    return p;
  };
  return {
    relaxed: (write) => {
      // Nested: the outermost call sets the mode and sets FULL back.
      if (depth++ === 0) db.pragma('synchronous = NORMAL');
      try {
        return write();
      } finally {
        if (--depth === 0 && db.open) db.pragma('synchronous = FULL');
      }
    },
    durable: () => {
      if (!running) return start();
      next ??= running
        .catch(() => {})
        .then(() => {
          next = null;
          return start();
        });
      return next;
    },
  };
}
