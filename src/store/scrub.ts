import type { Logger } from '../log.ts';
import type { Db } from './db.ts';

/**
 * Rewrites the database file so nothing in it reflects the order answers arrived in.
 *
 * SQLite appends a new row's bytes inside its page in insertion order, and the WAL keeps each commit
 * (the new answer next to the invite just marked answered) until it is checkpointed. Either would let
 * someone holding the files line answers up with people. VACUUM rebuilds every table in key order —
 * for answers a random key — and a TRUNCATE checkpoint empties the WAL.
 */
export function scrubNow(db: Db, log: Logger): boolean {
  if (!db.open || db.inTransaction) return false;
  // Never wait on another reader of the file (a backup, say): that would hold up every acknowledgement.
  const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    db.exec('VACUUM');
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    return result?.busy === 0;
  } catch (err) {
    log.warn(`storage scrub skipped: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
}

const scheduled = new WeakSet<Db>();

/** Scrubs right after the current work (an acknowledged answer), once however many ask at a time. */
export function scrubSoon(db: Db, log: Logger): void {
  if (scheduled.has(db)) return;
  scheduled.add(db);
  setImmediate(() => {
    scheduled.delete(db);
    scrubNow(db, log);
  });
}
