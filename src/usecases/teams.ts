import type { Services } from '../context.ts';
import type { Refusal } from '../domain/access.ts';
import { USER_ID } from '../domain/ids.ts';
import { isValidTimezone, normalizeTimezone, type Schedule, type Weekday } from '../domain/schedule.ts';
import { scrubSoon } from '../store/scrub.ts';
import type { Team } from '../store/teams.ts';
import { mayInTheApp, mayOnTeam, teamFor } from './access.ts';
import { type Admitted, admit, withdrawRequest } from './consent.ts';
import { closeRound } from './rounds.ts';

// Setting a team up from commands: create, members, lead, schedule, list, archive.

export type Refused = { ok: false; refusal: Refusal };

/** What a command needs to ask Slack beyond the database. */
export interface Directory {
  usergroupMembers(groupId: string): Promise<string[]>;
}

export const scheduleOf = (t: Team): Schedule => ({ weekday: t.weekday, time: t.time, timezone: t.timezone });

export type CreateResult =
  | { ok: true; team: Team }
  | { ok: false; exists: { archived: boolean } }
  | { ok: false; namedOtherManager: true };

/** `team create`: the caller manages the new team; only an admin may make someone else its manager. */
export function createTeam(
  s: Services,
  caller: string,
  slug: string,
  managerId: string | null,
  now: Date,
): CreateResult {
  if (managerId !== null && managerId !== caller && !mayInTheApp(s, 'name_other_manager', caller)) {
    return { ok: false, namedOtherManager: true };
  }
  return s.db.transaction((): CreateResult => {
    const existing = s.teams.bySlug(slug);
    if (existing) return { ok: false, exists: { archived: existing.archived } };
    return { ok: true, team: s.teams.create(slug, managerId ?? caller, s.config.defaultTimezone, now) };
  })();
}

export type AddResult =
  | Refused
  | { ok: false; groupUnreadable: true }
  | ({ ok: true; team: Team; retried: string[]; total: number; pendingTotal: number } & Admitted);

/**
 * Adds people (and the members of user groups) to a team: at once when an admin adds them, otherwise
 * as pending until they press Join (see consent.ts). Someone Slack could not reach is tried again.
 */
export async function addMembers(
  s: Services,
  directory: Directory,
  caller: string,
  slug: string,
  userIds: readonly string[],
  groupIds: readonly string[],
): Promise<AddResult> {
  const found = teamFor(s, slug, caller, 'edit');
  if (!found.ok) return found;
  const fromGroups: string[] = [];
  for (const group of groupIds) {
    try {
      fromGroups.push(...(await directory.usergroupMembers(group)));
    } catch {
      return { ok: false, groupUnreadable: true };
    }
  }
  const wanted = [...new Set([...userIds, ...fromGroups])].filter((u) => USER_ID.test(u));
  const team = found.team;
  const result = s.db.transaction((): AddResult => {
    const admitted = admit(s, team, caller, wanted);
    // Adding someone Slack had said cannot be reached means: try them again.
    const retried = wanted.filter((u) => s.teams.clearUnreachable(u));
    const total = s.teams.members(team.id).length;
    return { ok: true, team, ...admitted, retried, total, pendingTotal: s.teams.pending(team.id).length };
  })();
  s.kick();
  return result;
}

export type RemoveResult = Refused | { ok: true; team: Team; removed: string[] };

/** Takes people off a team: members, and people asked to join who have not yet. */
export function removeMembers(
  s: Services,
  caller: string,
  slug: string,
  userIds: readonly string[],
): RemoveResult {
  const found = teamFor(s, slug, caller, 'edit');
  if (!found.ok) return found;
  const team = found.team;
  const removed = s.db.transaction((): string[] => {
    const members = s.teams.removeMembers(team.id, userIds);
    const asked = userIds.filter((u) => withdrawRequest(s, team.id, u));
    return [...members, ...asked];
  })();
  return { ok: true, team, removed };
}

export type LeadResult = Refused | { ok: true; team: Team };

export function setLead(s: Services, caller: string, slug: string, leadId: string): LeadResult {
  const found = teamFor(s, slug, caller, 'edit');
  if (!found.ok) return found;
  s.teams.setLead(found.team.id, leadId);
  return { ok: true, team: found.team };
}

/** The zone a schedule command names (or the current one when it names none); null when it is no zone. */
export function zoneOf(given: string | null, current: string): string | null {
  const zone = given === null ? current : normalizeTimezone(given);
  return zone !== null && isValidTimezone(zone) ? zone : null;
}

export type ScheduleResult =
  | Refused
  | { ok: false; badZone: string }
  | { ok: true; team: Team; schedule: Schedule };

export function setSchedule(
  s: Services,
  caller: string,
  slug: string,
  when: { weekday: Weekday; time: string; timezone: string | null },
  now: Date,
): ScheduleResult {
  const found = teamFor(s, slug, caller, 'edit');
  if (!found.ok) return found;
  const zone = zoneOf(when.timezone, found.team.timezone);
  if (zone === null) return { ok: false, badZone: when.timezone ?? '' };
  s.teams.setSchedule(found.team.id, when.weekday, when.time, zone, now);
  return { ok: true, team: found.team, schedule: { weekday: when.weekday, time: when.time, timezone: zone } };
}

export interface ListedTeam {
  team: Team;
  memberCount: number;
  /** Members Slack says cannot be reached; only for those who may edit the team. */
  unreachable: string[];
  /** People asked to join who have not pressed Join yet; only for those who may edit the team. */
  pending: string[];
}

/** The teams the caller manages, leads or belongs to, and the archived ones they manage or lead. */
export function listTeams(s: Services, caller: string): { active: ListedTeam[]; archived: Team[] } {
  const active = s.teams.forUser(caller).map((team) => {
    const editor = mayOnTeam(s, 'edit', team, caller);
    return {
      team,
      memberCount: s.teams.members(team.id).length,
      unreachable: editor ? s.teams.unreachableIn(team.id).map((u) => u.userId) : [],
      pending: editor ? s.teams.pending(team.id).map((p) => p.userId) : [],
    };
  });
  return { active, archived: s.teams.archivedFor(caller) };
}

export type ArchiveResult =
  | Refused
  | { ok: false; unchanged: true; team: Team }
  | { ok: true; team: Team; closedRound: boolean };

/** Archives a team (closing its open round and sending the summary) or brings it back. */
export function setArchived(
  s: Services,
  caller: string,
  slug: string,
  archived: boolean,
  now: Date,
): ArchiveResult {
  const found = teamFor(s, slug, caller, 'archive');
  if (!found.ok) return found;
  const team = found.team;
  if (team.archived === archived) return { ok: false, unchanged: true, team };
  const closedRound = s.db.transaction((): boolean => {
    s.teams.setArchived(team.id, archived);
    if (!archived) {
      // Check-in times that passed while it was archived do not fire: the schedule starts again now.
      s.teams.setSchedule(team.id, team.weekday, team.time, team.timezone, now);
      return false;
    }
    const open = s.rounds.openFor(team.id);
    return open !== undefined && closeRound(s, open, now);
  })();
  if (closedRound) scrubSoon(s.db, s.log);
  return { ok: true, team, closedRound };
}
