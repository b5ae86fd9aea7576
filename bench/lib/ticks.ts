import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/config.ts';
import type { Services } from '../../src/context.ts';
import { type TickResult, tick } from '../../src/jobs/tick.ts';
import { actionStore } from '../../src/store/actions.ts';
import { openDatabase } from '../../src/store/db.ts';
import { leadStore } from '../../src/store/leads.ts';
import { noteStore } from '../../src/store/notes.ts';
import { outboxStore } from '../../src/store/outbox.ts';
import { ReplySecrets } from '../../src/store/replySecrets.ts';
import { RoundKeys } from '../../src/store/roundKeys.ts';
import { roundStore } from '../../src/store/rounds.ts';
import { teamStore } from '../../src/store/teams.ts';
import { seeded } from './rng.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;

export interface TickCost {
  /** Wall time of the one synchronous call (the event loop is blocked for all of it). */
  ms: number;
  result: TickResult;
}

export interface TickCosts {
  teams: number;
  /** A tick with nothing due (what every minute costs), several times. */
  idleMs: number[];
  /** The minute every team's schedule falls due: every round opens (and the digests due then queue). */
  open: TickCost;
  /** Invites, answer slots and outbox rows the opening tick wrote. */
  invites: number;
  /** Answers stored between (sealed below the threshold, opened at it), as members would. */
  answers: number;
  /** The minute the reminders fall due: one reminder queued for everyone who has not answered. */
  remind: TickCost;
  /** The minute they all close: tallies and notes kept, slots deleted, retention, one checkpoint. */
  close: TickCost;
}

/**
 * The minute tick (src/jobs/tick.ts) on a copy of the generated history, in this process (the tick is
 * one synchronous call: its wall time is how long it blocks the app's event loop): with nothing due,
 * at the minute every team's round opens, at its reminders and at the minute they all close, after most
 * members answered.
 */
export function measureTicks(historyPath: string, dir: string, slotAt: number, idleRuns: number): TickCosts {
  const path = join(dir, 'ticks.db');
  copyFileSync(historyPath, path);
  const config = parseConfig({ SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: 'bench' });
  const db = openDatabase(path, { minResponses: config.minResponses });
  const s: Services = {
    config,
    db,
    teams: teamStore(db),
    rounds: roundStore(db),
    leads: leadStore(db),
    keys: new RoundKeys(),
    replySecrets: new ReplySecrets(),
    notes: noteStore(db),
    actions: actionStore(db),
    outbox: outboxStore(db),
    log: { debug() {}, info() {}, warn() {}, error() {} },
    kick() {},
  };
  try {
    const timed = (now: Date): TickCost => {
      const started = performance.now();
      const result = tick(s, now);
      return { ms: performance.now() - started, result };
    };
    const teams = s.teams.active().length;
    const idleMs: number[] = [];
    for (let i = 0; i < idleRuns; i++) idleMs.push(timed(new Date(slotAt - 24 * HOUR + i * MINUTE)).ms);
    const open = timed(new Date(slotAt));
    const rng = seeded(11);
    let invites = 0;
    let answers = 0;
    for (const round of s.rounds.allOpen()) {
      const key = s.keys.get(round.id) ?? null;
      for (const invite of s.rounds.invites(round.id)) {
        invites++;
        if (!rng.chance(0.8)) continue;
        const score = () => rng.int(2, 5) as 2 | 3 | 4 | 5;
        const answer = { energy: score(), boundaries: score(), ownership: score(), recognition: score() };
        const note = rng.chance(0.08) ? 'Busy week, but ok.' : null;
        if (s.rounds.recordResponse(round.id, invite.userId, answer, note, key)) answers++;
      }
    }
    const remind = timed(new Date(slotAt + config.reminderHours * HOUR + MINUTE));
    const lastClose = Math.max(...s.rounds.allOpen().map((r) => r.closesAt.getTime()));
    const close = timed(new Date(lastClose + MINUTE));
    return { teams, idleMs, open, invites, answers, remind, close };
  } finally {
    db.close();
  }
}
