// Trend charts end to end: the real app closes a round and uploads the chart into the manager's DM
// through Slack's external upload flow (against the fake Slack), sends the lead's chart with the
// digest, keeps the text when the upload cannot happen, and loses no chart across a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { nextSlot } from '../../src/domain/schedule.ts';
import { PNG_SIGNATURE } from '../../src/messages/png.ts';
import { createServices, type Runtime } from '../../src/services.ts';
import type { UploadedFile } from '../../tools/fakeSlack.ts';
import {
  type AnswerValues,
  captureLog,
  drainOutbox,
  startTestApp,
  type TestApp,
  testConfig,
} from '../support/harness.ts';

const MEMBERS = ['U01', 'U02', 'U03', 'U04', 'U05', 'U06'];
const mentions = (ids: readonly string[]) => ids.map((u) => `<@${u}>`).join(' ');
const answers = (v: number): AnswerValues => ({ energy: v, boundaries: 4, ownership: 4, recognition: v });

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Sets up `alpha` (manager UMGR, lead ULEAD) and runs rounds with the given energy answers. */
async function rounds(t: TestApp, ...energy: number[][]): Promise<void> {
  await t.command('UMGR', 'team create alpha');
  await t.addMembers('UMGR', 'alpha', mentions(MEMBERS));
  await t.command('UMGR', 'team lead alpha <@ULEAD>');
  for (const values of energy) await oneMoreRound(t, values);
}

/** Runs one more round of `alpha`, already set up by `rounds`. */
async function oneMoreRound(t: TestApp, values: number[]): Promise<void> {
  expect((await t.command('UMGR', 'checkin alpha')).reply).toContain('is open');
  const team = t.runtime.services.teams.bySlug('alpha');
  const round = t.runtime.services.rounds.openFor(team?.id ?? -1);
  for (const [i, v] of values.entries()) await t.submit(MEMBERS[i] as string, round?.id ?? -1, answers(v));
  expect((await t.command('UMGR', 'close alpha')).reply).toContain('Closed round');
  await t.drain();
}

const summariesTo = (t: TestApp, user: string) =>
  t.fake.dmsTo(user).filter((c) => String(c.body.text).startsWith('alpha round'));

