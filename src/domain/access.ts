/**
 * The one access policy: who may do what to a team. Every command, modal, App Home section, live
 * count and job asks here, so changing a rule is one line in WHO_MAY.
 */

/** What a person is to a team (and to the app). A member has no rights over the team's results. */
export type Role = 'manager' | 'lead' | 'admin';

export type TeamAction =
  /** Add or remove members, set the lead or schedule, edit in the setup modal. */
  | 'edit'
  /** Open or close a round by hand. */
  | 'run_round'
  /** Read the team's report, its trend and flags (also for an archived team). */
  | 'read_report'
  /** See how many answered a round that is still open. */
  | 'see_live_count'
  /** Archive the team or bring it back. */
  | 'archive'
  /** Record what the team will try, list, finish or drop it. */
  | 'act'
  /** Read a note's thread and answer its (unknown) author. */
  | 'answer_notes';

export type AppAction =
  /** `/teamhealth status`: the outbox at a glance. */
  | 'see_deliveries'
  /** Create a team with someone else as its manager (they did not ask to read anyone's results). */
  | 'name_other_manager'
  /** Put a person on a team at once; anyone else's addition waits until the person presses Join. */
  | 'add_without_consent';

const WHO_MAY: Readonly<Record<TeamAction | AppAction, readonly Role[]>> = {
  edit: ['manager', 'lead', 'admin'],
  run_round: ['manager', 'lead', 'admin'],
  read_report: ['manager', 'lead', 'admin'],
  see_live_count: ['manager', 'lead', 'admin'],
  archive: ['manager', 'admin'],
  act: ['manager', 'lead', 'admin'],
  answer_notes: ['manager', 'lead', 'admin'],
  see_deliveries: ['admin'],
  name_other_manager: ['admin'],
  add_without_consent: ['admin'],
};

/** The person asking, as the policy needs to know them. */
export interface Viewer {
  userId: string;
  admin: boolean;
}

/** The part of a team the policy reads. */
export interface TeamRoles {
  managerId: string;
  leadId: string | null;
}

export function rolesOn(team: TeamRoles | null, viewer: Viewer): Role[] {
  const roles: Role[] = [];
  if (team?.managerId === viewer.userId) roles.push('manager');
  if (team?.leadId === viewer.userId) roles.push('lead');
  if (viewer.admin) roles.push('admin');
  return roles;
}

/** May the viewer do this to the team? */
export const may = (action: TeamAction, team: TeamRoles, viewer: Viewer): boolean =>
  rolesOn(team, viewer).some((r) => WHO_MAY[action].includes(r));

/** May the viewer do this app-wide thing? */
export const mayInApp = (action: AppAction, viewer: Viewer): boolean =>
  rolesOn(null, viewer).some((r) => WHO_MAY[action].includes(r));

/** Who may, in words, for a refusal: "the manager of *x*, its lead or an admin" (`team` as it is to be shown). */
export function whoMay(action: TeamAction, team: string): string {
  const allowed = WHO_MAY[action];
  const words = allowed.map((r) =>
    r === 'manager' ? `the manager of ${team}` : r === 'lead' ? 'its lead' : 'an admin',
  );
  return words.length <= 1 ? (words[0] ?? 'nobody') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** Why a team command was refused before anything changed. */
export type Refusal =
  | { kind: 'no_team'; slug: string }
  | { kind: 'not_allowed'; slug: string; action: TeamAction }
  | { kind: 'archived'; slug: string };
