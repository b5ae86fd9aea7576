import { DIMENSIONS } from '../../src/domain/dimensions.ts';
import { WEEKDAYS } from '../../src/domain/schedule.ts';
import { openDatabase } from '../../src/store/db.ts';
import { roundStore } from '../../src/store/rounds.ts';
import { scrubNow } from '../../src/store/scrub.ts';
import { keyCheck, newRoundKey } from '../../src/store/sealing.ts';
import { seeded } from './rng.ts';

const WEEK = 7 * 24 * 3_600_000;
const HOUR = 3_600_000;

export interface HistoryShape {
  teams: number;
  rounds: number;
  leads: number;
  seed: number;
}

export interface History {
  path: string;
  teams: number;
  rounds: number;
  invites: number;
  answers: number;
  notes: number;
  /** Milliseconds the generation took. */
  buildMs: number;
  /**
   * Privacy maintenance at this size, as the app does it now (src/store/scrub.ts scrubNow): one TRUNCATE
   * checkpoint right after a round of team 1 was opened, answered and closed on the full database.
   */
  checkpointMs: number;
  /** The minute every team's weekly schedule (and every lead's digest) falls due: two days from `now`. */
  slotAt: number;
}

export const teamSlug = (t: number): string => `team-${String(t).padStart(4, '0')}`;
export const managerOf = (t: number): string => `UMGR${String(t).padStart(4, '0')}`;
export const leadId = (l: number): string => `ULEAD${l}`;
const memberId = (t: number, i: number): string => `U${String(t).padStart(4, '0')}M${i}`;

const NOTES = [
  'Too many meetings this week, hard to get deep work done.',
  'Great pairing session with the platform team.',
  'On-call was rough, three pages at night.',
  'The release went smoothly, felt good to ship.',
  'Priorities keep changing mid-sprint.',
  'Thanks for covering for me while I was sick.',
  'Would love more time for refactoring.',
  'Not sure who decides on the roadmap now.',
];

/**
 * Writes `teams` x `rounds` weekly closed rounds straight into a fresh database (the app's own schema),
 * with prepared statements in large transactions. Each team has 4-10 members, a response rate of its
 * own and per-dimension levels that drift from week to week, so reports and flags have real work to do.
 * A steady state, as an app started on it finds it: no round or digest is due for days (schedules fall
 * two days from now) and no round is old enough for retention yet. The app's tick still runs every minute.
 */
