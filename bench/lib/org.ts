import { checkinToken } from '../../src/domain/ids.ts';
import { WEEKDAYS } from '../../src/domain/schedule.ts';
import { openDatabase } from '../../src/store/db.ts';
import { roundStore } from '../../src/store/rounds.ts';
import { keyCheck, newRoundKey } from '../../src/store/sealing.ts';

const HOUR = 3_600_000;

export const memberOf = (team: number, i: number): string =>
  `U${String(team).padStart(4, '0')}N${String(i).padStart(2, '0')}`;

export interface Org {
  path: string;
  teams: number;
  members: string[];
  /** Open round ids by team (when built with open rounds). */
  rounds: number[];
  /**
   * What each member's check-in DM carries (`open`): `<round>.<round key>`, the button value and the
   * modal's private_metadata a submission must bring back (src/domain/ids.ts checkinToken).
   */
  tokens: Map<string, string>;
}

/**
 * A fresh organisation of `teams` teams of `size` members each, written straight into the app's schema.
 * `due`: every team's weekly schedule fell due this minute (UTC), so the next tick opens all rounds.
 * `open`: every team already has an open round whose check-in DMs went out (for submissions), made as
 * the app makes one (src/store/rounds.ts insert): a round key (only its check on disk), answers sealed
 * below the threshold of 5, one filler answer slot per invitee; `tokens` holds what each DM carries.
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
  const store = roundStore(db);
  const members: string[] = [];
  const rounds: number[] = [];
  const tokens = new Map<string, string>();
  let ts = 0;
  db.transaction(() => {
    for (let t = 1; t <= o.teams; t++) {
      insTeam.run(t, `org-${t}`, `UMGR${t}`, weekday, time, now.getTime() - HOUR);
      const team = Array.from({ length: o.size }, (_, i) => memberOf(t, i + 1));
      for (const m of team) insMember.run(t, m);
      members.push(...team);
      if (o.mode === 'open') {
        const key = newRoundKey();
        const round = store.insert(
          t,
          null,
          now,
          new Date(now.getTime() + 24 * HOUR),
          new Date(now.getTime() + 72 * HOUR),
          team,
          { minResponses: 5, keyCheck: keyCheck(key) },
        );
        rounds.push(round.id);
        const token = checkinToken({ roundId: round.id, key });
        for (const m of team) {
          store.setDm(round.id, m, `D${m}`, `1700000000.${String(++ts).padStart(6, '0')}`);
          tokens.set(m, token);
        }
      }
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { path, teams: o.teams, members, rounds, tokens };
}
