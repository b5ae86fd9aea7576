import { WEEKDAYS } from '../../src/domain/schedule.ts';
import { openDatabase } from '../../src/store/db.ts';

const HOUR = 3_600_000;

export const memberOf = (team: number, i: number): string =>
  `U${String(team).padStart(4, '0')}N${String(i).padStart(2, '0')}`;

export interface Org {
  path: string;
  teams: number;
  members: string[];
  /** Open round ids by team (when built with open rounds). */
  rounds: number[];
}

/**
 * A fresh organisation of `teams` teams of `size` members each, written straight into the app's schema.
 * `due`: every team's weekly schedule fell due this minute (UTC), so the next tick opens all rounds.
 * `open`: every team already has an open round whose check-in DMs went out (for submissions).
 */
export function buildOrg(
  path: string,
  o: { teams: number; size: number; mode: 'due' | 'open'; now?: Date },
): Org {
  const now = o.now ?? new Date();
  const db = openDatabase(path);
  db.pragma('synchronous = OFF');
  const weekday = WEEKDAYS[(now.getUTCDay() + 6) % 7] as string;
  const time = `${String(now.getUTCHours()).padStart(2, '0')}:${String(now.getUTCMinutes()).padStart(2, '0')}`;
  const insTeam = db.prepare(
    `INSERT INTO teams (id, slug, manager_id, weekday, time, timezone, schedule_since)
     VALUES (?, ?, ?, ?, ?, 'UTC', ?)`,
  );
  const insMember = db.prepare('INSERT INTO members (team_id, user_id) VALUES (?, ?)');
  const insRound = db.prepare(
    `INSERT INTO rounds (id, team_id, number, slot, opened_at, remind_at, closes_at)
     VALUES (?, ?, 1, NULL, ?, ?, ?)`,
  );
  const insInvite = db.prepare(
    'INSERT INTO invites (round_id, user_id, answered, dm_channel, dm_ts) VALUES (?, ?, 0, ?, ?)',
  );
  const members: string[] = [];
  const rounds: number[] = [];
  let ts = 0;
  db.transaction(() => {
    for (let t = 1; t <= o.teams; t++) {
      insTeam.run(t, `org-${t}`, `UMGR${t}`, weekday, time, now.getTime() - HOUR);
      const team = Array.from({ length: o.size }, (_, i) => memberOf(t, i + 1));
      for (const m of team) insMember.run(t, m);
      members.push(...team);
      if (o.mode === 'open') {
        insRound.run(t, t, now.getTime(), now.getTime() + 24 * HOUR, now.getTime() + 72 * HOUR);
        rounds.push(t);
        for (const m of team) insInvite.run(t, m, `D${m}`, `1700000000.${String(++ts).padStart(6, '0')}`);
      }
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { path, teams: o.teams, members, rounds };
}
