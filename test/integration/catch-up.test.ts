// Schedules missed while the process was down, driven in-process through tick(now): a round (and a lead
// digest) whose time passed opens on the next tick inside its window, once per team, never a burst.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tick } from '../../src/jobs/tick.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
// Monday 4 March 2024, 10:00 UTC: the teams' check-in time; Monday 09:00 UTC: the lead's digest.
const MONDAY_10 = Date.parse('2024-03-04T10:00:00Z');
const MONDAY_09 = Date.parse('2024-03-04T09:00:00Z');

let app: TestApp;
const s = () => app.runtime.services;

beforeEach(async () => {
  app = await startTestApp();
  for (const slug of ['one', 'two']) {
    await app.command('UMGR', `team create ${slug}`);
    await app.addMembers('UMGR', slug, '<@U01> <@U02>');
    const zone = slug === 'one' ? 'UTC' : 'Etc/UTC';
    expect((await app.command('UMGR', `team schedule ${slug} mon 10:00 ${zone}`)).reply).toContain(
      `(${zone})`,
    );
    // As if the schedules had been set a while before the outage.
    const t = s().teams.bySlug(slug) ?? (undefined as never);
    s().teams.setSchedule(t.id, 'mon', '10:00', zone, new Date(MONDAY_10 - 2 * WEEK));
  }
});
afterEach(async () => {
  await app.close();
});

const rounds = (slug: string) => {
  const t = s().teams.bySlug(slug) ?? (undefined as never);
  return s()
    .db.prepare('SELECT slot, opened_at FROM rounds WHERE team_id = ? ORDER BY id')
    .all(t.id) as Array<{
    slot: number;
    opened_at: number;
  }>;
};

describe('missed check-in times', () => {
  it('open on the first tick after the outage, inside the window, once per team', () => {
    const back = new Date(MONDAY_10 + 5 * HOUR);
    expect(tick(s(), back).opened).toBe(2);
    expect(tick(s(), back).opened).toBe(0);
    expect(tick(s(), new Date(back.getTime() + 60_000)).opened).toBe(0);
    for (const slug of ['one', 'two'])
      expect(rounds(slug)).toEqual([{ slot: MONDAY_10, opened_at: back.getTime() }]);
  });

  it('after weeks down: one catch-up round per team for the latest time only, never a burst', () => {
    tick(s(), new Date(MONDAY_10 + HOUR));
    // Down for three weeks, back on a Tuesday: the stale round closes, one round opens for the latest Monday.
    const back = new Date(MONDAY_10 + 3 * WEEK + 26 * HOUR);
    const result = tick(s(), back);
    expect(result).toMatchObject({ closed: 2, opened: 2 });
    for (const slug of ['one', 'two']) {
      expect(rounds(slug).map((r) => r.slot)).toEqual([MONDAY_10, MONDAY_10 + 3 * WEEK]);
    }
    expect(tick(s(), new Date(back.getTime() + HOUR)).opened).toBe(0);
  });

  it('does not open a time whose window passed during the outage, nor one from before the schedule', () => {
    expect(tick(s(), new Date(MONDAY_10 + 73 * HOUR)).opened).toBe(0);
    const t = s().teams.bySlug('one') ?? (undefined as never);
    s().teams.setSchedule(t.id, 'mon', '10:00', 'UTC', new Date(MONDAY_10 + WEEK + HOUR));
    const result = tick(s(), new Date(MONDAY_10 + WEEK + 2 * HOUR));
    expect(rounds('one')).toEqual([]);
    expect(rounds('two')).toHaveLength(1);
    expect(result.opened).toBe(1);
  });
});

describe('missed lead digests', () => {
  it('go out once on the first tick after their time, and not after a whole day', async () => {
    await app.command('UMGR', 'team lead one <@ULEAD>');
    // The lead's digest settings start before the outage.
    s().leads.ensure('ULEAD', 'UTC', new Date(MONDAY_09 - 2 * WEEK));
    expect(tick(s(), new Date(MONDAY_09 + 3 * HOUR)).digests).toBe(1);
    expect(tick(s(), new Date(MONDAY_09 + 4 * HOUR)).digests).toBe(0);
    expect(tick(s(), new Date(MONDAY_09 + WEEK + 25 * HOUR)).digests).toBe(0);
    await app.drain();
    expect(app.fake.dmsTo('ULEAD')).toHaveLength(1);
  });
});
