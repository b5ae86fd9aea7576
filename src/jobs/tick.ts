import type { Services } from '../context.ts';
import { errorMessage } from '../log.ts';
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

/**
 * Does whatever is due at `now`, and nothing twice: closes rounds past their window, reminds,
 * then opens scheduled rounds. Safe to call every minute, twice, or after a long outage.
 */
export function tick(s: Services, now: Date): TickResult {
  const result: TickResult = { opened: 0, reminded: 0, closed: 0, digests: 0, deleted: 0 };
  for (const round of s.rounds.dueClose(now)) {
    guarded(s, `closing round ${round.id}`, () => {
      if (closeRound(s, round, now)) result.closed++;
    });
  }
  for (const round of s.rounds.dueReminders(now)) {
    guarded(s, `reminding round ${round.id}`, () => {
      remindRound(s, round);
      result.reminded++;
    });
  }
  for (const team of s.teams.active()) {
    guarded(s, `opening a round of team ${team.id}`, () => {
      const slot = dueSlot(s, team, now);
      if (slot && openRound(s, team, now, slot).ok) result.opened++;
    });
  }
  guarded(s, 'live counts', () => {
    refreshLiveCounts(s, now);
  });
  guarded(s, 'retention', () => {
    result.deleted = applyRetention(s, now).deletedRounds;
  });
  // Closed or deleted rounds: empty the WAL, so no copy of the files keeps their rows in it.
  if (result.closed > 0 || result.deleted > 0) scrubNow(s.db, s.log);
  // After closing, so a digest due at the same minute already reads the rounds that just closed.
  result.digests = queueDueDigests(s, now);
  return result;
}
