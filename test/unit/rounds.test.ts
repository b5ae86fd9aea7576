import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import type { Services } from '../../src/context.ts';
import type { Answers } from '../../src/domain/dimensions.ts';
import { tick, tickInSlices } from '../../src/jobs/tick.ts';
import type { Logger } from '../../src/log.ts';
import { actionStore } from '../../src/store/actions.ts';
import { openDatabase } from '../../src/store/db.ts';
import { leadStore } from '../../src/store/leads.ts';
import { noteStore } from '../../src/store/notes.ts';
import { outboxStore } from '../../src/store/outbox.ts';
import { ReplySecrets } from '../../src/store/replySecrets.ts';
import { RoundKeys } from '../../src/store/roundKeys.ts';
import { roundStore } from '../../src/store/rounds.ts';
import { type Team, teamStore } from '../../src/store/teams.ts';
import { leadDigestMessage } from '../../src/usecases/digest.ts';
import { closeRound, dueSlot, openRound } from '../../src/usecases/rounds.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const at = (iso: string): Date => new Date(iso);
const plus = (d: Date, ms: number): Date => new Date(d.getTime() + ms);
const GOOD: Answers = { energy: 4, boundaries: 4, ownership: 4, recognition: 4 };

let dir: string;
let s: Services;
let kicks: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'teamhealth-rounds-'));
  const config = parseConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: 'secret',
    DATABASE_PATH: join(dir, 'th.db'),
  });
  const db = openDatabase(config.databasePath);
  kicks = 0;
  s = {
    config,
    db,
    teams: teamStore(db),
    rounds: roundStore(db),
    outbox: outboxStore(db),
    leads: leadStore(db),
    actions: actionStore(db),
    keys: new RoundKeys(),
    replySecrets: new ReplySecrets(),
    notes: noteStore(db),
    log: silent,
    kick: () => {
      kicks++;
    },
  };
});

afterEach(() => {
  s.db.close();
  rmSync(dir, { recursive: true, force: true });
});

interface QueuedRow {
  key: string;
  method: string;
  payload: Record<string, unknown>;
}

/** Outbox rows whose key starts with `prefix` (nothing is sent in these tests, so all stay queued). */
function queued(prefix: string): QueuedRow[] {
  return s.db
    .prepare<[string], { key: string; method: string; payload: string }>(
      "SELECT key, method, payload FROM outbox WHERE key LIKE ? || '%' ORDER BY key",
    )
    .all(prefix)
    .map((r) => ({
      key: r.key,
      method: r.method,
      payload: JSON.parse(r.payload) as Record<string, unknown>,
    }));
}

const roundsOf = (team: Team) =>
  s.db
    .prepare<[number], { id: number; slot: number | null; opened_at: number; closed_at: number | null }>(
      'SELECT id, slot, opened_at, closed_at FROM rounds WHERE team_id = ? ORDER BY number',
    )
    .all(team.id);

/** A team on Mondays 10:00 Europe/Berlin, created at `created`, managed by UMGR (not a member). */
function berlinTeam(created: Date, members = ['U1', 'U2', 'U3']): Team {
  const team = s.teams.create('core', 'UMGR', 'Europe/Berlin', created);
  s.teams.addMembers(team.id, members);
  return team;
}

/** Ticks every `step` from `from` (inclusive) to `to` (exclusive), as the cron would. */
function tickEvery(from: Date, to: Date, step: number): void {
  for (let t = from.getTime(); t < to.getTime(); t += step) tick(s, new Date(t));
}

