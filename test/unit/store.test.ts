import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Answers, Score } from '../../src/domain/dimensions.ts';
import { type Db, openDatabase } from '../../src/store/db.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { type OutboxStore, outboxStore } from '../../src/store/outbox.ts';
import { type RoundStore, roundStore } from '../../src/store/rounds.ts';
import { readOpenSlot, SLOT_BYTES } from '../../src/store/sealing.ts';
import { type TeamStore, teamStore } from '../../src/store/teams.ts';

const HOUR = 3_600_000;
const T0 = new Date('2025-03-03T09:00:00Z');
const later = (h: number): Date => new Date(T0.getTime() + h * HOUR);

const answers = (e: number, b = e, o = e, r = e): Answers => ({
  energy: e as Score,
  boundaries: b as Score,
  ownership: o as Score,
  recognition: r as Score,
});

let dir: string;
let path: string;
let db: Db;
let teams: TeamStore;
let rounds: RoundStore;
let outbox: OutboxStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'teamhealth-store-'));
  path = join(dir, 'nested', 'th.db');
  db = openDatabase(path);
  teams = teamStore(db);
  rounds = roundStore(db);
  outbox = outboxStore(db);
});

afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A team with members and one open round inviting them all. */
function teamWithRound(slug: string, members: string[], at = T0) {
  const team = teams.create(slug, 'UMANAGER', 'UTC', at);
  teams.addMembers(team.id, members);
  const round = db.transaction(() =>
    rounds.insert(
      team.id,
      null,
      at,
      new Date(at.getTime() + 24 * HOUR),
      new Date(at.getTime() + 72 * HOUR),
      members,
      { minResponses: 5, keyCheck: null },
    ),
  )();
  return { team, round };
}

/** What the used answer slots hold, in the table's order. */
const usedSlots = () =>
  db
    .prepare<[], { body: Buffer }>('SELECT body FROM answer_slots WHERE used = 1')
    .all()
    .map((r) => readOpenSlot(r.body));

describe('openDatabase', () => {
  it('creates the folder and the file, applies every migration, and turns WAL on', () => {
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(String(db.pragma('journal_mode', { simple: true })).toLowerCase()).toBe('wal');
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining(['teams', 'members', 'rounds', 'invites', 'answer_slots', 'notes', 'outbox']),
    );
  });

  it('re-opening is idempotent and keeps the data', () => {
    const team = teams.create('core', 'U1', 'UTC', T0);
    teams.addMembers(team.id, ['U2']);
    const schema = db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();
    db.close();
    for (let i = 0; i < 2; i++) {
      db = openDatabase(path);
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all()).toEqual(schema);
      expect(teamStore(db).bySlug('core')?.managerId).toBe('U1');
      expect(teamStore(db).members(team.id)).toEqual(['U2']);
      db.close();
    }
    db = openDatabase(path);
  });

  it('refuses a database newer than the code', () => {
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openDatabase(path)).toThrow(/newer/);
    db = openDatabase(join(dir, 'other.db'));
  });
});

