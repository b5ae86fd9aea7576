import type { Services } from '../context.ts';

export interface Forgotten {
  memberships: number;
  /** Teams the person still manages or leads: roles of the team, not records about the person. */
  stillRuns: string[];
}

/** `/teamhealth forget-me`: the person's memberships, invites, absences and queued deliveries go. */
export function forgetMe(s: Services, userId: string): Forgotten {
  const { memberships } = s.teams.forget(userId);
  const stillRuns = s.teams
    .forUser(userId)
    .filter((t) => t.managerId === userId || t.leadId === userId)
    .map((t) => t.slug);
  return { memberships, stillRuns };
}