describe('opening at the scheduled time, across DST', () => {
  it('opens a Monday 10:00 Europe/Berlin round at 08:00 UTC in summer', () => {
    const team = berlinTeam(at('2025-05-28T12:00:00Z'));
    expect(tick(s, at('2025-06-02T07:59:00Z')).opened).toBe(0);
    expect(tick(s, at('2025-06-02T08:00:00Z')).opened).toBe(1);
    const round = s.rounds.openFor(team.id);
    expect(round?.slot).toBe(at('2025-06-02T08:00:00Z').getTime());
    expect(round?.openedAt.toISOString()).toBe('2025-06-02T08:00:00.000Z');
  });

  it('opens a Monday 10:00 Europe/Berlin round at 09:00 UTC in winter', () => {
    const team = berlinTeam(at('2025-11-26T12:00:00Z'));
    expect(tick(s, at('2025-12-01T08:59:00Z')).opened).toBe(0);
    expect(tick(s, at('2025-12-01T09:00:00Z')).opened).toBe(1);
    expect(s.rounds.openFor(team.id)?.slot).toBe(at('2025-12-01T09:00:00Z').getTime());
  });

  it('keeps 10:00 local through the autumn change when ticking every 30 minutes', () => {
    const team = berlinTeam(at('2025-10-15T12:00:00Z'));
    tickEvery(at('2025-10-19T00:00:00Z'), at('2025-11-05T00:00:00Z'), 30 * MINUTE);
    expect(roundsOf(team).map((r) => new Date(r.opened_at).toISOString())).toEqual([
      '2025-10-20T08:00:00.000Z',
      '2025-10-27T09:00:00.000Z',
      '2025-11-03T09:00:00.000Z',
    ]);
  });

  it('keeps 10:00 local through the spring change', () => {
    const team = berlinTeam(at('2025-03-19T12:00:00Z'));
    tickEvery(at('2025-03-23T00:00:00Z'), at('2025-04-01T00:00:00Z'), 30 * MINUTE);
    expect(roundsOf(team).map((r) => new Date(r.opened_at).toISOString())).toEqual([
      '2025-03-24T09:00:00.000Z',
      '2025-03-31T08:00:00.000Z',
    ]);
  });
});

describe('tick is idempotent', () => {
  it('two ticks at the same now open one round and queue one invite per member', () => {
    const team = berlinTeam(at('2025-05-28T12:00:00Z'), ['U1', 'U2', 'W3']);
    const now = at('2025-06-02T08:00:30Z');
    expect(tick(s, now)).toMatchObject({ opened: 1, reminded: 0, closed: 0 });
    expect(tick(s, now)).toMatchObject({ opened: 0, reminded: 0, closed: 0 });
    expect(tick(s, plus(now, MINUTE)).opened).toBe(0);
    expect(roundsOf(team)).toHaveLength(1);

    const invites = queued('invite:');
    expect(invites).toHaveLength(3);
    expect(invites.map((r) => r.payload.channel).sort()).toEqual(['U1', 'U2', 'W3']);
    for (const r of invites) expect(r.method).toBe('chat.postMessage');
    expect(s.rounds.counts(roundsOf(team)[0]?.id ?? -1)).toEqual({ invited: 3, answered: 0 });
    expect(kicks).toBeGreaterThan(0);
  });

  it('the manager who is not a member gets no invite; a manager who is one gets exactly one', () => {
    berlinTeam(at('2025-05-28T12:00:00Z'), ['U1', 'U2']);
    const other = s.teams.create('other', 'UBOSS', 'Europe/Berlin', at('2025-05-28T12:00:00Z'));
    s.teams.addMembers(other.id, ['UBOSS', 'U1']);
    tick(s, at('2025-06-02T08:00:00Z'));
    const channels = queued('invite:').map((r) => r.payload.channel);
    expect(channels).not.toContain('UMGR');
    expect(channels.filter((c) => c === 'UBOSS')).toHaveLength(1);
    // U1 is on both teams: one invite per round.
    expect(channels.filter((c) => c === 'U1')).toHaveLength(2);
    expect(queued('')).toHaveLength(4);
  });

  it('a team without members opens nothing and queues nothing', () => {
    berlinTeam(at('2025-05-28T12:00:00Z'), []);
    expect(tick(s, at('2025-06-02T08:00:00Z')).opened).toBe(0);
    expect(queued('')).toEqual([]);
  });

  it('a member added after the round opened is not invited to it', () => {
    const team = berlinTeam(at('2025-05-28T12:00:00Z'), ['U1']);
    tick(s, at('2025-06-02T08:00:00Z'));
    s.teams.addMembers(team.id, ['U2']);
    tick(s, at('2025-06-02T08:01:00Z'));
    expect(queued('invite:').map((r) => r.payload.channel)).toEqual(['U1']);
  });
});

