import { randomBytes } from 'node:crypto';
import { type Answers, DIMENSIONS, type Distribution, emptyDistribution } from '../domain/dimensions.ts';
import type { RoundTally } from '../domain/tally.ts';
import type { Db } from './db.ts';

export interface Round {
  id: number;
  teamId: number;
  number: number;
  slot: number | null;
  openedAt: Date;
  remindAt: Date;
  closesAt: Date;
  reminded: boolean;
  closedAt: Date | null;
}

interface RoundRow {
  id: number;
  team_id: number;
  number: number;
  slot: number | null;
  opened_at: number;
  remind_at: number;
  closes_at: number;
  reminded: number;
  closed_at: number | null;
}

const toRound = (r: RoundRow): Round => ({
  id: r.id,
  teamId: r.team_id,
  number: r.number,
  slot: r.slot,
  openedAt: new Date(r.opened_at),
  remindAt: new Date(r.remind_at),
  closesAt: new Date(r.closes_at),
  reminded: r.reminded === 1,
  closedAt: r.closed_at === null ? null : new Date(r.closed_at),
});

export interface Invite {
  roundId: number;
  userId: string;
  answered: boolean;
  dmChannel: string | null;
  dmTs: string | null;
}

interface InviteRow {
  round_id: number;
  user_id: string;
  answered: number;
  dm_channel: string | null;
  dm_ts: string | null;
}

const toInvite = (r: InviteRow): Invite => ({
  roundId: r.round_id,
  userId: r.user_id,
  answered: r.answered === 1,
  dmChannel: r.dm_channel,
  dmTs: r.dm_ts,
});

type ScoreRow = Record<(typeof DIMENSIONS)[number], number>;

/** id, number, opened_at, closed_at, invited, scores packed one digit per dimension per response (or null). */
type ClosedTuple = [number, number, number, number | null, number, string | null];
// better-sqlite3 types a raw statement's rows as objects; the tuple above is what it returns.
type ClosedRow = Record<string, unknown>;

export type RoundStore = ReturnType<typeof roundStore>;

