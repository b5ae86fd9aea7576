import type { Services } from '../context.ts';
import { scrubNow } from '../store/scrub.ts';

export interface Forgotten {
  memberships: number;
  /** Teams the person still manages or leads: roles of the team, not records about the person. */
  stillRuns: string[];
}

/** `/teamhealth forget-me`: the person's memberships, invites, absences and queued deliveries go. */
export function forgetMe(s: Services, userId: string): Forgotten {
  const { memberships } = s.teams.forget(userId);
  // Their queued "recorded" DMs are gone, so the reply secrets those would have carried go too.
  s.replySecrets.forgetPerson(userId);
  // The deleted rows are overwritten in the file; the WAL keeps them until this checkpoint.
  scrubNow(s.db, s.log);
  const stillRuns = s.teams
    .forUser(userId)
    .filter((t) => t.managerId === userId || t.leadId === userId)
    .map((t) => t.slug);
  return { memberships, stillRuns };
}
