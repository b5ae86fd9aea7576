// Privacy under a full round: nothing in the database file or the logs links an answer to a person,
// and live participation is shown to the manager (and lead) only as "N of M answered so far", from the
// threshold on.
import { readFileSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.ts';

const MEMBERS = ['U01', 'U02', 'U03', 'U04', 'U05', 'U06', 'U07', 'U08'];
const NOTES = MEMBERS.map((_, i) => `note-secret-${i}-qz`);

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

describe('live participation during an open round', () => {
  it('tells the manager and lead only "fewer than N" below the threshold, then "N of M"; members never', async () => {
    const id = roundId();
    const status = async (user: string) => (await app.command(user, '')).reply;
    expect(await status('UMGR')).toContain('fewer than 5 answered so far');
    for (let i = 0; i < 4; i++)
      expect((await app.submit(MEMBERS[i] as string, id, answer(i))).status).toBe(200);
    expect(await status('UMGR')).toContain('fewer than 5 answered so far');
    expect(await status('UMGR')).not.toMatch(/\b4 of 8\b/);
    expect(await status('U01')).not.toMatch(/answered so far/);

    await app.submit('U05', id, answer(4));
    expect(await status('UMGR')).toContain('5 of 8 answered so far');
    expect(await status('ULEAD')).toContain('5 of 8 answered so far');
    for (const u of ['U01', 'U06']) {
      const text = await status(u);
      expect(text).toContain('check-in is open');
      expect(text).not.toMatch(/answered so far|\b5 of 8\b/);
    }
  });
});

describe('after a full round', () => {
  it('keeps answers unlinkable in the database file and out of the logs', async () => {
    const id = roundId();
    for (const [i, u] of MEMBERS.entries()) {
      expect(await app.submit(u, id, answer(i), NOTES[i])).toEqual({ status: 200, json: null });
    }
    await app.command('UMGR', 'close priv');
    await app.drain();
    await new Promise((r) => setTimeout(r, 100));

    const db = new Database(app.dbPath);
    // Bring the WAL into the file, as a copy of the data folder eventually would.
    db.pragma('wal_checkpoint(TRUNCATE)');
    const columns = (t: string) =>
      (db.pragma(`table_info(${t})`) as Array<{ name: string }>).map((c) => c.name);
    expect(columns('responses')).toEqual([
      'round_id',
      'id',
      'energy',
      'boundaries',
      'ownership',
      'recognition',
      'note',
    ]);
    expect(columns('invites')).toEqual(['round_id', 'user_id', 'answered', 'dm_channel', 'dm_ts']);
    const keys = db
      .prepare('SELECT id, note FROM responses WHERE round_id = ? ORDER BY id')
      .all(id) as Array<{
      id: Buffer;
      note: string;
    }>;
    expect(keys).toHaveLength(MEMBERS.length);
    for (const k of keys) expect(k.id.length).toBe(16);

    // No table but responses holds a note; no table holds a time next to a user.
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>
    )
      .map((t) => t.name)
      .filter((t) => t !== 'responses');
    for (const t of tables) {
      const dump = JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all());
      for (const note of NOTES) expect(dump, t).not.toContain(note);
    }
    db.close();

    // The bytes of the file: each note once, laid out in the order of the random keys — not in the
    // order people answered (SQLite appends rows in a page in arrival order; the scrub rewrites them).
    const file = readFileSync(app.dbPath);
    const offsets = keys.map((k) => {
      const first = file.indexOf(k.note);
      expect(first).toBeGreaterThan(0);
      expect(file.indexOf(k.note, first + 1), `${k.note} appears twice`).toBe(-1);
      return first;
    });
    const ascending = offsets.every((o, i) => i === 0 || o > (offsets[i - 1] as number));
    const descending = offsets.every((o, i) => i === 0 || o < (offsets[i - 1] as number));
    expect(ascending || descending, 'rows are laid out by key').toBe(true);
    const wal = `${app.dbPath}-wal`;
    let walBytes = Buffer.alloc(0);
    try {
      if (statSync(wal).size > 0) walBytes = readFileSync(wal);
    } catch {}
    for (const note of NOTES) expect(walBytes.includes(note)).toBe(false);

    // Logs: no note, no answer, no member named.
    const logs = app.logs.join('\n');
    for (const note of NOTES) expect(logs).not.toContain(note);
    expect(logs).not.toMatch(/energy|boundaries|ownership|recognition/i);
    for (const u of MEMBERS) expect(logs).not.toContain(u);
    expect(app.logs.length).toBeGreaterThan(0);
  });
});
