import type { Services } from '../context.ts';
import { errorMessage } from '../log.ts';
import { runAll, runInSlices, type SliceOptions, type Units } from '../slices.ts';
import { scrubNow } from '../store/scrub.ts';
import { queueDueDigests } from '../usecases/digest.ts';
import { applyRetention } from '../usecases/retention.ts';
import { closeRound, dueSlot, openRound, refreshLiveCounts, remindRound } from '../usecases/rounds.ts';

export interface TickResult {
  opened: number;
  reminded: number;
  closed: number;
  digests: number;
  /** Rounds deleted because they closed more than RETENTION_WEEKS ago. */
  deleted: number;
}

/** Runs one unit of a tick's work; a failure is logged and does not stop the rest of the tick. */
function guarded(s: Services, what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    s.log.error(`tick: ${what} failed: ${errorMessage(err)}`);
  }
}

const emptyResult = (): TickResult => ({ opened: 0, reminded: 0, closed: 0, digests: 0, deleted: 0 });

/**
 * The tick's work, one small unit at a time (a round closed, reminded or opened, a team checked): the
 * generator pauses after each, so a caller can give the event loop a turn between them.
 */
function* tickUnits(s: Services, now: Date, result: TickResult): Units<void> {
  for (const round of s.rounds.dueClose(now)) {
    guarded(s, `closing round ${round.id}`, () => {
      if (closeRound(s, round, now)) result.closed++;
    });
    yield;
  }
  for (const round of s.rounds.dueReminders(now)) {
    guarded(s, `reminding round ${round.id}`, () => {
      remindRound(s, round);
      result.reminded++;
    });
    yield;
  }
  for (const team of s.teams.active()) {
    guarded(s, `opening a round of team ${team.id}`, () => {
      const slot = dueSlot(s, team, now);
      if (slot && openRound(s, team, now, slot).ok) result.opened++;
    });
    yield;
  }
  guarded(s, 'live counts', () => {
    refreshLiveCounts(s, now);
  });
  guarded(s, 'retention', () => {
    result.deleted = applyRetention(s, now).deletedRounds;
  });
  yield;
  // Closed or deleted rounds: empty the WAL, so no copy of the files keeps their rows in it.
  if (result.closed > 0 || result.deleted > 0) scrubNow(s.db, s.log);
  // After closing, so a digest due at the same minute already reads the rounds that just closed.
  result.digests = yield* queueDueDigests(s, now);
}

/** The work until it ends, or until the database closes (shutdown): what is left is due at the next start. */
function* whileOpen(s: Services, work: Units<void>): Units<void> {
  while (s.db.open && !work.next().done) yield;
}

/**
 * Does whatever is due at `now`, and nothing twice: closes rounds past their window, reminds,
 * then opens scheduled rounds. Safe to call every minute, twice, or after a long outage.
 */
export function tick(s: Services, now: Date): TickResult {
  const result = emptyResult();
  runAll(tickUnits(s, now, result));
  return result;
}

/**
 * The same tick, in slices of at most `sliceMs` of work: when a thousand teams' rounds fall due in the
 * same minute, acknowledgements and modal opens still get their turn between them.
 */
export async function tickInSlices(s: Services, now: Date, o: SliceOptions = {}): Promise<TickResult> {
  const result = emptyResult();
  await runInSlices(whileOpen(s, tickUnits(s, now, result)), o);
  return result;
}