describe('the chart at a round’s close', () => {
  it('reaches the manager’s DM as one PNG named for the team and round, within a minute of the summary', async () => {
    app = await startTestApp();
    await rounds(app, [3, 4, 3, 4, 3]);
    const [summary] = summariesTo(app, 'UMGR');
    expect(String(summary?.body.text)).toContain('5 of 6');
    expect(JSON.stringify(summary?.body.blocks)).toContain('*Energy*  3.4');

    expect(app.fake.files).toHaveLength(1);
    const file = app.fake.files[0] as UploadedFile;
    // The DM the summary went to, as Slack named it in its answer.
    expect(file.channelId).toBe('DUMGR');
    expect(file.bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(file.altTxt).toContain('Trend chart of alpha, round 1: 5 of 6 answered.');
    expect(file.altTxt).toContain('Energy: 3.4.');
    expect(file.title).toBe('alpha · round 1 · trend');
    // Completed after the text, and soon after it.
    expect(file.at).toBeGreaterThanOrEqual(summary?.at ?? Number.POSITIVE_INFINITY);
    expect(file.at - (summary?.at ?? 0)).toBeLessThan(60_000);
    expect(app.fake.callsTo('conversations.open').map((c) => c.body.users)).toEqual(['UMGR']);
  });

  it('charts every round, hidden ones as gaps, and never says a hidden round’s scores', async () => {
    app = await startTestApp();
    await rounds(app, [3, 4, 3, 4, 3], [2, 2, 2, 2], [2, 3, 2, 3, 2, 2]);
    expect(app.fake.files.map((f) => f.title)).toEqual([
      'alpha · round 1 · trend',
      'alpha · round 2 · trend',
      'alpha · round 3 · trend',
    ]);
    const round2 = app.fake.files[1] as UploadedFile;
    expect(round2.altTxt).toContain('round 2: 4 of 6 answered.');
    expect(round2.altTxt).toContain('Energy: 3.4, hidden.');
    expect(app.fake.files[2]?.altTxt).toContain('Energy: 3.4, hidden, 2.3.');
    // One DM channel lookup for the manager, however many charts.
    expect(app.fake.callsTo('conversations.open')).toHaveLength(1);
  });

  it('marks the actions the team started, done ones too, in the chart it draws from the database', async () => {
    app = await startTestApp();
    await rounds(app, [3, 4, 3, 4, 3]);
    expect((await app.command('UMGR', 'action add alpha boundaries no meetings on Fridays')).reply).toContain(
      '#1',
    );
    expect((await app.command('UMGR', 'action add alpha team a retro every round')).reply).toContain('#2');
    expect((await app.command('UMGR', 'action done alpha 2')).reply).not.toMatch(/usage/i);
    // The chart of round 1 went out before any action: it marks none.
    expect(app.fake.files[0]?.altTxt).not.toContain('Actions');
    await oneMoreRound(app, [3, 4, 3, 4, 3]);
    expect(app.fake.files[1]?.title).toBe('alpha · round 2 · trend');
    expect(app.fake.files[1]?.altTxt).toContain(
      'Actions: action #1 on boundaries from round 1; action #2 for the whole team from round 1.',
    );
  });

  it('still sends the summary, sparklines and all, when the workspace refuses uploads', async () => {
    app = await startTestApp();
    app.fake.failNext('files.getUploadURLExternal', { error: 'file_uploads_disabled' }, 2);
    await rounds(app, [3, 4, 3, 4, 3], [2, 3, 2, 3, 2]);
    expect(app.fake.files).toEqual([]);
    const last = summariesTo(app, 'UMGR').at(-1);
    expect(String(last?.body.text)).toContain('alpha round 2: 5 of 6 answered');
    expect(JSON.stringify(last?.body.blocks)).toMatch(/Trend, rounds 1–2\*\\n```Energy\s+[▁-█]{2}/);
    expect(app.runtime.services.outbox.failed(10)).toEqual([
      { key: 'chart:2', method: 'teamhealth.chartUpload', attempts: 1, error: 'file_uploads_disabled' },
      { key: 'chart:1', method: 'teamhealth.chartUpload', attempts: 1, error: 'file_uploads_disabled' },
    ]);
  });
});

describe('the lead’s chart', () => {
  it('comes with the weekly digest: one PNG of every team they lead', async () => {
    app = await startTestApp();
    await rounds(app, [3, 4, 3, 4, 3]);
    const s = app.runtime.services;
    s.leads.ensure('ULEAD', 'UTC', new Date('2026-01-01T00:00:00Z'));
    const slot = nextSlot({ weekday: 'mon', time: '09:00', timezone: 'UTC' }, new Date());
    app.runtime.tick(new Date(slot.getTime() + 30_000));
    await app.drain();
    const digest = app.fake.dmsTo('ULEAD');
    expect(digest).toHaveLength(1);
    const charts = app.fake.files.filter((f) => f.channelId === 'DULEAD');
    expect(charts).toHaveLength(1);
    expect(charts[0]?.bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(charts[0]?.title).toBe('Your team, riskiest first · last 12 rounds');
    expect(charts[0]?.altTxt).toContain('alpha, round 1: 5 of 6 answered, Energy 3.4');
    expect(charts[0]?.at).toBeGreaterThanOrEqual(digest[0]?.at ?? Number.POSITIVE_INFINITY);
  });
});

describe('a chart across a restart', () => {
  it('is queued with its summary, and sent once by the next process', async () => {
    const t = await startTestApp();
    app = t;
    await t.command('UMGR', 'team create alpha');
    await t.addMembers('UMGR', 'alpha', mentions(MEMBERS));
    await t.command('UMGR', 'checkin alpha');
    await t.drain();
    const round = t.runtime.services.rounds.openFor(t.runtime.services.teams.bySlug('alpha')?.id ?? -1);
    for (const u of MEMBERS.slice(0, 5)) await t.submit(u, round?.id ?? -1, answers(4));
    await t.drain();
    // The process "dies" after the close was committed, before its worker sent anything.
    await t.runtime.worker.stop();
    expect((await t.command('UMGR', 'close alpha')).reply).toContain('Closed round');
    // The summary, its chart, and the "closed" update of the one check-in left unanswered.
    expect(t.runtime.services.outbox.counts()).toEqual({ pending: 3, sending: 0, failed: 0 });
    await t.runtime.stop();
    expect(summariesTo(t, 'UMGR')).toEqual([]);
    expect(t.fake.files).toEqual([]);

    const next: Runtime = await createServices(
      testConfig(t.fake, t.dbPath, { SLACK_SIGNING_SECRET: 's', PORT: '0' }),
      captureLog().log,
    );
    await next.start();
    await drainOutbox(next);
    await next.stop();
    expect(summariesTo(t, 'UMGR')).toHaveLength(1);
    expect(t.fake.files).toHaveLength(1);
    expect(t.fake.files[0]).toMatchObject({ channelId: 'DUMGR', title: 'alpha · round 1 · trend' });
  });
});
