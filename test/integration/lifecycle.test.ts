// The data lifecycle: RETENTION_WEEKS deletes old rounds with their invites and answers; a team can be
// archived (no more rounds, reports still readable by those who could read them) and brought back.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tick } from '../../src/jobs/tick.ts';
import { closeRound, openRound } from '../../src/usecases/rounds.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';

const MEMBERS = ['U01', 'U02', 'U03', 'U04', 'U05'];
const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

let app: TestApp;

afterEach(async () => {
  await app.close();
});

const s = () => app.runtime.services;

async function teamWithMembers(slug: string): Promise<void> {
  await app.command('UMGR', `team create ${slug}`);
  await app.addMembers('UMGR', slug, MEMBERS.map((u) => `<@${u}>`).join(' '));
  await app.command('UMGR', `team lead ${slug} <@ULEAD>`);
}

const count = (sql: string, ...params: unknown[]): number => {
  const db = new Database(app.dbPath, { readonly: true });
  try {
    return (db.prepare(sql).get(...params) as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('RETENTION_WEEKS', () => {
  it('deletes rounds closed longer ago, with invites, answers and failed deliveries; keeps the rest', async () => {
    app = await startTestApp({ RETENTION_WEEKS: '2' });
    await teamWithMembers('old');
    const team = s().teams.bySlug('old') ?? (undefined as never);
    const t0 = new Date('2024-01-01T10:00:00Z');
    const rounds = [0, 1, 2].map((w) => {
      const opened = openRound(s(), team, new Date(t0.getTime() + w * WEEK));
      if (!opened.ok) throw new Error(opened.reason);
      for (const u of MEMBERS) {
        s().rounds.recordResponse(
          opened.round.id,
          u,
          { energy: 3, boundaries: 3, ownership: 3, recognition: 3 },
          'kept?',
          s().keys.get(opened.round.id) ?? null,
        );
      }
      closeRound(s(), opened.round, new Date(t0.getTime() + w * WEEK + 72 * HOUR));
      return opened.round.id;
    });
    await app.drain();
    // A delivery of the oldest round that failed for good, kept for the operator until retention ends.
    s().outbox.enqueue(`closed:${rounds[0]}:U01`, 'chat.update', { channel: 'DU01', ts: '1.1' });
    s()
      .db.prepare("UPDATE outbox SET status = 'failed', last_error = 'message_not_found' WHERE key = ?")
      .run(`closed:${rounds[0]}:U01`);
    s().teams.setAway('U05', new Date(t0.getTime() + WEEK));
    s().outbox.enqueue(`digest:ULEAD:${t0.getTime()}`, 'chat.postMessage', { channel: 'ULEAD', text: 'old' });
    s()
      .db.prepare(
        "UPDATE outbox SET status = 'failed', last_error = 'invalid_blocks' WHERE key LIKE 'digest:%'",
      )
      .run();

    // Two weeks and an hour after the second round closed: rounds 0 and 1 are past retention, 2 is not.
    const now = new Date(t0.getTime() + WEEK + 72 * HOUR + 2 * WEEK + HOUR);
    const result = tick(s(), now);
    expect(result.deleted).toBe(2);
    expect(count('SELECT count(*) AS n FROM rounds')).toBe(1);
    expect(count('SELECT count(*) AS n FROM rounds WHERE id = ?', rounds[2])).toBe(1);
    for (const id of rounds.slice(0, 2)) {
      expect(count('SELECT count(*) AS n FROM invites WHERE round_id = ?', id)).toBe(0);
      expect(count('SELECT count(*) AS n FROM notes WHERE round_id = ?', id)).toBe(0);
      expect(count('SELECT count(*) AS n FROM rounds WHERE id = ? AND tally IS NOT NULL', id)).toBe(0);
    }
    expect(count('SELECT count(*) AS n FROM notes WHERE round_id = ?', rounds[2])).toBe(5);
    expect(count('SELECT count(*) AS n FROM rounds WHERE id = ? AND tally IS NOT NULL', rounds[2])).toBe(1);
    expect(count("SELECT count(*) AS n FROM outbox WHERE status = 'failed'")).toBe(0);
    expect(count('SELECT count(*) AS n FROM away')).toBe(0);
    // Nothing twice: the next tick deletes nothing more.
    expect(tick(s(), now).deleted).toBe(0);
    // The report still reads the round that is left.
    expect((await app.command('UMGR', 'report old')).reply).not.toContain('no closed round');
  });
});

describe('archiving a team', () => {
  it('closes the open round, stops new ones, keeps reports for manager, lead and admins, and can be undone', async () => {
    app = await startTestApp({ ADMIN_USER_IDS: 'UADMIN' });
    await teamWithMembers('arc');
    await app.command('UMGR', 'checkin arc');
    await app.drain();
    const team = s().teams.bySlug('arc') ?? (undefined as never);
    const round = s().rounds.openFor(team.id) ?? (undefined as never);

    expect((await app.command('ULEAD', 'team archive arc')).reply).toContain(
      'Only the manager of *arc* or an admin',
    );
    expect((await app.command('U01', 'team archive arc')).reply).toContain(
      'Only the manager of *arc* or an admin',
    );
    const archived = await app.command('UMGR', 'team archive arc');
    expect(archived.reply).toContain('Archived *arc*');
    expect(archived.reply).toContain('Its open check-in was closed');
    expect(s().rounds.byId(round.id)?.closedAt).not.toBeNull();
    await app.drain();
    expect(app.fake.dmsTo('UMGR').length).toBeGreaterThanOrEqual(1);
    expect((await app.command('UMGR', 'team archive arc')).reply).toContain('already archived');

    // No more rounds: not by schedule, not by hand.
    const archivedTeam = s().teams.byId(team.id) ?? (undefined as never);
    s().teams.setSchedule(
      team.id,
      archivedTeam.weekday,
      archivedTeam.time,
      archivedTeam.timezone,
      new Date(0),
    );
    for (let d = 0; d < 8; d++) expect(tick(s(), new Date(Date.now() + d * 24 * HOUR)).opened).toBe(0);
    expect((await app.command('UMGR', 'checkin arc')).reply).toContain('is archived');
    expect((await app.command('UMGR', 'team add arc <@U09>')).reply).toContain('is archived');

    // Reports stay readable by those who could read them, and only by them.
    for (const who of ['UMGR', 'ULEAD', 'UADMIN']) {
      const r = await app.command(who, 'report arc');
      expect(r.reply, who).not.toMatch(/no team called|archived\./);
      expect(r.reply, who).toContain('arc');
    }
    expect((await app.command('U01', 'report arc')).reply).toContain('Only the manager of *arc*');
    expect((await app.command('UMGR', 'team list')).reply).toContain('*arc*: archived');

    const back = await app.command('UADMIN', 'team unarchive arc');
    expect(back.reply).toContain('is back');
    // The schedule starts again now: a slot that passed while archived does not fire.
    expect(tick(s(), new Date()).opened).toBe(0);
    expect((await app.command('UMGR', 'checkin arc')).reply).toContain('is open');
  });
});
