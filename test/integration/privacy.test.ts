// Privacy read from the files, byte by byte, the way someone holding a copy of them would: below a
// round's threshold its answers cannot be read at all; nothing in the files orders answers by arrival;
// a round keeps the threshold it opened with; live participation moves at most once an hour.
import { readFileSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCheckinToken } from '../../src/domain/ids.ts';
import { actionStore } from '../../src/store/actions.ts';
import { roundStore } from '../../src/store/rounds.ts';
import { readOpenSlot, SLOT_BYTES, unsealAnswer } from '../../src/store/sealing.ts';
import { teamStore } from '../../src/store/teams.ts';
import { exportTeam } from '../../src/usecases/export.ts';
import { expectLaidOutInOrder, walOf } from '../support/dbFiles.ts';
import { checkinTokenIn, startTestApp, type TestApp } from '../support/harness.ts';

const MEMBERS = ['U01', 'U02', 'U03', 'U04', 'U05', 'U06', 'U07', 'U08'];
const NOTES = MEMBERS.map((_, i) => `note-secret-${i}-qz`);
const HOUR = 3_600_000;

let app: TestApp;

beforeEach(async () => {
  app = await startTestApp({ ADMIN_USER_IDS: 'UADMIN' });
  await app.command('UMGR', 'team create priv');
  await app.addMembers('UMGR', 'priv', MEMBERS.map((u) => `<@${u}>`).join(' '));
  await app.command('UMGR', 'team lead priv <@ULEAD>');
  await app.command('UMGR', 'checkin priv');
  await app.drain();
});
afterEach(async () => {
  await app.close();
});

const roundId = () => {
  const t = app.runtime.services.teams.bySlug('priv');
  return app.runtime.services.rounds.latest(t?.id ?? -1)?.id ?? -1;
};

const answer = (i: number) => ({
  energy: (i % 5) + 1,
  boundaries: ((i + 2) % 5) + 1,
  ownership: ((i + 3) % 5) + 1,
  recognition: ((i + 4) % 5) + 1,
});

/** Lets the checkpoint queued before an acknowledgement run. */
const settle = () => new Promise((r) => setImmediate(r));

/** Everything on disk: the database file, its WAL and its shared-memory file. */
const files = (): Buffer =>
  Buffer.concat(
    ['', '-wal', '-shm'].map((suffix) => {
      try {
        return readFileSync(`${app.dbPath}${suffix}`);
      } catch {
        return Buffer.alloc(0);
      }
    }),
  );

/** The answer slots of a round as a copy of the file shows them, in key order. */
function slotsOnDisk(id: number): Array<{ id: number; used: number; body: Buffer }> {
  const copy = new Database(app.dbPath, { readonly: true });
  try {
    return copy
      .prepare('SELECT id, used, body FROM answer_slots WHERE round_id = ? ORDER BY id')
      .all(id) as Array<{ id: number; used: number; body: Buffer }>;
  } finally {
    copy.close();
  }
}

