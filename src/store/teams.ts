import { randomBytes } from 'node:crypto';
import { FORGOTTEN_WITH_A_PERSON, personalKeyPattern } from '../domain/delivery.ts';
import type { Weekday } from '../domain/schedule.ts';
import type { Db } from './db.ts';

export interface Team {
  id: number;
  slug: string;
  managerId: string;
  leadId: string | null;
  weekday: Weekday;
  time: string;
  timezone: string;
  scheduleSince: number;
  archived: boolean;
}

interface TeamRow {
  id: number;
  slug: string;
  manager_id: string;
  lead_id: string | null;
  weekday: string;
  time: string;
  timezone: string;
  schedule_since: number;
  archived: number;
}

const toTeam = (r: TeamRow): Team => ({
  id: r.id,
  slug: r.slug,
  managerId: r.manager_id,
  leadId: r.lead_id,
  weekday: r.weekday as Weekday,
  time: r.time,
  timezone: r.timezone,
  scheduleSince: r.schedule_since,
  archived: r.archived === 1,
});

export type TeamStore = ReturnType<typeof teamStore>;

export function teamStore(db: Db) {
  const bySlug = db.prepare<[string], TeamRow>('SELECT * FROM teams WHERE slug = ?');
  const byId = db.prepare<[number], TeamRow>('SELECT * FROM teams WHERE id = ?');
  const insert = db.prepare<[string, string, string, number], { id: number }>(
    'INSERT INTO teams (slug, manager_id, timezone, schedule_since) VALUES (?, ?, ?, ?) RETURNING id',
  );
  const active = db.prepare<[], TeamRow>('SELECT * FROM teams WHERE archived = 0 ORDER BY slug');
  const forUser = db.prepare<[string, string, string], TeamRow>(
    `SELECT * FROM teams WHERE archived = 0 AND (manager_id = ? OR lead_id = ?
       OR id IN (SELECT team_id FROM members WHERE user_id = ?)) ORDER BY slug`,
  );
  const ledBy = db.prepare<[string], TeamRow>(
    'SELECT * FROM teams WHERE archived = 0 AND lead_id = ? ORDER BY slug',
  );
  const leads = db.prepare<[], { lead_id: string }>(
    'SELECT DISTINCT lead_id FROM teams WHERE archived = 0 AND lead_id IS NOT NULL ORDER BY lead_id',
  );
  const addMember = db.prepare<[number, string]>(
    'INSERT OR IGNORE INTO members (team_id, user_id) VALUES (?, ?)',
  );
  const removeMember = db.prepare<[number, string]>('DELETE FROM members WHERE team_id = ? AND user_id = ?');
  const memberList = db.prepare<[number], { user_id: string }>(
    'SELECT user_id FROM members WHERE team_id = ? ORDER BY user_id',
  );
  const member = db.prepare<[number, string], { one: number }>(
    'SELECT 1 AS one FROM members WHERE team_id = ? AND user_id = ?',
  );
  const setLead = db.prepare<[string | null, number]>('UPDATE teams SET lead_id = ? WHERE id = ?');
  const setManager = db.prepare<[string, number]>('UPDATE teams SET manager_id = ? WHERE id = ?');
  const setSchedule = db.prepare<[string, string, string, number, number]>(
    'UPDATE teams SET weekday = ?, time = ?, timezone = ?, schedule_since = ? WHERE id = ?',
  );
  const addPending = db.prepare<[number, string, string]>(
    'INSERT OR IGNORE INTO pending_members (team_id, user_id, added_by) VALUES (?, ?, ?)',
  );
  const removePending = db.prepare<[number, string]>(
    'DELETE FROM pending_members WHERE team_id = ? AND user_id = ?',
  );
  const pendingList = db.prepare<[number], { user_id: string; added_by: string }>(
    'SELECT user_id, added_by FROM pending_members WHERE team_id = ? ORDER BY user_id',
  );
  const pendingOne = db.prepare<[number, string], { added_by: string }>(
    'SELECT added_by FROM pending_members WHERE team_id = ? AND user_id = ?',
  );
  const forgetMemberships = db.prepare<[string]>('DELETE FROM members WHERE user_id = ?');
  const forgetPending = db.prepare<[string]>('DELETE FROM pending_members WHERE user_id = ?');
  const dropOpenInvites = db.prepare<[string]>(
    `DELETE FROM invites WHERE user_id = ? AND answered = 0
       AND round_id IN (SELECT id FROM rounds WHERE closed_at IS NULL)`,
  );
  // Deliveries still queued for the user as a member (check-ins, reminders, notices).
  const dropQueued = db.prepare<[string]>("DELETE FROM outbox WHERE status != 'sending' AND key LIKE ?");
  const anonymizeInvite = db.prepare<[string, string, number]>(
    'UPDATE invites SET user_id = ?, dm_channel = NULL, dm_ts = NULL WHERE user_id = ? AND round_id = ?',
  );
  const userInvites = db.prepare<[string], { round_id: number }>(
    'SELECT round_id FROM invites WHERE user_id = ?',
  );
  const setArchived = db.prepare<[number, number]>('UPDATE teams SET archived = ? WHERE id = ?');
  const archivedFor = db.prepare<[string, string], TeamRow>(
    'SELECT * FROM teams WHERE archived = 1 AND (manager_id = ? OR lead_id = ?) ORDER BY slug',
  );
  const inviteesOf = db.prepare<[number, number], { user_id: string }>(
    `SELECT user_id FROM members WHERE team_id = ?
       AND user_id NOT IN (SELECT user_id FROM unreachable_users)
       AND user_id NOT IN (SELECT user_id FROM away WHERE until > ?)
     ORDER BY user_id`,
  );
  const markUnreachable = db.prepare<[string, string]>(
    'INSERT INTO unreachable_users (user_id, reason) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET reason = excluded.reason',
  );
  const clearUnreachable = db.prepare<[string]>('DELETE FROM unreachable_users WHERE user_id = ?');
  const unreachableReason = db.prepare<[string], { reason: string }>(
    'SELECT reason FROM unreachable_users WHERE user_id = ?',
  );
  const unreachableCount = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM unreachable_users');
  const unreachableIn = db.prepare<[number], { user_id: string; reason: string }>(
    `SELECT u.user_id, u.reason FROM unreachable_users u JOIN members m ON m.user_id = u.user_id
     WHERE m.team_id = ? ORDER BY u.user_id`,
  );
  const setAway = db.prepare<[string, number]>(
    'INSERT INTO away (user_id, until) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET until = excluded.until',
  );
  const awayUntil = db.prepare<[string, number], { until: number }>(
    'SELECT until FROM away WHERE user_id = ? AND until > ?',
  );
  const clearAway = db.prepare<[string]>('DELETE FROM away WHERE user_id = ?');
  const pruneAway = db.prepare<[number]>('DELETE FROM away WHERE until <= ?');

  return {
    bySlug: (slug: string): Team | undefined => {
      const r = bySlug.get(slug);
      return r && toTeam(r);
    },
    byId: (id: number): Team | undefined => {
      const r = byId.get(id);
      return r && toTeam(r);
    },
    create: (slug: string, managerId: string, timezone: string, now: Date): Team => {
      const { id } = insert.get(slug, managerId, timezone, now.getTime()) as { id: number };
      return toTeam(byId.get(id) as TeamRow);
    },
    active: (): Team[] => active.all().map(toTeam),
    forUser: (userId: string): Team[] => forUser.all(userId, userId, userId).map(toTeam),
    ledBy: (leadId: string): Team[] => ledBy.all(leadId).map(toTeam),
    leads: (): string[] => leads.all().map((r) => r.lead_id),
    members: (teamId: number): string[] => memberList.all(teamId).map((r) => r.user_id),
    isMember: (teamId: number, userId: string): boolean => member.get(teamId, userId) !== undefined,
    /** Adds members in one transaction; returns those who were not members yet. */
    addMembers: db.transaction((teamId: number, userIds: readonly string[]): string[] =>
      userIds.filter((u) => addMember.run(teamId, u).changes > 0),
    ),
    /** Removes members in one transaction; returns those who were members. */
    removeMembers: db.transaction((teamId: number, userIds: readonly string[]): string[] =>
      userIds.filter((u) => removeMember.run(teamId, u).changes > 0),
    ),
    /** Records that `addedBy` asked the person to join; false when they had been asked already. */
    addPending: (teamId: number, userId: string, addedBy: string): boolean =>
      addPending.run(teamId, userId, addedBy).changes > 0,
    /** True when the person had been asked to join (and no longer is). */
    removePending: (teamId: number, userId: string): boolean => removePending.run(teamId, userId).changes > 0,
    /** People asked to join who have not pressed Join yet, and who asked them. */
    pending: (teamId: number): Array<{ userId: string; addedBy: string }> =>
      pendingList.all(teamId).map((r) => ({ userId: r.user_id, addedBy: r.added_by })),
    /** Who asked the person to join the team, if they are still asked. */
    pendingAddedBy: (teamId: number, userId: string): string | undefined =>
      pendingOne.get(teamId, userId)?.added_by,
    setLead: (teamId: number, leadId: string | null): void => {
      setLead.run(leadId, teamId);
    },
    setManager: (teamId: number, managerId: string): void => {
      setManager.run(managerId, teamId);
    },
    setSchedule: (teamId: number, weekday: Weekday, time: string, timezone: string, now: Date): void => {
      setSchedule.run(weekday, time, timezone, now.getTime(), teamId);
    },
    /**
     * forget-me: drops the user's memberships (and requests to join), pending deliveries, and the invites
     * of open rounds they have not answered; past invites keep only an unlinkable placeholder so
     * participation stays correct.
     */
    forget: db.transaction((userId: string): { memberships: number } => {
      const memberships = forgetMemberships.run(userId).changes + forgetPending.run(userId).changes;
      dropOpenInvites.run(userId);
      for (const kind of FORGOTTEN_WITH_A_PERSON) dropQueued.run(personalKeyPattern(kind, userId));
      // Their absence and whether Slack could reach them are personal records too.
      clearAway.run(userId);
      clearUnreachable.run(userId);
      // A fresh placeholder per invite, so the forgotten rounds cannot even be tied to each other.
      for (const { round_id } of userInvites.all(userId)) {
        anonymizeInvite.run(`gone-${randomBytes(8).toString('hex')}`, userId, round_id);
      }
      return { memberships };
    }),
    setArchived: (teamId: number, archived: boolean): void => {
      setArchived.run(archived ? 1 : 0, teamId);
    },
    /** Archived teams the user manages or leads (their reports stay readable). */
    archivedFor: (userId: string): Team[] => archivedFor.all(userId, userId).map(toTeam),
    /** The members a round opening at `now` invites: not unreachable, not away. */
    invitees: (teamId: number, now: Date): string[] =>
      inviteesOf.all(teamId, now.getTime()).map((r) => r.user_id),
    /** Slack said this person can never be reached (deactivated, deleted): skipped when rounds open. */
    markUnreachable: (userId: string, reason: string): void => {
      markUnreachable.run(userId, reason);
    },
    /** True when the person had been marked unreachable (and no longer is). */
    clearUnreachable: (userId: string): boolean => clearUnreachable.run(userId).changes > 0,
    unreachableReason: (userId: string): string | undefined => unreachableReason.get(userId)?.reason,
    unreachableCount: (): number => unreachableCount.get()?.n ?? 0,
    unreachableIn: (teamId: number): Array<{ userId: string; reason: string }> =>
      unreachableIn.all(teamId).map((r) => ({ userId: r.user_id, reason: r.reason })),
    setAway: (userId: string, until: Date): void => {
      setAway.run(userId, until.getTime());
    },
    /** When the person's time away ends, if they are away at `now`. */
    awayUntil: (userId: string, now: Date): Date | null => {
      const r = awayUntil.get(userId, now.getTime());
      return r ? new Date(r.until) : null;
    },
    /** True when the person had been marked away. */
    clearAway: (userId: string): boolean => clearAway.run(userId).changes > 0,
    /** Forgets absences that have ended. */
    pruneAway: (now: Date): number => pruneAway.run(now.getTime()).changes,
  };
}