export function buildHistory(path: string, shape: HistoryShape, now: Date = new Date()): History {
  const started = performance.now();
  const rng = seeded(shape.seed);
  const db = openDatabase(path);
  db.pragma('synchronous = OFF');
  const insTeam = db.prepare(
    `INSERT INTO teams (id, slug, manager_id, lead_id, weekday, time, timezone, schedule_since)
     VALUES (?, ?, ?, ?, ?, ?, 'UTC', ?)`,
  );
  const insMember = db.prepare('INSERT INTO members (team_id, user_id) VALUES (?, ?)');
  // Closed rounds as the app leaves them: distributions when shown (under the threshold of 5), notes apart.
  const insRound = db.prepare(
    `INSERT INTO rounds (id, team_id, number, slot, opened_at, remind_at, closes_at, reminded, closed_at,
       min_responses, answers_open, live_at, tally)
     VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, 5, 1, ?, ?)`,
  );
  const insInvite = db.prepare(
    'INSERT INTO invites (round_id, user_id, answered, dm_channel, dm_ts) VALUES (?, ?, ?, ?, ?)',
  );
  const insNote = db.prepare('INSERT INTO notes (round_id, id, note) VALUES (?, ?, ?)');
  const insLead = db.prepare(
    "INSERT INTO lead_settings (lead_id, weekday, time, timezone, since) VALUES (?, ?, ?, 'UTC', ?)",
  );
  const slot = new Date(now.getTime() + 2 * 24 * HOUR);
  const weekday = WEEKDAYS[(slot.getUTCDay() + 6) % 7] as string;
  const time = `${String(slot.getUTCHours()).padStart(2, '0')}:00`;

  // The latest round opened a week ago; the first one `rounds` weeks before it.
  const lastOpen = Math.floor(now.getTime() / HOUR) * HOUR - WEEK;
  const firstOpen = lastOpen - (shape.rounds - 1) * WEEK;
  let roundId = 0;
  let invites = 0;
  let answers = 0;
  let notes = 0;
  let ts = 0;
  const clamp = (x: number) => Math.min(5, Math.max(1, Math.round(x)));

  const insertTeams = db.transaction((from: number, to: number) => {
    for (let t = from; t <= to; t++) {
      const size = rng.int(4, 10);
      const rate = 0.65 + rng.next() * 0.3;
      const levels = DIMENSIONS.map(() => 3.1 + rng.next() * 1.2);
      insTeam.run(
        t,
        teamSlug(t),
        managerOf(t),
        leadId(((t - 1) % shape.leads) + 1),
        weekday,
        time,
        firstOpen - WEEK,
      );
      const members = Array.from({ length: size }, (_, i) => memberId(t, i + 1));
      for (const m of members) insMember.run(t, m);
      for (let r = 1; r <= shape.rounds; r++) {
        roundId++;
        const opened = firstOpen + (r - 1) * WEEK;
        // Levels drift and pull back towards the middle: trends, dips and the odd flag.
        for (let d = 0; d < levels.length; d++) {
          const level = levels[d] as number;
          levels[d] = Math.min(4.8, Math.max(1.6, level + rng.normal() * 0.12 + (3.6 - level) * 0.03));
        }
        const counts = levels.map(() => [0, 0, 0, 0, 0]);
        const roundNotes: string[] = [];
        const answered = members.map(() => rng.chance(rate));
        for (const yes of answered) {
          if (!yes) continue;
          answers++;
          const note = rng.chance(0.08) ? rng.pick(NOTES) : null;
          if (note) roundNotes.push(note);
          levels.forEach((l, d) => {
            const dist = counts[d] as number[];
            const s = clamp(l + rng.normal() * 0.9);
            dist[s - 1] = (dist[s - 1] ?? 0) + 1;
          });
        }
        const shown = answered.filter(Boolean).length >= 5;
        insRound.run(
          roundId,
          t,
          r,
          opened,
          opened,
          opened + 24 * HOUR,
          opened + 72 * HOUR,
          opened + 72 * HOUR,
          opened,
          shown ? JSON.stringify(counts) : null,
        );
        members.forEach((m, i) => {
          invites++;
          insInvite.run(
            roundId,
            m,
            answered[i] ? 1 : 0,
            `D${m}`,
            `1700000000.${String(++ts).padStart(6, '0')}`,
          );
        });
        if (shown) {
          notes += roundNotes.length;
          for (const note of roundNotes) insNote.run(roundId, rng.bytes(16), note);
        }
      }
    }
  });
  const BATCH = 50;
  for (let t = 1; t <= shape.teams; t += BATCH) insertTeams(t, Math.min(shape.teams, t + BATCH - 1));
  db.transaction(() => {
    for (let l = 1; l <= shape.leads; l++) insLead.run(leadId(l), weekday, time, firstOpen);
  })();
  // The app never rewrites its file (no VACUUM): the generated file stays as the inserts laid it out.
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('synchronous = FULL');
  // Privacy maintenance as the app does it after a close: a round of team 1 opened as the app opens
  // one (round key, sealed answers, a filler slot per invitee), answered by most, closed (its tally and
  // notes kept, its slots deleted), then one TRUNCATE checkpoint of the WAL, timed.
  const rounds = roundStore(db);
  const key = newRoundKey();
  const team1 = (
    db.prepare('SELECT user_id FROM members WHERE team_id = 1').all() as Array<{ user_id: string }>
  ).map((m) => m.user_id);
  const opened = new Date(now.getTime() - HOUR);
  const round = db.transaction(() =>
    rounds.insert(
      1,
      null,
      opened,
      new Date(opened.getTime() + 24 * HOUR),
      new Date(now.getTime() + 48 * HOUR),
      team1,
      {
        minResponses: 5,
        keyCheck: keyCheck(key),
      },
    ),
  )();
  team1.forEach((m, i) => {
    if (i < team1.length - 1)
      rounds.recordResponse(
        round.id,
        m,
        { energy: 3, boundaries: 4, ownership: 3, recognition: 2 },
        i === 0 ? rng.pick(NOTES) : null,
        key,
      );
  });
  db.pragma('wal_checkpoint(TRUNCATE)');
  rounds.markClosed(round.id, now);
  const checkpointStarted = performance.now();
  if (!scrubNow(db, { debug() {}, info() {}, warn() {}, error() {} })) throw new Error('checkpoint blocked');
  const checkpointMs = performance.now() - checkpointStarted;
  db.close();
  return {
    path,
    teams: shape.teams,
    rounds: roundId,
    invites,
    answers,
    notes,
    buildMs: performance.now() - started,
    checkpointMs,
    slotAt: Math.floor(slot.getTime() / HOUR) * HOUR,
  };
}
