import { randomBytes, randomInt } from 'node:crypto';
import { meetsThreshold } from '../domain/anonymity.ts';
import {
  type Answers,
  DIMENSIONS,
  type Dimension,
  type Distribution,
  emptyDistribution,
} from '../domain/dimensions.ts';
import type { RoundTally } from '../domain/tally.ts';
import type { Db } from './db.ts';
import { type Answer, fillerSlot, openSlot, readOpenSlot, sealAnswer, unsealAnswer } from './sealing.ts';

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
  /** The anonymity threshold the round opened with; later settings never change it. */
  minResponses: number;
  /** What the database knows of the round key (null: a round whose answers are stored open). */
  keyCheck: Buffer | null;
  /** True once its answers are open: it reached its threshold (or never had a key). */
  answersOpen: boolean;
  /** How many had answered at the last hourly count (what managers may see while it is open). */
  liveAnswered: number;
  liveAt: Date;
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
  min_responses: number;
  key_check: Buffer | null;
  answers_open: number;
  live_answered: number;
  live_at: number;
  tally: string | null;
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
  minResponses: r.min_responses,
  keyCheck: r.key_check,
  answersOpen: r.answers_open === 1,
  liveAnswered: r.live_answered,
  liveAt: new Date(r.live_at),
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

/** A closed, shown round's distributions, as stored: four arrays of five counts. */
type Distributions = Record<Dimension, Distribution>;

const emptyDistributions = (): Distributions =>
  Object.fromEntries(DIMENSIONS.map((d) => [d, emptyDistribution()])) as Distributions;

function tallyAnswers(answers: readonly Answer[]): Distributions {
  const distributions = emptyDistributions();
  for (const { answers: a } of answers) {
    for (const d of DIMENSIONS) {
      const dist = distributions[d];
      dist[a[d] - 1] = (dist[a[d] - 1] ?? 0) + 1;
    }
  }
  return distributions;
}

const packTally = (d: Distributions): string => JSON.stringify(DIMENSIONS.map((dim) => d[dim]));
const unpackTally = (text: string): Distributions => {
  const counts = JSON.parse(text) as Distribution[];
  return Object.fromEntries(DIMENSIONS.map((d, i) => [d, counts[i] ?? emptyDistribution()])) as Distributions;
};

interface ClosedRow extends RoundRow {
  invited: number;
  answered: number;
}

/** A random row id for an answer slot, so the table's order says nothing either. */
const slotId = (): number => randomInt(1, 2 ** 47);

export interface OpenRoundOptions {
  minResponses: number;
  /** Null: the round's answers are stored open (no key travels with its check-ins). */
  keyCheck: Buffer | null;
}

export type RoundStore = ReturnType<typeof roundStore>;

