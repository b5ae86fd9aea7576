/**
 * Numbered schema migrations, applied in order at start (PRAGMA user_version holds the last one).
 * Privacy by construction: `responses` has no user id and no time, and is keyed by a random id
 * inside its round, so neither columns nor row order can tie an answer to the person who gave it.
 * Who was invited and whether they answered lives in `invites`, as a yes/no without a time.
 */
export const MIGRATIONS: readonly string[] = [
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
];