describe('reminders', () => {
  it('go once, at +24 h, only to those who have not answered, to their known DM', () => {
    const team = berlinTeam(at('2025-05-28T12:00:00Z'), ['U1', 'U2', 'U3', 'U4']);
    const opened = at('2025-06-02T08:00:00Z');
    tick(s, opened);
    const round = s.rounds.openFor(team.id);
    if (!round) throw new Error('no round');
    s.rounds.setDm(round.id, 'U3', 'DU3', '1700000000.000003');
    s.rounds.recordResponse(round.id, 'U1', GOOD, null, s.keys.get(round.id) ?? null);
    s.rounds.recordResponse(round.id, 'U2', GOOD, null, s.keys.get(round.id) ?? null);

    expect(tick(s, plus(opened, 24 * HOUR - MINUTE)).reminded).toBe(0);
    expect(queued('reminder:')).toEqual([]);

    expect(tick(s, plus(opened, 24 * HOUR)).reminded).toBe(1);
    const reminders = queued('reminder:');
    expect(reminders.map((r) => r.key)).toEqual([`reminder:${round.id}:U3`, `reminder:${round.id}:U4`]);
    expect(reminders.map((r) => r.payload.channel)).toEqual(['DU3', 'U4']);

    tick(s, plus(opened, 24 * HOUR));
    tickEvery(plus(opened, 25 * HOUR), plus(opened, 71 * HOUR), HOUR);
    expect(queued('reminder:')).toHaveLength(2);
    expect(s.rounds.byId(round.id)?.reminded).toBe(true);
  });

  it('nobody is reminded when everyone answered', () => {
    const team = berlinTeam(at('2025-05-28T12:00:00Z'), ['U1', 'U2']);
    const opened = at('2025-06-02T08:00:00Z');
    tick(s, opened);
    const round = s.rounds.openFor(team.id);
    for (const u of ['U1', 'U2'])
      s.rounds.recordResponse(round?.id ?? -1, u, GOOD, null, s.keys.get(round?.id ?? -1) ?? null);
    tick(s, plus(opened, 24 * HOUR));
    expect(queued('reminder:')).toEqual([]);
  });
});

