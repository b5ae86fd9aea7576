import type { Logger } from '../log.ts';
import type { Db } from './db.ts';
import { queuedCommits } from './groupCommit.ts';

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

/** Empties the WAL into the file: cheap, and it erases the trail of which commit did what. */
function checkpoint(db: Db, log: Logger): void {
  if (!db.open || db.inTransaction) return;
  const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (err) {
    log.warn(`checkpoint skipped: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
}

/** The full rewrite costs time in proportion to the database: after answers, at most this often. */
export const ANSWER_SCRUB_DELAY_MS = 30_000;

/**
 * The longest an emptying of the WAL waits for answers already queued for their commit (a burst keeps
 * the loop busy for a few milliseconds; this only bounds a never-ending one).
 */
export const CHECKPOINT_MAX_WAIT_MS = 100;

const scheduled = new WeakSet<Db>();
const throttled = new WeakSet<Db>();
const checkpointing = new WeakSet<Db>();

/**
 * Empties the WAL right after the current work, once for all the answers acknowledged together (a
 * group commit acknowledges its whole batch at once: one checkpoint empties the log of all of them).
 * Answers already queued for their commit go first — their members are waiting for the acknowledgement,
 * and the same checkpoint then empties the log of them too — for at most CHECKPOINT_MAX_WAIT_MS.
 */
function checkpointSoon(db: Db, log: Logger): void {
  if (checkpointing.has(db)) return;
  checkpointing.add(db);
  const since = performance.now();
  const run = (): void => {
    if (queuedCommits(db) > 0 && performance.now() - since < CHECKPOINT_MAX_WAIT_MS) {
      setImmediate(run);
      return;
    }
    checkpointing.delete(db);
    checkpoint(db, log);
  };
  setImmediate(run);
}

/**
 * After an acknowledged answer: the WAL is emptied at once (the commit that paired an answer with an
 * invite is gone from the files; one checkpoint for the answers acknowledged together), and the file
 * itself is rewritten within ANSWER_SCRUB_DELAY_MS, once for all the answers of a busy minute rather
 * than once each, so acknowledgements stay fast.
 */
export function scrubAfterAnswer(db: Db, log: Logger): void {
  checkpointSoon(db, log);
  if (throttled.has(db)) return;
  throttled.add(db);
  setTimeout(() => {
    throttled.delete(db);
    scrubNow(db, log);
  }, ANSWER_SCRUB_DELAY_MS).unref();
}

/** Scrubs right after the current work (an acknowledged answer), once however many ask at a time. */
export function scrubSoon(db: Db, log: Logger): void {
  if (scheduled.has(db)) return;
  scheduled.add(db);
  setImmediate(() => {
    scheduled.delete(db);
    scrubNow(db, log);
  });
}