export function roundStore(db: Db) {
  const byId = db.prepare<[number], RoundRow>('SELECT * FROM rounds WHERE id = ?');
  const openFor = db.prepare<[number], RoundRow>(
    'SELECT * FROM rounds WHERE team_id = ? AND closed_at IS NULL',
  );
  const bySlot = db.prepare<[number, number], RoundRow>(
    'SELECT * FROM rounds WHERE team_id = ? AND slot = ?',
  );
  const latest = db.prepare<[number], RoundRow>(
    'SELECT * FROM rounds WHERE team_id = ? ORDER BY number DESC LIMIT 1',
  );
  const nextNumber = db.prepare<[number], { n: number }>(
    'SELECT coalesce(max(number), 0) + 1 AS n FROM rounds WHERE team_id = ?',
  );
  const insert = db.prepare<[number, number, number | null, number, number, number], { id: number }>(
    `INSERT INTO rounds (team_id, number, slot, opened_at, remind_at, closes_at)
     VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const dueReminders = db.prepare<[number], RoundRow>(
    'SELECT * FROM rounds WHERE closed_at IS NULL AND reminded = 0 AND remind_at <= ? ORDER BY id',
  );
  const dueClose = db.prepare<[number], RoundRow>(
    'SELECT * FROM rounds WHERE closed_at IS NULL AND closes_at <= ? ORDER BY id',
  );
  const markReminded = db.prepare<[number]>('UPDATE rounds SET reminded = 1 WHERE id = ? AND reminded = 0');
  const markClosed = db.prepare<[number, number]>(
    'UPDATE rounds SET closed_at = ? WHERE id = ? AND closed_at IS NULL',
  );
  const insertInvite = db.prepare<[number, string]>(
    'INSERT OR IGNORE INTO invites (round_id, user_id) VALUES (?, ?)',
  );
  const invite = db.prepare<[number, string], InviteRow>(
    'SELECT * FROM invites WHERE round_id = ? AND user_id = ?',
  );
  const invites = db.prepare<[number], InviteRow>(
    'SELECT * FROM invites WHERE round_id = ? ORDER BY user_id',
  );
  const setDm = db.prepare<[string, string, number, string]>(
    'UPDATE invites SET dm_channel = ?, dm_ts = ? WHERE round_id = ? AND user_id = ?',
  );
  const markAnswered = db.prepare<[number, string]>(
    'UPDATE invites SET answered = 1 WHERE round_id = ? AND user_id = ? AND answered = 0',
  );
  const counts = db.prepare<[number], { invited: number; answered: number }>(
    'SELECT count(*) AS invited, coalesce(sum(answered), 0) AS answered FROM invites WHERE round_id = ?',
  );
  const insertResponse = db.prepare<[number, Buffer, number, number, number, number, string | null]>(
    `INSERT INTO responses (round_id, id, energy, boundaries, ownership, recognition, note)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const scores = db.prepare<[number], ScoreRow>(
    'SELECT energy, boundaries, ownership, recognition FROM responses WHERE round_id = ?',
  );
  const deleteUnanswered = db.prepare<[number, string]>(
    'DELETE FROM invites WHERE round_id = ? AND user_id = ? AND answered = 0',
  );
  const openInvitesOf = db.prepare<[string], InviteRow>(
    `SELECT i.* FROM invites i JOIN rounds r ON r.id = i.round_id
     WHERE i.user_id = ? AND i.answered = 0 AND r.closed_at IS NULL ORDER BY i.round_id`,
  );
  const closedBefore = db.prepare<[number], { id: number }>(
    'SELECT id FROM rounds WHERE closed_at IS NOT NULL AND closed_at < ? ORDER BY id',
  );
  const deleteRound = db.prepare<[number]>('DELETE FROM rounds WHERE id = ?');
  const notes = db.prepare<[number], { note: string }>(
    'SELECT note FROM responses WHERE round_id = ? AND note IS NOT NULL',
  );
  // A team's history in one query: each closed round with its invite count and its answers packed as
  // one digit per dimension (scores are 1..5), so a lead's digest of 200 teams runs 200 queries, not 6,600.
  const closedHistory = db
    .prepare<[number, number], ClosedRow>(
      `SELECT r.id, r.number, r.opened_at, r.closed_at,
         (SELECT count(*) FROM invites i WHERE i.round_id = r.id),
         (SELECT group_concat(${DIMENSIONS.map((d) => `p.${d}`).join(' || ')}, '')
            FROM responses p WHERE p.round_id = r.id)
       FROM rounds r WHERE r.team_id = ? AND r.closed_at IS NOT NULL ORDER BY r.number DESC LIMIT ?`,
    )
    .raw();

  const emptyDistributions = () =>
    Object.fromEntries(DIMENSIONS.map((d) => [d, emptyDistribution()])) as Record<
      (typeof DIMENSIONS)[number],
      Distribution
    >;

  const tallyOfPacked = (row: ClosedRow): RoundTally => {
    const [id, number, openedAt, closedAt, invited, packed] = row as unknown as ClosedTuple;
    const distributions = emptyDistributions();
    const scores = packed ?? '';
    for (let i = 0; i < scores.length; i++) {
      const dist = distributions[DIMENSIONS[i % DIMENSIONS.length] as (typeof DIMENSIONS)[number]];
      const score = scores.charCodeAt(i) - 49; // '1' → index 0
      dist[score] = (dist[score] ?? 0) + 1;
    }
    return {
      roundId: id,
      number,
      openedAt: new Date(openedAt),
      closedAt: closedAt === null ? null : new Date(closedAt),
      invited,
      responded: scores.length / DIMENSIONS.length,
      distributions,
    };
  };

  const tallyOf = (r: RoundRow): RoundTally => {
    const distributions = emptyDistributions();
    let responded = 0;
    for (const row of scores.iterate(r.id)) {
      responded++;
      for (const d of DIMENSIONS) {
        const dist = distributions[d];
        const i = row[d] - 1;
        dist[i] = (dist[i] ?? 0) + 1;
      }
    }
    const c = counts.get(r.id) as { invited: number };
    return {
      roundId: r.id,
      number: r.number,
      openedAt: new Date(r.opened_at),
      closedAt: r.closed_at === null ? null : new Date(r.closed_at),
      invited: c.invited,
      responded,
      distributions,
    };
  };

  return {
    byId: (id: number): Round | undefined => {
      const r = byId.get(id);
      return r && toRound(r);
    },
    openFor: (teamId: number): Round | undefined => {
      const r = openFor.get(teamId);
      return r && toRound(r);
    },
    latest: (teamId: number): Round | undefined => {
      const r = latest.get(teamId);
      return r && toRound(r);
    },
    bySlot: (teamId: number, slot: number): Round | undefined => {
      const r = bySlot.get(teamId, slot);
      return r && toRound(r);
    },
    /** Inserts an open round with its invites; call inside the caller's transaction. */
    insert: (
      teamId: number,
      slot: number | null,
      openedAt: Date,
      remindAt: Date,
      closesAt: Date,
      invitees: readonly string[],
    ): Round => {
      const { n } = nextNumber.get(teamId) as { n: number };
      const { id } = insert.get(
        teamId,
        n,
        slot,
        openedAt.getTime(),
        remindAt.getTime(),
        closesAt.getTime(),
      ) as { id: number };
      for (const u of invitees) insertInvite.run(id, u);
      return toRound(byId.get(id) as RoundRow);
    },
    dueReminders: (now: Date): Round[] => dueReminders.all(now.getTime()).map(toRound),
    dueClose: (now: Date): Round[] => dueClose.all(now.getTime()).map(toRound),
    /** True when this call is the one that marked it (so its effects are enqueued once). */
    markReminded: (roundId: number): boolean => markReminded.run(roundId).changes === 1,
    markClosed: (roundId: number, now: Date): boolean => markClosed.run(now.getTime(), roundId).changes === 1,
    invite: (roundId: number, userId: string): Invite | undefined => {
      const r = invite.get(roundId, userId);
      return r && toInvite(r);
    },
    invites: (roundId: number): Invite[] => invites.all(roundId).map(toInvite),
    counts: (roundId: number): { invited: number; answered: number } =>
      counts.get(roundId) as { invited: number; answered: number },
    setDm: (roundId: number, userId: string, channel: string, ts: string): void => {
      setDm.run(channel, ts, roundId, userId);
    },
    /**
     * Stores one anonymous response and marks the invite answered, in one transaction.
     * Returns false (and stores nothing) when the invite was already answered.
     */
    recordResponse: db.transaction(
      (roundId: number, userId: string, answers: Answers, note: string | null): boolean => {
        if (markAnswered.run(roundId, userId).changes !== 1) return false;
        insertResponse.run(
          roundId,
          randomBytes(16),
          answers.energy,
          answers.boundaries,
          answers.ownership,
          answers.recognition,
          note,
        );
        return true;
      },
    ),
    /** The team's closed rounds, oldest first, at most `limit` of the latest. */
    closedTallies: (teamId: number, limit: number): RoundTally[] =>
      closedHistory.all(teamId, limit).reverse().map(tallyOfPacked),
    tally: (roundId: number): RoundTally | undefined => {
      const r = byId.get(roundId);
      return r && tallyOf(r);
    },
    notes: (roundId: number): string[] => notes.all(roundId).map((r) => r.note),
    /**
     * Takes an unanswered invite back (the person is away or unreachable): they count as not invited.
     * Returns the invite as it was, or undefined when there was none to take back (answered or absent).
     */
    removeUnanswered: (roundId: number, userId: string): Invite | undefined => {
      const r = invite.get(roundId, userId);
      if (!r || r.answered === 1) return undefined;
      deleteUnanswered.run(roundId, userId);
      return toInvite(r);
    },
    /** The person's unanswered invites in rounds still open. */
    openInvitesOf: (userId: string): Invite[] => openInvitesOf.all(userId).map(toInvite),
    /**
     * Deletes rounds closed before `cutoff`, with their invites and responses (cascade), in one
     * transaction. Returns the ids of the rounds deleted.
     */
    deleteClosedBefore: db.transaction((cutoff: Date): number[] => {
      const ids = closedBefore.all(cutoff.getTime()).map((r) => r.id);
      for (const id of ids) deleteRound.run(id);
      return ids;
    }),
  };
}