describe('closing', () => {
  it('at +72 h: one summary to the manager, one closed update per unanswered invite whose DM is known', () => {
    const team = berlinTeam(at('2025-05-28T12:00:00Z'), ['U1', 'U2', 'U3', 'U4']);
    const opened = at('2025-06-02T08:00:00Z');
    tick(s, opened);
    const round = s.rounds.openFor(team.id);
    if (!round) throw new Error('no round');
    // U1..U3 got their DM; U4's invite was never delivered. U1 answered.
    for (const u of ['U1', 'U2', 'U3']) s.rounds.setDm(round.id, u, `D${u}`, `1700000000.00000${u.slice(1)}`);
    s.rounds.recordResponse(round.id, 'U1', GOOD, 'all good', s.keys.get(round.id) ?? null);

    expect(tick(s, plus(opened, 72 * HOUR - MINUTE)).closed).toBe(0);
    expect(s.rounds.openFor(team.id)).toBeDefined();

    expect(tick(s, plus(opened, 72 * HOUR)).closed).toBe(1);
    expect(tick(s, plus(opened, 72 * HOUR)).closed).toBe(0);
    tickEvery(plus(opened, 73 * HOUR), plus(opened, 7 * DAY - MINUTE), HOUR);

    expect(s.rounds.openFor(team.id)).toBeUndefined();
    const summaries = queued('summary:');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.method).toBe('chat.postMessage');
    expect(summaries[0]?.payload.channel).toBe('UMGR');
    // Below the threshold only participation is shown, and no note leaks.
    expect(String(summaries[0]?.payload.text)).toContain('1 of 4');
    expect(JSON.stringify(summaries[0]?.payload)).not.toContain('all good');

    const closed = queued('closed:');
    expect(closed.map((r) => r.key)).toEqual([`closed:${round.id}:U2`, `closed:${round.id}:U3`]);
    for (const r of closed) {
      expect(r.method).toBe('chat.update');
      expect(r.payload.channel).toMatch(/^DU[23]$/);
      expect(typeof r.payload.ts).toBe('string');
    }
  });

  it('a summary with enough answers shows the means', () => {
    const members = ['U1', 'U2', 'U3', 'U4', 'U5', 'U6'];
    const team = berlinTeam(at('2025-05-28T12:00:00Z'), members);
    const opened = at('2025-06-02T08:00:00Z');
    tick(s, opened);
    const round = s.rounds.openFor(team.id);
    for (const u of members.slice(0, 5))
      s.rounds.recordResponse(round?.id ?? -1, u, GOOD, null, s.keys.get(round?.id ?? -1) ?? null);
    tick(s, plus(opened, 72 * HOUR));
    const summary = queued('summary:')[0];
    expect(String(summary?.payload.text)).toContain('5 of 6');
    expect(String(summary?.payload.text)).toContain('4.0');
  });

  it('closeRound by hand closes once and the scheduled close then does nothing', () => {
    const team = berlinTeam(at('2025-05-28T12:00:00Z'));
    const opened = at('2025-06-02T08:00:00Z');
    tick(s, opened);
    const round = s.rounds.openFor(team.id);
    if (!round) throw new Error('no round');
    expect(closeRound(s, round, plus(opened, 2 * HOUR))).toBe(true);
    expect(closeRound(s, round, plus(opened, 3 * HOUR))).toBe(false);
    expect(tick(s, plus(opened, 72 * HOUR)).closed).toBe(0);
    expect(queued('summary:')).toHaveLength(1);
    // A closed round gets no reminder.
    tick(s, plus(opened, 24 * HOUR));
    expect(queued('reminder:')).toEqual([]);
  });
});

describe('catching up after downtime', () => {
  it('a slot that passed while down opens on the next tick inside its window', () => {
    const team = berlinTeam(at('2025-05-28T12:00:00Z'));
    const slot = at('2025-06-02T08:00:00Z');
    expect(tick(s, plus(slot, 5 * HOUR)).opened).toBe(1);
    const round = s.rounds.openFor(team.id);
    expect(round?.slot).toBe(slot.getTime());
    expect(queued('invite:')).toHaveLength(3);
  });

  it('a slot whose whole window passed while down does not open', () => {
    const team = berlinTeam(at('2025-05-28T12:00:00Z'));
    const slot = at('2025-06-02T08:00:00Z');
    expect(tick(s, plus(slot, 72 * HOUR))).toMatchObject({ opened: 0, reminded: 0, closed: 0 });
    tickEvery(plus(slot, 72 * HOUR), plus(slot, WEEK), HOUR);
    expect(roundsOf(team)).toEqual([]);
    expect(tick(s, plus(slot, WEEK)).opened).toBe(1);
  });

  it('after three weeks down (no round open), exactly one catch-up round opens, never a burst', () => {
    const team = berlinTeam(at('2025-05-28T12:00:00Z'));
    const slot1 = at('2025-06-02T08:00:00Z');
    tick(s, slot1);
    tick(s, plus(slot1, 24 * HOUR));
    tick(s, plus(slot1, 72 * HOUR)); // closed on time, then the process goes down
    expect(roundsOf(team)).toHaveLength(1);

    const back = plus(slot1, 3 * WEEK + 2 * HOUR);
    expect(tick(s, back).opened).toBe(1);
    tickEvery(plus(back, 10 * MINUTE), plus(back, 2 * DAY), 10 * MINUTE);
    const all = roundsOf(team);
    expect(all).toHaveLength(2);
    expect(all[1]?.slot).toBe(plus(slot1, 3 * WEEK).getTime());
    expect(queued('invite:')).toHaveLength(6);
  });

  it('after three weeks down with a round left open: it is closed, not reminded, and no burst follows', () => {
    const team = berlinTeam(at('2025-05-28T12:00:00Z'));
    const slot1 = at('2025-06-02T08:00:00Z');
    tick(s, slot1); // round 1 opens, then the process goes down for three weeks
    const back = plus(slot1, 3 * WEEK + 2 * HOUR);
    tick(s, back);
    tickEvery(plus(back, 10 * MINUTE), plus(back, 2 * DAY), 10 * MINUTE);
    const all = roundsOf(team);
    expect(all[0]?.closed_at).not.toBeNull();
    expect(all.length).toBeLessThanOrEqual(2);
    expect(queued('summary:')).toHaveLength(all.filter((r) => r.closed_at !== null).length);
    // No reminder for a round that was closed on return (the catch-up round reminds as usual).
    expect(queued(`reminder:${all[0]?.id}:`)).toEqual([]);
  });
});

