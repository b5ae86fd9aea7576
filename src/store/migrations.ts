import { randomBytes, randomInt } from 'node:crypto';
import type { Answers } from '../domain/dimensions.ts';
import type { Db } from './db.ts';
import {
  fillerSlot,
  LEGACY_SLOT_BYTES,
  openSlot,
  REPLY_CHECK_BYTES,
  SLOT_BYTES,
  upgradeLegacySlot,
} from './sealing.ts';

/** What a migration may need to know beyond the database: the threshold rounds so far were shown under. */
export interface MigrationContext {
  minResponses: number;
}

export type Migration = string | ((db: Db, context: MigrationContext) => void);

/**
 * Numbered schema migrations, applied in order at start (PRAGMA user_version holds the last one).
 * Privacy by construction: `responses` has no user id and no time, and is keyed by a random id
 * inside its round, so neither columns nor row order can tie an answer to the person who gave it.
 * Who was invited and whether they answered lives in `invites`, as a yes/no without a time.
 */
export const MIGRATIONS: readonly Migration[] = [
  `
  CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    manager_id TEXT NOT NULL,
    lead_id TEXT,
    weekday TEXT NOT NULL DEFAULT 'mon',
    time TEXT NOT NULL DEFAULT '10:00',
    timezone TEXT NOT NULL,
    -- schedule times before this instant (epoch ms) never open a round
    schedule_since INTEGER NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX teams_manager ON teams(manager_id);
  CREATE INDEX teams_lead ON teams(lead_id);

  CREATE TABLE members (
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX members_user ON members(user_id);

  CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    -- the scheduled slot (epoch ms) this round was opened for; NULL when opened by hand
    slot INTEGER,
    opened_at INTEGER NOT NULL,
    remind_at INTEGER NOT NULL,
    closes_at INTEGER NOT NULL,
    reminded INTEGER NOT NULL DEFAULT 0,
    closed_at INTEGER,
    UNIQUE (team_id, number),
    UNIQUE (team_id, slot)
  );
  CREATE UNIQUE INDEX rounds_one_open ON rounds(team_id) WHERE closed_at IS NULL;
  CREATE INDEX rounds_due ON rounds(closed_at, closes_at);

  CREATE TABLE invites (
    round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    answered INTEGER NOT NULL DEFAULT 0 CHECK (answered IN (0, 1)),
    dm_channel TEXT,
    dm_ts TEXT,
    PRIMARY KEY (round_id, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX invites_user ON invites(user_id);

  CREATE TABLE responses (
    round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    id BLOB NOT NULL,
    energy INTEGER NOT NULL CHECK (energy BETWEEN 1 AND 5),
    boundaries INTEGER NOT NULL CHECK (boundaries BETWEEN 1 AND 5),
    ownership INTEGER NOT NULL CHECK (ownership BETWEEN 1 AND 5),
    recognition INTEGER NOT NULL CHECK (recognition BETWEEN 1 AND 5),
    note TEXT CHECK (note IS NULL OR length(note) <= 500),
    PRIMARY KEY (round_id, id)
  ) WITHOUT ROWID;

  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    method TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- what to record once Slack accepted the call (JSON), e.g. the DM's channel and ts on an invite
    effect TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL,
    last_error TEXT
  );
  CREATE INDEX outbox_due ON outbox(status, not_before);
  `,
  `
  -- Lead digests: each lead's own schedule, and which scheduled digests were sent (at most one per slot).
  CREATE TABLE lead_settings (
    lead_id TEXT PRIMARY KEY,
    weekday TEXT NOT NULL DEFAULT 'mon',
    time TEXT NOT NULL DEFAULT '09:00',
    timezone TEXT NOT NULL,
    since INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE digests_sent (
    lead_id TEXT NOT NULL,
    slot INTEGER NOT NULL,
    PRIMARY KEY (lead_id, slot)
  ) WITHOUT ROWID;

  -- People Slack says we can never reach (deactivated, deleted): skipped when rounds open.
  CREATE TABLE unreachable_users (
    user_id TEXT PRIMARY KEY,
    reason TEXT NOT NULL
  ) WITHOUT ROWID;

  -- Members away until a day (epoch ms): not invited, not reminded, not counted as non-responders.
  CREATE TABLE away (
    user_id TEXT PRIMARY KEY,
    until INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // Answers below a round's threshold are unreadable at rest, and nothing in the files orders them.
  // Each open round has one fixed-size slot per invitee, filled in place; a closed round keeps only its
  // distributions (when shown) and its notes, stored together at close in random order.
  (db, context) => {
    db.exec(`
      ALTER TABLE rounds ADD COLUMN min_responses INTEGER NOT NULL DEFAULT 5;
      -- the first 16 bytes of SHA-256 of the round key; NULL: the round's answers are stored open
      ALTER TABLE rounds ADD COLUMN key_check BLOB;
      ALTER TABLE rounds ADD COLUMN answers_open INTEGER NOT NULL DEFAULT 0 CHECK (answers_open IN (0, 1));
      -- the hourly count managers see while a round is open
      ALTER TABLE rounds ADD COLUMN live_answered INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE rounds ADD COLUMN live_at INTEGER NOT NULL DEFAULT 0;
      -- a closed round's distributions (JSON, four arrays of five counts), only when it was shown
      ALTER TABLE rounds ADD COLUMN tally TEXT;

      CREATE TABLE answer_slots (
        id INTEGER PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        used INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),
        body BLOB NOT NULL CHECK (length(body) = ${LEGACY_SLOT_BYTES})
      );
      CREATE INDEX answer_slots_round ON answer_slots(round_id, used);

      CREATE TABLE notes (
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        id BLOB NOT NULL,
        note TEXT NOT NULL CHECK (length(note) <= 500),
        PRIMARY KEY (round_id, id)
      ) WITHOUT ROWID;
    `);
    // Rounds so far were shown under the threshold the app runs with now.
    db.prepare('UPDATE rounds SET min_responses = ?, answers_open = 1, live_at = opened_at').run(
      context.minResponses,
    );
    const rounds = db
      .prepare<[], { id: number; closed_at: number | null }>('SELECT id, closed_at FROM rounds')
      .all();
    const responses = db.prepare<
      [number],
      { energy: number; boundaries: number; ownership: number; recognition: number; note: string | null }
    >('SELECT energy, boundaries, ownership, recognition, note FROM responses WHERE round_id = ?');
    const invited = db.prepare<[number], { n: number }>(
      'SELECT count(*) AS n FROM invites WHERE round_id = ?',
    );
    const setTally = db.prepare<[string, number]>('UPDATE rounds SET tally = ? WHERE id = ?');
    const insertNote = db.prepare<[number, Buffer, string]>(
      'INSERT INTO notes (round_id, id, note) VALUES (?, ?, ?)',
    );
    const insertSlot = db.prepare<[number, number, number, Buffer]>(
      'INSERT OR IGNORE INTO answer_slots (id, round_id, used, body) VALUES (?, ?, ?, ?)',
    );
    for (const r of rounds) {
      const rows = responses.all(r.id);
      if (r.closed_at !== null) {
        if (rows.length < context.minResponses) continue;
        const counts = ['energy', 'boundaries', 'ownership', 'recognition'].map(() => [0, 0, 0, 0, 0]);
        for (const row of rows) {
          [row.energy, row.boundaries, row.ownership, row.recognition].forEach((score, i) => {
            const dist = counts[i] as number[];
            dist[score - 1] = (dist[score - 1] ?? 0) + 1;
          });
        }
        setTally.run(JSON.stringify(counts), r.id);
        for (const row of rows) if (row.note !== null) insertNote.run(r.id, randomBytes(16), row.note);
        continue;
      }
      // A round open during the upgrade keeps its answers open (they were stored open already).
      // In the slot layout of the time: an open slot less its (empty) reply check; see sealing.ts.
      const legacy = (slot: Buffer): Buffer => slot.subarray(0, LEGACY_SLOT_BYTES);
      const bodies = rows.map((row) =>
        legacy(
          openSlot({
            answers: {
              energy: row.energy,
              boundaries: row.boundaries,
              ownership: row.ownership,
              recognition: row.recognition,
            } as Answers,
            note: row.note,
            replyCheck: null,
          }),
        ),
      );
      const total = Math.max(invited.get(r.id)?.n ?? 0, bodies.length);
      let made = 0;
      while (made < total) {
        const body = bodies[made];
        made += insertSlot.run(
          randomInt(1, 2 ** 47),
          r.id,
          body ? 1 : 0,
          body ?? legacy(fillerSlot()),
        ).changes;
      }
    }
    db.exec('DROP TABLE responses');
  },
  `
  -- People added to a team by someone who is not an admin: not members (not invited, not counted)
  -- until they press Join in the DM that says who reads the team's results.
  CREATE TABLE pending_members (
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    added_by TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX pending_members_user ON pending_members(user_id);
  `,
  `
  -- What a team tries after a round: numbered per team, kept with the team and never with a person
  -- (no column says who recorded it). round is the team's latest round when it started (0: none).
  CREATE TABLE actions (
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    dimension TEXT NOT NULL,
    text TEXT NOT NULL,
    round INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    PRIMARY KEY (team_id, number)
  ) WITHOUT ROWID;
  `,
  // Anonymous replies to notes: each note carries what is kept of its reply token (a random secret that
  // only its author's own DM holds), in its answer slot and then in `notes`; a thread's messages are kept
  // with the note, never with a person. Answer slots grow by the reply check; see sealing.ts.
  (db) => {
    db.exec(`
      CREATE TABLE answer_slots_new (
        id INTEGER PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        used INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),
        body BLOB NOT NULL CHECK (length(body) = ${SLOT_BYTES})
      );
    `);
    const insert = db.prepare<[number, number, number, Buffer]>(
      'INSERT INTO answer_slots_new (id, round_id, used, body) VALUES (?, ?, ?, ?)',
    );
    // In key order, as rounds lay their slots out: the copy says no more than the original did.
    const slots = db
      .prepare<[], { id: number; round_id: number; used: number; body: Buffer }>(
        'SELECT id, round_id, used, body FROM answer_slots ORDER BY id',
      )
      .all();
    for (const row of slots) insert.run(row.id, row.round_id, row.used, upgradeLegacySlot(row.body));
    db.exec(`
      DROP TABLE answer_slots;
      ALTER TABLE answer_slots_new RENAME TO answer_slots;
      CREATE INDEX answer_slots_round ON answer_slots(round_id, used);

      -- NULL for notes from before replies (nobody holds a token for them).
      ALTER TABLE notes ADD COLUMN reply_check BLOB CHECK (reply_check IS NULL OR length(reply_check) = ${REPLY_CHECK_BYTES});
      CREATE UNIQUE INDEX notes_reply_check ON notes(reply_check) WHERE reply_check IS NOT NULL;

      -- A note's thread, in order. by_user: who answered for the team (their name is on the reply);
      -- NULL: the note's author, who stays unknown. No time is kept.
      CREATE TABLE note_replies (
        round_id INTEGER NOT NULL,
        note_id BLOB NOT NULL,
        seq INTEGER NOT NULL,
        by_user TEXT,
        text TEXT NOT NULL CHECK (length(text) <= 500),
        PRIMARY KEY (round_id, note_id, seq),
        FOREIGN KEY (round_id, note_id) REFERENCES notes(round_id, id) ON DELETE CASCADE
      ) WITHOUT ROWID;
    `);
  },
];