describe('privacy by construction', () => {
  it.each(['answer_slots', 'notes'])('%s have no user column and no time column', (table) => {
    const columns = db
      .prepare<[], { name: string; type: string }>(`PRAGMA table_info(${table})`)
      .all()
      .map((c) => c.name.toLowerCase());
    expect(columns).toContain('round_id');
    for (const c of columns) {
      expect(c, `${table}.${c}`).not.toMatch(/user|member|invite|slack|who|_by$/);
      expect(c, `${table}.${c}`).not.toMatch(/time|_at$|date|created|updated|submitted|ts$|stamp|seq|order/);
    }
    // No foreign key into invites either.
    const fks = db.prepare<[], { table: string }>(`PRAGMA foreign_key_list(${table})`).all();
    expect(fks.map((f) => f.table)).toEqual(['rounds']);
  });

  it('invites keep only a yes/no for answering, no answer time', () => {
    const columns = db
      .prepare<[], { name: string }>('PRAGMA table_info(invites)')
      .all()
      .map((c) => c.name.toLowerCase());
    expect(columns).toContain('answered');
    for (const c of columns) expect(c).not.toMatch(/_at$|time|date|submitted|response/);
  });

  it('stored order of responses follows neither submission order nor its reverse', () => {
    const members = Array.from({ length: 50 }, (_, i) => `U${String(i).padStart(3, '0')}`);
    const { round } = teamWithRound('big', members);
    // Each member's answer is told apart by its note, so the stored order can be read back.
    members.forEach((u, i) => {
      expect(rounds.recordResponse(round.id, u, answers((i % 5) + 1), `n${i}`)).toBe(true);
    });
    const slots = db.prepare<[], { id: number; body: Buffer }>('SELECT id, body FROM answer_slots').all();
    const stored = slots.map((r) => readOpenSlot(r.body)?.note);
    const submitted = members.map((_, i) => `n${i}`);
    expect([...stored].sort()).toEqual([...submitted].sort());
    expect(stored).not.toEqual(submitted);
    expect(stored).not.toEqual([...submitted].reverse());
    // The row ids (the table's order) are random, not a sequence in the order answers came.
    const idsInSubmissionOrder = submitted.map((n) => slots[stored.indexOf(n)]?.id ?? 0);
    expect(idsInSubmissionOrder).not.toEqual([...idsInSubmissionOrder].sort((a, b) => a - b));
    expect(idsInSubmissionOrder).not.toEqual([...idsInSubmissionOrder].sort((a, b) => b - a));
  });

  it('an answer slot carries only its round, a random key, whether it is used, and the answer', () => {
    const { round } = teamWithRound('core', ['U1']);
    rounds.recordResponse(round.id, 'U1', answers(4, 3, 2, 1), 'hello');
    const row = db.prepare('SELECT * FROM answer_slots').get() as Record<string, unknown>;
    expect(Object.keys(row).sort()).toEqual(['body', 'id', 'round_id', 'used'].sort());
    expect(readOpenSlot(row.body as Buffer)).toEqual({
      answers: answers(4, 3, 2, 1),
      note: 'hello',
      replyCheck: null,
    });
    expect((row.body as Buffer).length).toBe(SLOT_BYTES);
    expect((row.body as Buffer).includes('U1')).toBe(false);
  });
});

describe('roundStore.recordResponse', () => {
  it('stores one answer, marks the invite answered, and refuses a second one', () => {
    const { round } = teamWithRound('core', ['U1', 'U2']);
    expect(rounds.recordResponse(round.id, 'U1', answers(4), 'first')).toBe(true);
    expect(rounds.invite(round.id, 'U1')?.answered).toBe(true);
    expect(rounds.invite(round.id, 'U2')?.answered).toBe(false);

    expect(rounds.recordResponse(round.id, 'U1', answers(1), 'second')).toBe(false);
    expect(usedSlots()).toEqual([{ answers: answers(4), note: 'first', replyCheck: null }]);
    expect(rounds.counts(round.id)).toEqual({ invited: 2, answered: 1 });
  });

  it('stores nothing for someone who was not invited', () => {
    const { round } = teamWithRound('core', ['U1']);
    expect(rounds.recordResponse(round.id, 'U2', answers(3), null)).toBe(false);
    expect(usedSlots()).toEqual([]);
  });

  it('stores nothing when an answer is out of range, and leaves the invite open', () => {
    const { round } = teamWithRound('core', ['U1']);
    expect(() => rounds.recordResponse(round.id, 'U1', answers(6), null)).toThrow();
    expect(rounds.invite(round.id, 'U1')?.answered).toBe(false);
    expect(usedSlots()).toEqual([]);
  });

  it('stores nothing when a note is longer than 500 characters', () => {
    const { round } = teamWithRound('core', ['U1']);
    expect(() => rounds.recordResponse(round.id, 'U1', answers(3), 'x'.repeat(501))).toThrow();
    expect(rounds.invite(round.id, 'U1')?.answered).toBe(false);
    expect(rounds.recordResponse(round.id, 'U1', answers(3), 'x'.repeat(500))).toBe(true);
  });
});