export function roundStore(db: Db) {
  const byId = db.prepare<[number], RoundRow>('SELECT * FROM rounds WHERE id = ?');
  const openFor = db.prepare<[number], RoundRow>(
    'SELECT * FROM rounds WHERE team_id = ? AND closed_at IS NULL',
  );
  const allOpen = db.prepare<[], RoundRow>('SELECT * FROM rounds WHERE closed_at IS NULL ORDER BY id');
  const bySlot = db.prepare<[number, number], RoundRow>(
    'SELECT * FROM rounds WHERE team_id = ? AND slot = ?',
  );
  const latest = db.prepare<[number], RoundRow>(
    'SELECT * FROM rounds WHERE team_id = ? ORDER BY number DESC LIMIT 1',
  );
  const nextNumber = db.prepare<[number], { n: number }>(
    'SELECT coalesce(max(number), 0) + 1 AS n FROM rounds WHERE team_id = ?',
  );
  const insert = db.prepare<
    [number, number, number | null, number, number, number, number, Buffer | null, number, number],
    { id: number }
  >(
    `INSERT INTO rounds (team_id, number, slot, opened_at, remind_at, closes_at, min_responses, key_check,
       answers_open, live_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const dueReminders = db.prepare<[number], RoundRow>(
    'SELECT * FROM rounds WHERE closed_at IS NULL AND reminded = 0 AND remind_at <= ? ORDER BY id',
  );
  const dueClose = db.prepare<[number], RoundRow>(
    'SELECT * FROM rounds WHERE closed_at IS NULL AND closes_at <= ? ORDER BY id',
  );
  const markReminded = db.prepare<[number]>('UPDATE rounds SET reminded = 1 WHERE id = ? AND reminded = 0');
  const markClosed = db.prepare<[number, string | null, number]>(
    'UPDATE rounds SET closed_at = ?, tally = ? WHERE id = ? AND closed_at IS NULL',
  );
  const setKeyCheck = db.prepare<[Buffer, number]>('UPDATE rounds SET key_check = ? WHERE id = ?');
  const markAnswersOpen = db.prepare<[number]>('UPDATE rounds SET answers_open = 1 WHERE id = ?');
  const setLive = db.prepare<[number, number, number]>(
    'UPDATE rounds SET live_answered = ?, live_at = ? WHERE id = ?',
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
  const delivered = db.prepare<[number], { n: number }>(
    'SELECT count(*) AS n FROM invites WHERE round_id = ? AND dm_ts IS NOT NULL',
  );
  const insertSlot = db.prepare<[number, number, Buffer]>(
    'INSERT INTO answer_slots (id, round_id, body) VALUES (?, ?, ?)',
  );
  const freeSlot = db.prepare<[number], { id: number }>(
    'SELECT id FROM answer_slots WHERE round_id = ? AND used = 0 ORDER BY random() LIMIT 1',
  );
  const usedSlots = db.prepare<[number], { id: number; body: Buffer }>(
    'SELECT id, body FROM answer_slots WHERE round_id = ? AND used = 1',
  );
  const fillSlot = db.prepare<[Buffer, number]>('UPDATE answer_slots SET used = 1, body = ? WHERE id = ?');
  const rewriteSlot = db.prepare<[Buffer, number]>('UPDATE answer_slots SET body = ? WHERE id = ?');
  const dropSlots = db.prepare<[number]>('DELETE FROM answer_slots WHERE round_id = ?');
  const insertNote = db.prepare<[number, Buffer, string, Buffer | null]>(
    'INSERT INTO notes (round_id, id, note, reply_check) VALUES (?, ?, ?, ?)',
  );
  const answeredBy = db.prepare<[number], { user_id: string }>(
    'SELECT user_id FROM invites WHERE round_id = ? AND answered = 1 ORDER BY user_id',
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
  // A team's history in one query: each closed round with its counts and its stored distributions,
  // so a lead's digest of 200 teams runs 200 queries.
  const closedHistory = db.prepare<[number, number], ClosedRow>(
    `SELECT r.*,
       (SELECT count(*) FROM invites i WHERE i.round_id = r.id) AS invited,
       (SELECT coalesce(sum(answered), 0) FROM invites i WHERE i.round_id = r.id) AS answered
     FROM rounds r WHERE r.team_id = ? AND r.closed_at IS NOT NULL ORDER BY r.number DESC LIMIT ?`,
  );
  const closedOne = db.prepare<[number], ClosedRow>(
    `SELECT r.*,
       (SELECT count(*) FROM invites i WHERE i.round_id = r.id) AS invited,
       (SELECT coalesce(sum(answered), 0) FROM invites i WHERE i.round_id = r.id) AS answered
     FROM rounds r WHERE r.id = ? AND r.closed_at IS NOT NULL`,
  );

  const tallyOf = (r: ClosedRow): RoundTally => ({
    roundId: r.id,
    number: r.number,
    openedAt: new Date(r.opened_at),
    closedAt: r.closed_at === null ? null : new Date(r.closed_at),
    invited: r.invited,
    responded: r.answered,
    minResponses: r.min_responses,
    shown: r.tally !== null,
    distributions: r.tally === null ? emptyDistributions() : unpackTally(r.tally),
  });

  /** The answers in the round's used slots that can be read: open ones, or sealed ones under `key`. */
  const readAnswers = (roundId: number, key: Buffer | null): Array<{ id: number; answer: Answer }> =>
    usedSlots.all(roundId).flatMap(({ id, body }) => {
      const answer = readOpenSlot(body) ?? (key ? unsealAnswer(body, key) : null);
      return answer ? [{ id, answer }] : [];
    });

  return {
    byId: (id: number): Round | undefined => {
      const r = byId.get(id);
      return r && toRound(r);
    },
    openFor: (teamId: number): Round | undefined => {
      const r = openFor.get(teamId);
      return r && toRound(r);
    },
    allOpen: (): Round[] => allOpen.all().map(toRound),
    latest: (teamId: number): Round | undefined => {
      const r = latest.get(teamId);
      return r && toRound(r);
    },
    bySlot: (teamId: number, slot: number): Round | undefined => {
      const r = bySlot.get(teamId, slot);
      return r && toRound(r);
    },
    /**
     * Inserts an open round with its invites and one answer slot per invitee, filled with random bytes
     * in random order; call inside the caller's transaction.
     */
    insert: (
      teamId: number,
      slot: number | null,
      openedAt: Date,
      remindAt: Date,
      closesAt: Date,
      invitees: readonly string[],
      options: OpenRoundOptions,
    ): Round => {
      const { n } = nextNumber.get(teamId) as { n: number };
      const { id } = insert.get(
        teamId,
        n,
        slot,
        openedAt.getTime(),
        remindAt.getTime(),
        closesAt.getTime(),
        options.minResponses,
        options.keyCheck,
        options.keyCheck === null ? 1 : 0,
        openedAt.getTime(),
      ) as { id: number };
      for (const u of invitees) insertInvite.run(id, u);
      // Inserted in key order, so the file lays the slots out by their random keys from the start.
      const ids = new Set<number>();
      while (ids.size < invitees.length) ids.add(slotId());
      for (const slotKey of [...ids].sort((a, b) => a - b)) insertSlot.run(slotKey, id, fillerSlot());
      return toRound(byId.get(id) as RoundRow);
    },
    dueReminders: (now: Date): Round[] => dueReminders.all(now.getTime()).map(toRound),
    dueClose: (now: Date): Round[] => dueClose.all(now.getTime()).map(toRound),
    /** True when this call is the one that marked it (so its effects are enqueued once). */
    markReminded: (roundId: number): boolean => markReminded.run(roundId).changes === 1,
    /**
     * Closes the round. A round that reached its threshold keeps its distributions and its notes (in
     * random order); any other keeps only its participation counts. Either way its answer slots go.
     * True when this call is the one that closed it.
     */
    markClosed: db.transaction((roundId: number, now: Date): boolean => {
      const r = byId.get(roundId);
      if (!r || r.closed_at !== null) return false;
      const { answered } = counts.get(roundId) as { answered: number };
      const shown = r.answers_open === 1 && meetsThreshold(answered, r.min_responses);
      const answers = shown ? readAnswers(roundId, null).map((a) => a.answer) : [];
      if (
        markClosed.run(now.getTime(), shown ? packTally(tallyAnswers(answers)) : null, roundId).changes !== 1
      )
        return false;
      // Under random keys, inserted in key order: the file lays the notes out in an order that says nothing.
      const notes = answers.flatMap(({ note, replyCheck }) =>
        note === null ? [] : [{ key: randomBytes(16), note, replyCheck }],
      );
      for (const n of notes.sort((a, b) => Buffer.compare(a.key, b.key)))
        insertNote.run(roundId, n.key, n.note, n.replyCheck);
      dropSlots.run(roundId);
      return true;
    }),
    invite: (roundId: number, userId: string): Invite | undefined => {
      const r = invite.get(roundId, userId);
      return r && toInvite(r);
    },
    invites: (roundId: number): Invite[] => invites.all(roundId).map(toInvite),
    counts: (roundId: number): { invited: number; answered: number } =>
      counts.get(roundId) as { invited: number; answered: number },
    /** How many of the round's check-in DMs Slack has accepted. */
    deliveredCount: (roundId: number): number => delivered.get(roundId)?.n ?? 0,
    setDm: (roundId: number, userId: string, channel: string, ts: string): void => {
      setDm.run(channel, ts, roundId, userId);
    },
    /** A new round key, for a round none of whose check-ins reached anyone (see usecases/roundKey). */
    setKeyCheck: (roundId: number, check: Buffer): void => {
      setKeyCheck.run(check, roundId);
    },
    /** The hourly count managers see while the round is open. */
    setLiveCount: (roundId: number, answered: number, at: Date): void => {
      setLive.run(answered, at.getTime(), roundId);
    },
    /**
     * Stores one answer in a free slot of the round and marks the invite answered, in one transaction.
     * Below the round's threshold the answer is sealed under `key` (the round key the check-in brought
     * back); the answer that reaches the threshold opens all of them, so from then on they are stored
     * open. `replyCheck`: what is kept of the note's reply secret (see sealing.ts). Returns false (and
     * stores nothing) when the invite was already answered.
     */
    recordResponse: db.transaction(
      (
        roundId: number,
        userId: string,
        answers: Answers,
        note: string | null,
        key: Buffer | null = null,
        replyCheck: Buffer | null = null,
      ) => {
        const r = byId.get(roundId);
        const free = freeSlot.get(roundId);
        if (!r || !free) return false;
        const open = r.answers_open === 1;
        if (!open && key === null) throw new Error('a sealed round needs its key to store an answer');
        if (markAnswered.run(roundId, userId).changes !== 1) return false;
        const answer = { answers, note, replyCheck };
        fillSlot.run(open ? openSlot(answer) : sealAnswer(answer, key as Buffer), free.id);
        const { answered } = counts.get(roundId) as { answered: number };
        if (!open && meetsThreshold(answered, r.min_responses)) {
          // Enough answered that the round will be shown: its answers need no key any more.
          for (const slot of readAnswers(roundId, key)) rewriteSlot.run(openSlot(slot.answer), slot.id);
          markAnswersOpen.run(roundId);
        }
        return true;
      },
    ),
    /** The team's closed rounds, oldest first, at most `limit` of the latest. */
    closedTallies: (teamId: number, limit: number): RoundTally[] =>
      closedHistory.all(teamId, limit).reverse().map(tallyOf),
    tally: (roundId: number): RoundTally | undefined => {
      const r = closedOne.get(roundId);
      return r && tallyOf(r);
    },
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
    /** Everyone who answered the round (never which answer was whose). */
    answeredBy: (roundId: number): string[] => answeredBy.all(roundId).map((r) => r.user_id),
    /** The person's unanswered invites in rounds still open. */
    openInvitesOf: (userId: string): Invite[] => openInvitesOf.all(userId).map(toInvite),
    /**
     * Deletes rounds closed before `cutoff`, with their invites and notes (cascade), in one
     * transaction. Returns the ids of the rounds deleted.
     */
    deleteClosedBefore: db.transaction((cutoff: Date): number[] => {
      const ids = closedBefore.all(cutoff.getTime()).map((r) => r.id);
      for (const id of ids) deleteRound.run(id);
      return ids;
    }),
  };
}
