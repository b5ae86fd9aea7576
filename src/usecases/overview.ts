import type { Services } from '../context.ts';
import type { Digest } from '../domain/digest.ts';
import type { TeamHealth } from '../domain/health.ts';
import { nextSlot } from '../domain/schedule.ts';
import type { LiveCount } from '../messages/report.ts';
import { mayOnTeam } from './access.ts';
import { healthOf, leadDigest } from './digest.ts';
import { liveCount } from './report.ts';
import { scheduleOf } from './teams.ts';

/** Where one of the person's teams stands, as bare `/teamhealth` and App Home show it. */
export interface TeamStanding {
  slug: string;
  timezone: string;
  roles: Array<'manager' | 'lead' | 'member'>;
  /** The open round, if any, with its live count for those who may see it. */
  open: { closesAt: Date; live: LiveCount | null } | null;
  next: Date;
  /** On the Home tab, the latest closed round's health for the team's manager (and admins who do not lead it). */
  health: TeamHealth | null;
}

/** The person's teams and their check-ins: the bare command and the Home tab. */
export function standings(s: Services, userId: string, now: Date, withHealth = false): TeamStanding[] {
  return s.teams.forUser(userId).map((team) => {
    const roles: TeamStanding['roles'] = [];
    if (team.managerId === userId) roles.push('manager');
    if (team.leadId === userId) roles.push('lead');
    if (s.teams.isMember(team.id, userId)) roles.push('member');
    const open = s.rounds.openFor(team.id);
    // A lead reads each team in the digest below; a manager (or an admin acting as one) sees it here.
    const showsHealth =
      withHealth &&
      (team.managerId === userId || (mayOnTeam(s, 'read_report', team, userId) && team.leadId !== userId));
    return {
      slug: team.slug,
      timezone: team.timezone,
      roles,
      open: open ? { closesAt: open.closesAt, live: liveCount(s, team, userId) } : null,
      next: nextSlot(scheduleOf(team), now),
      health: showsHealth ? healthOf(s, team) : null,
    };
  });
}

export interface Home {
  teams: TeamStanding[];
  /** The lead's digest, when the person leads any team. */
  digest: Digest | null;
  minResponses: number;
}

export async function home(s: Services, userId: string, now: Date): Promise<Home> {
  return {
    teams: standings(s, userId, now, true),
    digest: s.teams.ledBy(userId).length > 0 ? await leadDigest(s, userId) : null,
    minResponses: s.config.minResponses,
  };
}
