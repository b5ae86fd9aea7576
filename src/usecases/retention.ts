import type { Services } from '../context.ts';

const WEEK = 7 * 24 * 3_600_000;

export interface MaintenanceResult {
  /** Rounds deleted (with their invites and answers) because they closed before the retention period. */
  deletedRounds: number;
}

/**
 * The data lifecycle, run by every tick: rounds closed more than RETENTION_WEEKS ago go, with their
 * invites, answers and any failed delivery that belonged to them (and failed digests that old); ended
 * absences are forgotten.
 */
export function applyRetention(s: Services, now: Date): MaintenanceResult {
  const cutoff = new Date(now.getTime() - s.config.retentionWeeks * WEEK);
  const deleted = s.db.transaction((): number[] => {
    const ids = s.rounds.deleteClosedBefore(cutoff);
    s.outbox.dropFailedOfRounds(ids);
    s.outbox.dropFailedDigestsBefore(cutoff);
    s.leads.pruneSentBefore(cutoff);
    s.teams.pruneAway(now);
    return ids;
  })();
  if (deleted.length > 0) {
    s.log.info(`retention: deleted ${deleted.length} round(s) closed before ${cutoff.toISOString()}`);
  }
  return { deletedRounds: deleted.length };
}