describe('slots that must not fire', () => {
  it('a slot before the team was created does not fire', () => {
    // Created Monday 10:30 Berlin, 30 minutes after that day's slot.
    const team = berlinTeam(at('2025-06-02T08:30:00Z'));
    tickEvery(at('2025-06-02T08:31:00Z'), at('2025-06-09T08:00:00Z'), HOUR);
    expect(roundsOf(team)).toEqual([]);
    expect(tick(s, at('2025-06-09T08:00:00Z')).opened).toBe(1);
  });

  it('a slot before the schedule was changed does not fire', () => {
    const team = berlinTeam(at('2025-05-01T12:00:00Z'));
    // Tuesday 12:00 UTC: the schedule becomes Tuesdays 11:00 Berlin (09:00 UTC), already past today.
    const changed = at('2025-06-03T12:00:00Z');
    s.teams.setSchedule(team.id, 'tue', '11:00', 'Europe/Berlin', changed);
    const updated = s.teams.byId(team.id) as Team;
    expect(dueSlot(s, updated, plus(changed, MINUTE))).toBeNull();
    tickEvery(plus(changed, MINUTE), at('2025-06-10T09:00:00Z'), HOUR);
    expect(roundsOf(team)).toEqual([]);
    expect(tick(s, at('2025-06-10T09:00:00Z')).opened).toBe(1);
    expect(roundsOf(team)[0]?.slot).toBe(at('2025-06-10T09:00:00Z').getTime());
  });

  it('an archived team does not open rounds', () => {
    const team = berlinTeam(at('2025-05-28T12:00:00Z'));
    s.teams.setArchived(team.id, true);
    expect(tick(s, at('2025-06-02T08:00:00Z')).opened).toBe(0);
  });
});

