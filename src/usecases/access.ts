import type { Services } from '../context.ts';
import {
  type AppAction,
  may,
  mayInApp,
  type Refusal,
  type TeamAction,
  type Viewer,
} from '../domain/access.ts';
import type { Team } from '../store/teams.ts';

/** The person asking, as the access policy sees them. */
export const viewer = (s: Services, userId: string): Viewer => ({
  userId,
  admin: s.config.adminUserIds.has(userId),
});

export const mayOnTeam = (s: Services, action: TeamAction, team: Team, userId: string): boolean =>
  may(action, team, viewer(s, userId));

export const mayInTheApp = (s: Services, action: AppAction, userId: string): boolean =>
  mayInApp(action, viewer(s, userId));

export type Found = { ok: true; team: Team } | { ok: false; refusal: Refusal };

/**
 * The team named in a command, if the caller may do `action` to it. An archived team is refused
 * unless the action is reading its report (reports stay readable) or archiving itself.
 */
export function teamFor(s: Services, slug: string, userId: string, action: TeamAction): Found {
  const team = s.teams.bySlug(slug);
  if (!team) return { ok: false, refusal: { kind: 'no_team', slug } };
  if (!mayOnTeam(s, action, team, userId)) {
    return { ok: false, refusal: { kind: 'not_allowed', slug: team.slug, action } };
  }
  if (team.archived && action !== 'read_report' && action !== 'archive') {
    return { ok: false, refusal: { kind: 'archived', slug: team.slug } };
  }
  return { ok: true, team };
}
