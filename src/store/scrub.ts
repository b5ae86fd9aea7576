import { errorMessage, type Logger } from '../log.ts';
import { backgroundTimer } from '../timer.ts';
import type { Db } from './db.ts';
import { commitsSettled } from './groupCommit.ts';

/**
 * Empties the write-ahead log into the database file. Until then the WAL keeps each commit whole — an
 * answer's slot next to the invite it marked answered, and commits in the order they came — so it is
 * emptied right after answers are stored, after closes and after forget-me. The file itself needs no
 * rewrite: answer slots are made in random order when a round opens and filled in place, and deleted
 * rows are overwritten (`secure_delete`).
 *
 * A checkpoint that another reader blocks (a backup holding the file open, the export) is never
 * skipped in silence: it is logged and tried again until it completes. Returns true when it completed.
 */
export function scrubNow(db: Db, log: Logger): boolean {
  if (!db.open || db.inTransaction) return false;
  // Never wait on another reader of the file: that would hold up every acknowledgement.
  const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  let done = false;
  try {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    done = result?.busy === 0;
  } catch (err) {
    log.warn(`checkpoint failed: ${errorMessage(err)}`);
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
  if (!done) retryLater(db, log);
  else if (blockedTries.has(db)) {
    log.info(`checkpoint completed after ${blockedTries.get(db)} blocked tries`);
    blockedTries.delete(db);
  }
  return done;
}

/** The first retry waits this long; each next one twice as long, up to RETRY_MAX_MS. */
export const RETRY_FIRST_MS = 1000;
export const RETRY_MAX_MS = 30_000;

const blockedTries = new WeakMap<Db, number>();
const retryPending = new WeakSet<Db>();
const scheduled = new WeakSet<Db>();

function retryLater(db: Db, log: Logger): void {
  if (retryPending.has(db)) return;
  const tries = (blockedTries.get(db) ?? 0) + 1;
  blockedTries.set(db, tries);
  if (tries === 1) log.warn('checkpoint blocked by another reader of the database file; trying again');
  retryPending.add(db);
  backgroundTimer(
    () => {
      retryPending.delete(db);
      if (db.open) scrubNow(db, log);
    },
    Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (tries - 1)),
  );
}

/**
 * Empties the WAL right after the current work (answers just committed, a round just closed), once
 * however many ask in the same turn of the event loop.
 */
export function scrubSoon(db: Db, log: Logger): void {
  if (scheduled.has(db)) return;
  scheduled.add(db);
  setImmediate(() => {
    scheduled.delete(db);
    scrubNow(db, log);
  });
}

/**
 * The longest an emptying of the WAL after answers waits for answers still waiting for their commit or
 * its sync (a burst keeps them coming for a few milliseconds; this only bounds a never-ending one).
 */
export const CHECKPOINT_MAX_WAIT_MS = 100;

/** The emptying asked for after answers and not yet run, per database. */
const afterAnswers = new WeakMap<Db, object>();

/**
 * After acknowledged answers: the commit that paired each with its invite leaves the WAL at once — one
 * checkpoint for the answers acknowledged together. Answers still waiting for their commit or its sync
 * go first (their members wait for the acknowledgement, a checkpoint would hold up the sync's callback,
 * and the same checkpoint then empties the log of them too), for at most CHECKPOINT_MAX_WAIT_MS.
 */
export function scrubAfterAnswer(db: Db, log: Logger): void {
  if (afterAnswers.has(db)) return;
  const request = {};
  afterAnswers.set(db, request);
  const run = (): void => {
    if (afterAnswers.get(db) !== request) return;
    afterAnswers.delete(db);
    cancel();
    scrubNow(db, log);
  };
  const cancel = backgroundTimer(run, CHECKPOINT_MAX_WAIT_MS);
  setImmediate(() => void commitsSettled(db).then(() => setImmediate(run)));
}