describe('roundStore rounds', () => {
  it('allows one open round per team', () => {
    const { team } = teamWithRound('core', ['U1']);
    expect(() =>
      rounds.insert(team.id, null, later(1), later(25), later(73), ['U1'], {
        minResponses: 5,
        keyCheck: null,
      }),
    ).toThrow();
    expect(rounds.openFor(team.id)?.number).toBe(1);
  });

  it('marks reminded and closed once', () => {
    const { round } = teamWithRound('core', ['U1']);
    expect(rounds.dueReminders(later(23))).toEqual([]);
    expect(rounds.dueReminders(later(24)).map((r) => r.id)).toEqual([round.id]);
    expect(rounds.markReminded(round.id)).toBe(true);
    expect(rounds.markReminded(round.id)).toBe(false);
    expect(rounds.dueReminders(later(30))).toEqual([]);
    expect(rounds.dueClose(later(71))).toEqual([]);
    expect(rounds.dueClose(later(72)).map((r) => r.id)).toEqual([round.id]);
    expect(rounds.markClosed(round.id, later(72))).toBe(true);
    expect(rounds.markClosed(round.id, later(73))).toBe(false);
    expect(rounds.byId(round.id)?.closedAt?.toISOString()).toBe(later(72).toISOString());
  });

  it('closedTallies returns closed rounds oldest first with their distributions', () => {
    const team = teams.create('core', 'UM', 'UTC', T0);
    const members = ['U1', 'U2', 'U3', 'U4'];
    teams.addMembers(team.id, members);
    const plan: Answers[][] = [
      [answers(1), answers(2), answers(2)],
      [answers(5, 4, 3, 2), answers(5, 4, 3, 1)],
      [answers(3)],
    ];
    const ids: number[] = [];
    plan.forEach((round, week) => {
      const open = later(week * 168);
      const r = rounds.insert(
        team.id,
        open.getTime(),
        open,
        later(week * 168 + 24),
        later(week * 168 + 72),
        members,
        { minResponses: 1, keyCheck: null },
      );
      ids.push(r.id);
      round.forEach((a, i) => {
        rounds.recordResponse(r.id, members[i] as string, a, null);
      });
      rounds.markClosed(r.id, later(week * 168 + 72));
    });
    // A fourth, still open round is not part of the history.
    rounds.insert(team.id, null, later(600), later(624), later(672), members, {
      minResponses: 5,
      keyCheck: null,
    });

    const all = rounds.closedTallies(team.id, 10);
    expect(all.map((t) => t.roundId)).toEqual(ids);
    expect(all.map((t) => t.number)).toEqual([1, 2, 3]);
    expect(all.map((t) => [t.invited, t.responded])).toEqual([
      [4, 3],
      [4, 2],
      [4, 1],
    ]);
    expect(all[0]?.distributions.energy).toEqual([1, 2, 0, 0, 0]);
    expect(all[1]?.distributions).toEqual({
      energy: [0, 0, 0, 0, 2],
      boundaries: [0, 0, 0, 2, 0],
      ownership: [0, 0, 2, 0, 0],
      recognition: [1, 1, 0, 0, 0],
    });
    expect(all[2]?.distributions.recognition).toEqual([0, 0, 1, 0, 0]);

    // The limit keeps the latest rounds, still oldest first.
    expect(rounds.closedTallies(team.id, 2).map((t) => t.roundId)).toEqual(ids.slice(1));
  });
});

