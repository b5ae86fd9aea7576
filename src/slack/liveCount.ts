import type { Services } from '../context.ts';
import type { Team } from '../store/teams.ts';

/** Who may see how many answered a round still open: the team's manager, its lead and admins. */
export const seesLiveCount = (s: Services, team: Team, viewer: string): boolean =>
  team.managerId === viewer || team.leadId === viewer || s.config.adminUserIds.has(viewer);

/**
 * The participation line of a team's open round, for its manager, lead or an admin; null for anyone
 * else or when no round is open. Below MIN_RESPONSES it does not give the number, so a count that
 * moves cannot be tied to the one person who just said they answered; from the threshold on it is
 * "N of M answered so far". Never scores: those wait for the round to close.
 */
export function liveCountLine(s: Services, team: Team, viewer: string): string | null {
  if (!seesLiveCount(s, team, viewer)) return null;
  const round = s.rounds.openFor(team.id);
  if (!round) return null;
  const { invited, answered } = s.rounds.counts(round.id);
  const min = s.config.minResponses;
  return answered >= min ? `${answered} of ${invited} answered so far` : `fewer than ${min} answered so far`;
}