describe('rounds opened by hand', () => {
  it('a round opened by hand and still open at the slot time stands in for it', () => {
    const team = berlinTeam(at('2025-05-28T12:00:00Z'));
    const byHand = at('2025-06-02T07:00:00Z'); // Monday 09:00 Berlin
    const r = openRound(s, team, byHand);
    expect(r.ok).toBe(true);
    expect(openRound(s, team, plus(byHand, MINUTE))).toEqual({ ok: false, reason: 'already_open' });

    const slot = at('2025-06-02T08:00:00Z');
    expect(dueSlot(s, team, slot)).toBeNull();
    // Through the hand round's close and the rest of the week: nothing more opens.
    tickEvery(slot, at('2025-06-09T08:00:00Z'), HOUR);
    expect(roundsOf(team)).toHaveLength(1);
    expect(queued('invite:')).toHaveLength(3);
    // The next week's slot opens as usual.
    expect(tick(s, at('2025-06-09T08:00:00Z')).opened).toBe(1);
  });

  it('a round opened and closed by hand before the slot does not cancel the slot', () => {
    const team = berlinTeam(at('2025-05-28T12:00:00Z'));
    const r = openRound(s, team, at('2025-06-01T10:00:00Z'));
    if (!r.ok) throw new Error('not opened');
    closeRound(s, r.round, at('2025-06-01T11:00:00Z'));
    const slot = at('2025-06-02T08:00:00Z');
    expect(dueSlot(s, team, slot)?.toISOString()).toBe(slot.toISOString());
    expect(tick(s, slot).opened).toBe(1);
    expect(roundsOf(team)).toHaveLength(2);
  });

  it('dueSlot names the slot, and nothing once its round exists', () => {
    const team = berlinTeam(at('2025-05-28T12:00:00Z'));
    const slot = at('2025-06-02T08:00:00Z');
    expect(dueSlot(s, team, plus(slot, -MINUTE))).toBeNull();
    expect(dueSlot(s, team, slot)?.toISOString()).toBe(slot.toISOString());
    expect(dueSlot(s, team, plus(slot, 71 * HOUR))?.toISOString()).toBe(slot.toISOString());
    expect(dueSlot(s, team, plus(slot, 72 * HOUR))).toBeNull();
    tick(s, slot);
    expect(dueSlot(s, team, plus(slot, MINUTE))).toBeNull();
  });
});

/** A clock each look at which is 4 ms later: a 10 ms slice ends after a few units of work. */
const steppingClock = (): (() => number) => {
  let ms = 0;
  return () => (ms += 4);
};

/** Other work that wants a turn of the event loop as often as it gets one; stop() says how many it got. */
function otherWork(): { stop(): number } {
  let turns = 0;
  let running = true;
  const other = (): void => {
    turns++;
    if (running) setImmediate(other);
  };
  setImmediate(other);
  return {
    stop: () => {
      running = false;
      return turns;
    },
  };
}

describe('the minute tick in slices', () => {
  it('does the same work as one tick, yet lets other work run between its slices', async () => {
    const created = at('2025-05-28T12:00:00Z');
    for (let i = 0; i < 30; i++) {
      const t = s.teams.create(`team-${i}`, 'UMGR', 'Europe/Berlin', created);
      s.teams.addMembers(t.id, ['U1', 'U2', 'U3']);
    }
    const other = otherWork();
    const result = await tickInSlices(s, at('2025-06-02T08:00:30Z'), { sliceMs: 10, clock: steppingClock() });
    const turns = other.stop();
    expect(result).toMatchObject({ opened: 30, reminded: 0, closed: 0 });
    expect(queued('invite:')).toHaveLength(90);
    // Other work got turns while the tick ran: at least one per slice of its 30 openings.
    expect(turns).toBeGreaterThanOrEqual(10);
    // And it is the same tick: nothing more is due at that minute.
    expect(tick(s, at('2025-06-02T08:00:30Z')).opened).toBe(0);
  });
});

describe("a lead's digest in slices", () => {
  it('is the same digest, yet lets other work run between its teams', async () => {
    const created = at('2025-05-28T12:00:00Z');
    for (let i = 0; i < 30; i++) {
      const t = s.teams.create(`led-${i}`, 'UMGR', 'Europe/Berlin', created);
      s.teams.setLead(t.id, 'ULEAD');
    }
    const other = otherWork();
    const sliced = await leadDigestMessage(s, 'ULEAD', { sliceMs: 10, clock: steppingClock() });
    const turns = other.stop();
    expect(turns).toBeGreaterThanOrEqual(10);
    // Built without a pause, it says the same.
    expect(await leadDigestMessage(s, 'ULEAD', { sliceMs: Number.POSITIVE_INFINITY })).toEqual(sliced);
    expect(sliced.text).toContain('30 teams');
    expect(JSON.stringify(sliced.blocks)).toContain('led-29');
  });
});