describe('teamStore.forget', () => {
  it('removes memberships, drops unanswered open invites and queued deliveries, and anonymises the past', () => {
    const team = teams.create('core', 'UM', 'UTC', T0);
    const other = teams.create('other', 'UM', 'UTC', T0);
    const members = ['U1', 'U2', 'U3'];
    teams.addMembers(team.id, members);
    teams.addMembers(other.id, ['U1']);

    // Two past rounds where U1 was invited (answered once, skipped once).
    const past: number[] = [];
    for (const week of [0, 1]) {
      const r = rounds.insert(
        team.id,
        null,
        later(week * 168),
        later(week * 168 + 24),
        later(week * 168 + 72),
        members,
        { minResponses: 5, keyCheck: null },
      );
      rounds.setDm(r.id, 'U1', 'DU1', `17000000${week}.000100`);
      if (week === 0) rounds.recordResponse(r.id, 'U1', answers(4), null);
      rounds.recordResponse(r.id, 'U2', answers(3), null);
      rounds.markClosed(r.id, later(week * 168 + 72));
      past.push(r.id);
    }
    const pastCounts = past.map((id) => rounds.counts(id));

    // An open round, U1 has not answered; invite and reminder are queued.
    const open = rounds.insert(team.id, null, later(336), later(360), later(408), members, {
      minResponses: 5,
      keyCheck: null,
    });
    for (const u of members) outbox.enqueue(`invite:${open.id}:${u}`, 'chat.postMessage', { channel: u });
    for (const u of members) outbox.enqueue(`reminder:${open.id}:${u}`, 'chat.postMessage', { channel: u });
    outbox.enqueue(`summary:${past[1]}`, 'chat.postMessage', { channel: 'UM' });

    expect(teams.forget('U1')).toEqual({ memberships: 2 });

    expect(teams.members(team.id)).toEqual(['U2', 'U3']);
    expect(teams.members(other.id)).toEqual([]);
    expect(rounds.invite(open.id, 'U1')).toBeUndefined();
    expect(rounds.counts(open.id)).toEqual({ invited: 2, answered: 0 });

    const keys = db
      .prepare<[], { key: string }>('SELECT key FROM outbox ORDER BY key')
      .all()
      .map((r) => r.key);
    expect(keys).not.toContain(`invite:${open.id}:U1`);
    expect(keys).not.toContain(`reminder:${open.id}:U1`);
    expect(keys).toEqual(
      expect.arrayContaining([
        `invite:${open.id}:U2`,
        `invite:${open.id}:U3`,
        `reminder:${open.id}:U2`,
        `summary:${past[1]}`,
      ]),
    );

    // No trace of U1 anywhere in invites; the past counts are unchanged.
    expect(db.prepare("SELECT count(*) AS n FROM invites WHERE user_id = 'U1'").get()).toEqual({ n: 0 });
    expect(past.map((id) => rounds.counts(id))).toEqual(pastCounts);
    const placeholders = db
      .prepare<[], { user_id: string; dm_channel: string | null; dm_ts: string | null }>(
        "SELECT user_id, dm_channel, dm_ts FROM invites WHERE user_id NOT IN ('U2', 'U3')",
      )
      .all();
    expect(placeholders).toHaveLength(2);
    expect(new Set(placeholders.map((p) => p.user_id)).size).toBe(2);
    for (const p of placeholders) {
      expect(p.user_id).not.toMatch(/U1/);
      expect(p.dm_channel).toBeNull();
      expect(p.dm_ts).toBeNull();
    }
    expect(JSON.stringify(db.prepare('SELECT * FROM outbox').all())).not.toMatch(/"U1"|:U1"/);
  });

  it('leaves other users with a similar id alone', () => {
    const { team, round } = teamWithRound('core', ['U1', 'U11', 'XU1']);
    for (const u of ['U1', 'U11', 'XU1']) outbox.enqueue(`invite:${round.id}:${u}`, 'chat.postMessage', {});
    teams.forget('U1');
    expect(teams.members(team.id)).toEqual(['U11', 'XU1']);
    expect(rounds.invites(round.id).map((i) => i.userId)).toEqual(['U11', 'XU1']);
    expect(
      db
        .prepare<[], { key: string }>('SELECT key FROM outbox ORDER BY key')
        .all()
        .map((r) => r.key),
    ).toEqual([`invite:${round.id}:U11`, `invite:${round.id}:XU1`]);
  });

  it('takes back requests to join and every queued or failed DM about them, and nobody else’s', () => {
    const team = teams.create('core', 'UMGR', 'UTC', T0);
    for (const u of ['U1', 'U11']) {
      expect(teams.addPending(team.id, u, 'UMGR')).toBe(true);
      outbox.enqueue(`join:${team.id}:${u}`, 'chat.postMessage', { channel: u });
    }
    outbox.enqueue(`declined:${team.id}:U1`, 'chat.postMessage', { channel: 'UMGR' });
    const failed = outbox.claimNext(later(1), []);
    outbox.fail(failed?.id ?? -1, 'account_inactive');
    expect(teams.forget('U1')).toEqual({ memberships: 1 });
    expect(teams.pending(team.id)).toEqual([{ userId: 'U11', addedBy: 'UMGR' }]);
    const keys = db.prepare<[], { key: string }>('SELECT key FROM outbox ORDER BY key').all();
    expect(keys.map((r) => r.key)).toEqual([`join:${team.id}:U11`]);
  });
});

describe('teamStore requests to join', () => {
  it('asks once, keeps who asked, and goes with the team', () => {
    const team = teams.create('core', 'UMGR', 'UTC', T0);
    expect(teams.addPending(team.id, 'U1', 'ULEAD')).toBe(true);
    expect(teams.addPending(team.id, 'U1', 'UMGR')).toBe(false);
    expect(teams.pendingAddedBy(team.id, 'U1')).toBe('ULEAD');
    // Asked is not a member: not invited, not counted.
    expect(teams.members(team.id)).toEqual([]);
    expect(teams.invitees(team.id, T0)).toEqual([]);
    expect(teams.removePending(team.id, 'U1')).toBe(true);
    expect(teams.removePending(team.id, 'U1')).toBe(false);
    teams.addPending(team.id, 'U2', 'UMGR');
    db.prepare('DELETE FROM teams WHERE id = ?').run(team.id);
    expect(db.prepare('SELECT count(*) AS n FROM pending_members').get()).toEqual({ n: 0 });
  });
});

describe('outboxStore', () => {
  it('enqueue is idempotent per key', () => {
    outbox.enqueue('invite:1:U1', 'chat.postMessage', { channel: 'U1', text: 'a' });
    outbox.enqueue('invite:1:U1', 'chat.postMessage', { channel: 'U1', text: 'b' });
    expect(outbox.counts()).toEqual({ pending: 1, sending: 0, failed: 0 });
    expect(outbox.claimNext(T0, [])?.payload).toEqual({ channel: 'U1', text: 'a' });
    // Still the same key while in flight: queuing again does nothing.
    outbox.enqueue('invite:1:U1', 'chat.postMessage', { channel: 'U1', text: 'c' });
    expect(outbox.counts()).toEqual({ pending: 0, sending: 1, failed: 0 });
  });

  it('claimNext hands out rows in queue order and marks them in flight', () => {
    outbox.enqueue('a', 'chat.postMessage', { n: 1 }, { kind: 'invite', roundId: 7, userId: 'U1' });
    outbox.enqueue('b', 'chat.update', { n: 2 });
    const first = outbox.claimNext(T0, []);
    expect(first).toMatchObject({
      key: 'a',
      method: 'chat.postMessage',
      payload: { n: 1 },
      effect: { kind: 'invite', roundId: 7, userId: 'U1' },
      attempts: 1,
    });
    expect(outbox.counts()).toEqual({ pending: 1, sending: 1, failed: 0 });
    expect(outbox.claimNext(T0, [])).toMatchObject({ key: 'b', effect: null, attempts: 1 });
    expect(outbox.claimNext(T0, [])).toBeUndefined();
  });

  it('claimNext skips paused methods', () => {
    outbox.enqueue('a', 'chat.postMessage', {});
    outbox.enqueue('b', 'chat.update', {});
    outbox.enqueue('c', 'chat.postMessage', {});
    expect(outbox.claimNext(T0, ['chat.postMessage'])?.key).toBe('b');
    expect(outbox.claimNext(T0, ['chat.postMessage'])).toBeUndefined();
    expect(outbox.claimNext(T0, [])?.key).toBe('a');
  });

  it('resetInFlight brings rows in flight back to pending, once each', () => {
    outbox.enqueue('a', 'chat.postMessage', {});
    outbox.enqueue('b', 'chat.postMessage', {});
    outbox.claimNext(T0, []);
    expect(outbox.counts()).toEqual({ pending: 1, sending: 1, failed: 0 });
    expect(outbox.resetInFlight()).toBe(1);
    expect(outbox.resetInFlight()).toBe(0);
    expect(outbox.counts()).toEqual({ pending: 2, sending: 0, failed: 0 });
    expect(outbox.claimNext(T0, [])?.key).toBe('a');
  });

  it('complete removes the row, leaving no send time behind', () => {
    outbox.enqueue('a', 'chat.postMessage', {});
    const row = outbox.claimNext(T0, []);
    outbox.complete(row?.id ?? -1);
    expect(db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 0 });
  });

  it('retry waits until not_before; a rate limit does not count an attempt, an error does', () => {
    outbox.enqueue('a', 'chat.postMessage', {});
    const attempts = () =>
      (db.prepare("SELECT attempts FROM outbox WHERE key = 'a'").get() as { attempts: number }).attempts;

    let row = outbox.claimNext(T0, []);
    outbox.retry(row?.id ?? -1, later(1), 'rate_limited', false);
    expect(attempts()).toBe(0);
    expect(outbox.nextDueAt()).toBe(later(1).getTime());
    expect(outbox.claimNext(T0, [])).toBeUndefined();

    row = outbox.claimNext(later(1), []);
    expect(row?.attempts).toBe(1);
    outbox.retry(row?.id ?? -1, later(2), 'http_500', true);
    expect(attempts()).toBe(1);

    row = outbox.claimNext(later(2), []);
    expect(row?.attempts).toBe(2);
  });

  it('fail keeps the row for the operator with its error', () => {
    outbox.enqueue('k', 'chat.postMessage', {});
    const row = outbox.claimNext(T0, []);
    outbox.fail(row?.id ?? -1, 'account_inactive');
    expect(outbox.counts()).toEqual({ pending: 0, sending: 0, failed: 1 });
    expect(outbox.failed(10)).toEqual([
      { key: 'k', method: 'chat.postMessage', attempts: 1, error: 'account_inactive' },
    ]);
    expect(outbox.claimNext(later(1000), [])).toBeUndefined();
    expect(outbox.resetInFlight()).toBe(0);
  });
});