/** Brings the WAL into the file, as a copy of the data folder eventually would. */
function checkpoint(): void {
  const db = new Database(app.dbPath);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** Where each slot's bytes sit in the database file. */
const offsetsIn = (file: Buffer, bodies: readonly Buffer[]): number[] => bodies.map((b) => file.indexOf(b));

describe('below the threshold', () => {
  it('keeps acknowledged answers sealed: no note and no readable answer in any file, yet durable with the key', async () => {
    const id = roundId();
    for (let i = 0; i < 4; i++) {
      expect(await app.submit(MEMBERS[i] as string, id, answer(i), NOTES[i])).toEqual({
        status: 200,
        json: null,
      });
      await settle();
    }
    const disk = files();
    for (const note of NOTES) expect(disk.includes(note), `${note} on disk`).toBe(false);
    const slots = slotsOnDisk(id);
    expect(slots).toHaveLength(MEMBERS.length);
    expect(slots.filter((s) => s.used === 1)).toHaveLength(4);
    for (const s of slots) {
      expect(s.body.length).toBe(SLOT_BYTES);
      expect(readOpenSlot(s.body)).toBeNull();
    }
    // The round key is nowhere on disk: not in the files, not in the queued messages.
    const token = parseCheckinToken(checkinTokenIn(app.fake, 'U01', id));
    const key = token?.key;
    expect(key?.length).toBe(32);
    expect(disk.includes(key as Buffer)).toBe(false);
    expect(disk.includes((key as Buffer).toString('base64url'))).toBe(false);
    // Yet the answers are there, durable: the key the members hold opens exactly those four.
    const opened = slots.flatMap((s) => {
      const a = unsealAnswer(s.body, key as Buffer);
      return a ? [a.note] : [];
    });
    expect(opened.sort()).toEqual(NOTES.slice(0, 4).sort());
  });

  it('forgets a round that closes hidden: only its participation count stays', async () => {
    const id = roundId();
    const sealed: Buffer[] = [];
    for (let i = 0; i < 3; i++) {
      await app.submit(MEMBERS[i] as string, id, answer(i), NOTES[i]);
      await settle();
    }
    for (const s of slotsOnDisk(id)) if (s.used === 1) sealed.push(s.body);
    expect(sealed).toHaveLength(3);
    await app.command('UMGR', 'close priv');
    await app.drain();
    await settle();

    expect(slotsOnDisk(id)).toEqual([]);
    const disk = files();
    for (const body of sealed) expect(disk.includes(body), 'a sealed answer left on disk').toBe(false);
    const counts = app.runtime.services.rounds.counts(id);
    expect(counts).toEqual({ invited: 8, answered: 3 });
    const summary = app.fake.dmsTo('UMGR').at(-1);
    expect(JSON.stringify(summary?.body)).toContain('3 of 8');
  });
});

describe('no single copy orders answers', () => {
  it('fills slots made in random order at open, in place: their places in the file never move', async () => {
    const id = roundId();
    checkpoint();
    const atOpen = slotsOnDisk(id);
    const before = offsetsIn(
      readFileSync(app.dbPath),
      atOpen.map((s) => s.body),
    );
    for (const o of before) expect(o).toBeGreaterThan(0);

    for (const [i, u] of MEMBERS.entries()) {
      expect(await app.submit(u, id, answer(i), NOTES[i])).toEqual({ status: 200, json: null });
      await settle();
      // The commit that paired this answer with its invite has left the WAL.
      expect(walOf(app.dbPath).length, 'the WAL after an answer').toBe(0);
    }
    const after = slotsOnDisk(id);
    expect(after.map((s) => s.id)).toEqual(atOpen.map((s) => s.id));
    expect(after.every((s) => s.used === 1)).toBe(true);
    // The round reached its threshold: its answers are open now, each where its slot always was.
    expect(
      offsetsIn(
        readFileSync(app.dbPath),
        after.map((s) => s.body),
      ),
    ).toEqual(before);
    const notesBySlot = after.map((s) => readOpenSlot(s.body)?.note);
    expect([...notesBySlot].sort()).toEqual([...NOTES].sort());

    // At close the notes move, all at once, under random keys laid out in key order.
    await app.command('UMGR', 'close priv');
    await app.drain();
    checkpoint();
    const copy = new Database(app.dbPath, { readonly: true });
    const byKey = copy
      .prepare('SELECT note FROM notes WHERE round_id = ? ORDER BY id')
      .pluck()
      .all(id) as string[];
    copy.close();
    expect([...byKey].sort()).toEqual([...NOTES].sort());
    expectLaidOutInOrder(app.dbPath, byKey);
    expect(slotsOnDisk(id)).toEqual([]);
  });

  it('keeps no outbox row naming a person and a round once delivered, and none that failed', async () => {
    const id = roundId();
    await app.submit('U01', id, answer(0));
    await app.drain();
    // The DM of the next one cannot be updated any more: that notice fails for good.
    app.fake.failNext('chat.update', { error: 'cant_update_message' });
    await app.submit('U02', id, answer(1));
    await app.drain();
    const copy = new Database(app.dbPath, { readonly: true });
    const keys = copy.prepare('SELECT key FROM outbox').pluck().all() as string[];
    copy.close();
    for (const k of keys) for (const u of MEMBERS) expect(k).not.toContain(u);
    expect(keys.some((k) => /^failed:recorded:\d+:[0-9a-f]{16}$/.test(k))).toBe(true);
  });

  it('retries a checkpoint another reader blocks, says so, and completes it once the reader lets go', async () => {
    const id = roundId();
    const reader = new Database(app.dbPath, { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM answer_slots').get();
    await app.submit('U01', id, answer(0));
    await settle();
    expect(app.logs.join('\n')).toMatch(/checkpoint blocked by another reader/);
    expect(walOf(app.dbPath).length).toBeGreaterThan(0);
    reader.exec('COMMIT');
    reader.close();
    const deadline = Date.now() + 20_000;
    while (!app.logs.some((l) => /checkpoint completed/.test(l)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(app.logs.join('\n')).toMatch(/checkpoint completed after \d+ blocked tr/);
    expect(walOf(app.dbPath).length).toBe(0);
  });
});

describe('the threshold is part of the round', () => {
  it('keeps a round hidden under its own threshold when MIN_RESPONSES is lowered later', async () => {
    const id = roundId();
    for (let i = 0; i < 3; i++) await app.submit(MEMBERS[i] as string, id, answer(i), NOTES[i]);
    await app.command('UMGR', 'close priv');
    await app.drain();

    // The operator lowers the threshold to 3: the round promised hidden under 5 stays hidden.
    app.runtime.services.config.minResponses = 3;
    const report = await app.command('UMGR', 'report priv');
    expect(report.reply).toContain('3 of 8');
    expect(report.reply).toMatch(/at least 5 people/);
    expect(report.reply).not.toMatch(/Energy\s+\d\.\d/);
    const db = new Database(app.dbPath, { readonly: true });
    const exported = exportTeam(
      { teams: teamStore(db), rounds: roundStore(db), actions: actionStore(db) },
      'priv',
    );
    db.close();
    expect(exported?.map((r) => [r.responded, r.shown, r.means])).toEqual([[3, false, null]]);

    // A round that opens now keeps the new threshold: three answers are enough.
    await app.command('UMGR', 'checkin priv');
    await app.drain();
    const next = roundId();
    for (let i = 0; i < 3; i++) await app.submit(MEMBERS[i] as string, next, answer(i));
    await app.command('UMGR', 'close priv');
    const shown = await app.command('UMGR', 'report priv');
    expect(shown.reply).toContain('3 of 8');
    expect(shown.reply).not.toMatch(/at least \d people/);
  });
});

describe('live participation during an open round', () => {
  it('tells the manager and lead only "fewer than N" below the threshold, then "N of M", moving at most hourly', async () => {
    const id = roundId();
    const status = async (user: string) => (await app.command(user, '')).reply;
    const hourLater = (n: number) => app.runtime.tick(new Date(Date.now() + n * HOUR + 60_000));
    expect(await status('UMGR')).toContain('fewer than 5 answered so far');
    for (let i = 0; i < 5; i++)
      expect((await app.submit(MEMBERS[i] as string, id, answer(i))).status).toBe(200);
    // Five answered, but the count managers see has not moved yet: a nudge to one person tells nothing.
    expect(await status('UMGR')).toContain('fewer than 5 answered so far');
    expect(await status('U01')).not.toMatch(/answered so far/);

    hourLater(1);
    expect(await status('UMGR')).toContain('5 of 8 answered so far');
    expect(await status('ULEAD')).toContain('5 of 8 answered so far');
    await app.submit('U06', id, answer(5));
    hourLater(1);
    expect(await status('UMGR')).toContain('5 of 8 answered so far');
    hourLater(2);
    expect(await status('UMGR')).toContain('6 of 8 answered so far');
    for (const u of ['U01', 'U07']) {
      const text = await status(u);
      expect(text).toContain('check-in is open');
      expect(text).not.toMatch(/answered so far|\b6 of 8\b/);
    }
  });
});

describe('after a full round', () => {
  it('keeps answers out of the logs, and the files readable by the app alone', async () => {
    const id = roundId();
    for (const [i, u] of MEMBERS.entries()) {
      expect(await app.submit(u, id, answer(i), NOTES[i])).toEqual({ status: 200, json: null });
    }
    await app.command('UMGR', 'close priv');
    await app.drain();
    await settle();

    const db = new Database(app.dbPath, { readonly: true });
    // No table but notes holds a note once the round closed; no table holds a time next to a user.
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>
    )
      .map((t) => t.name)
      .filter((t) => t !== 'notes');
    for (const t of tables) {
      const dump = JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all());
      for (const note of NOTES) expect(dump, t).not.toContain(note);
    }
    expect((db.pragma('table_info(invites)') as Array<{ name: string }>).map((c) => c.name)).toEqual([
      'round_id',
      'user_id',
      'answered',
      'dm_channel',
      'dm_ts',
    ]);
    db.close();
    checkpoint();
    for (const note of NOTES) expect(walOf(app.dbPath).includes(note)).toBe(false);

    // Logs: no note, no answer, no member named.
    const logs = app.logs.join('\n');
    for (const note of NOTES) expect(logs).not.toContain(note);
    expect(logs).not.toMatch(/energy|boundaries|ownership|recognition/i);
    for (const u of MEMBERS) expect(logs).not.toContain(u);
    expect(app.logs.length).toBeGreaterThan(0);

    // Only the app's own user may read the files.
    expect(statSync(app.dbPath).mode & 0o777).toBe(0o600);
    expect(statSync(`${app.dbPath}-wal`).mode & 0o777).toBe(0o600);
  });
});

describe('forget-me', () => {
  it('takes the person out of the files at once: no queued or failed delivery names them, the WAL is empty', async () => {
    const id = roundId();
    // U03's reminder is queued (not sent yet) when they ask to be forgotten.
    app.runtime.services.outbox.enqueue(`reminder:${id}:U03`, 'chat.postMessage', {
      channel: 'U03',
      text: 'hi',
    });
    app.runtime.services.outbox.enqueue(`closed:${id}:U03`, 'chat.update', { channel: 'DU03', ts: '1.1' });
    const reply = await app.command('U03', 'forget-me');
    expect(reply.reply).toContain('removed you from 1 team');
    expect(walOf(app.dbPath).length, 'the WAL right after forget-me').toBe(0);
    const copy = new Database(app.dbPath, { readonly: true });
    const keys = copy.prepare('SELECT key FROM outbox').pluck().all() as string[];
    const invites = copy.prepare("SELECT count(*) FROM invites WHERE user_id = 'U03'").pluck().get();
    copy.close();
    expect(keys.filter((k) => k.includes('U03'))).toEqual([]);
    expect(invites).toBe(0);
  });
});

describe('the data folder', () => {
  it('is created readable by the app alone', async () => {
    const other = await startTestApp({ DATABASE_PATH: `${app.dir}/fresh/sub/th.db` });
    try {
      expect(statSync(`${app.dir}/fresh/sub`).mode & 0o777).toBe(0o700);
      expect(statSync(`${app.dir}/fresh/sub/th.db`).mode & 0o777).toBe(0o600);
    } finally {
      await other.close();
    }
  });
});
