// Slack's failures, end to end over HTTP against the fake Slack: deactivated people, rate limits,
// 5xx, timeouts and ok:false errors; the admin's view of the outbox; Slack's event retries.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { postSigned } from '../../tools/signing.ts';
import { SECRET, startTestApp, type TestApp } from '../support/harness.ts';

const MEMBERS = ['U01', 'U02', 'U03', 'U04', 'U05', 'U06'];
const mentions = (ids: readonly string[]) => ids.map((u) => `<@${u}>`).join(' ');

let app: TestApp;

afterEach(async () => {
  await app.close();
});

async function team(slug: string, members: readonly string[] = MEMBERS): Promise<void> {
  await app.command('UMGR', `team create ${slug}`);
  await app.addMembers('UMGR', slug, mentions(members));
}

const roundOf = (slug: string) => {
  const t = app.runtime.services.teams.bySlug(slug);
  const r = t && app.runtime.services.rounds.openFor(t.id);
  if (!r) throw new Error(`no open round for ${slug}`);
  return r;
};

const outboxRows = () => {
  const db = new Database(app.dbPath, { readonly: true });
  try {
    return db
      .prepare('SELECT key, method, status, attempts, last_error FROM outbox ORDER BY id')
      .all() as Array<{
      key: string;
      method: string;
      status: string;
      attempts: number;
      last_error: string | null;
    }>;
  } finally {
    db.close();
  }
};

const postsTo = (user: string) =>
  app.fake
    .callsTo('chat.postMessage')
    .filter((c) => c.body.channel === user || c.body.channel === `D${user}`);

describe('people Slack cannot reach', () => {
  it('records deactivated and unknown people once, counts them as not invited, and skips them later', async () => {
    app = await startTestApp();
    await team('alpha');
    app.fake.failForChannel('U02', 'account_inactive');
    app.fake.failForChannel('U03', 'user_not_found');
    app.fake.failForChannel('U04', 'cannot_dm_bot');
    await app.command('UMGR', 'checkin alpha');
    await app.drain();
    const first = roundOf('alpha');
    // Final errors: one call each, no retry.
    for (const u of ['U02', 'U03', 'U04']) expect(postsTo(u)).toHaveLength(1);
    const db = new Database(app.dbPath, { readonly: true });
    expect(db.prepare('SELECT user_id, reason FROM unreachable_users ORDER BY user_id').all()).toEqual([
      { user_id: 'U02', reason: 'account_inactive' },
      { user_id: 'U03', reason: 'user_not_found' },
      { user_id: 'U04', reason: 'cannot_dm_bot' },
    ]);
    db.close();
    // They never got a check-in, so they are not counted as people who did not answer.
    expect(app.runtime.services.rounds.counts(first.id)).toEqual({ invited: 3, answered: 0 });
    // The failed rows are kept for the operator; nothing was lost.
    expect(
      outboxRows()
        .filter((r) => r.status === 'failed')
        .map((r) => r.last_error),
    ).toEqual(['account_inactive', 'user_not_found', 'cannot_dm_bot']);

    await app.command('UMGR', 'close alpha');
    const next = await app.command('UMGR', 'checkin alpha');
    expect(next.reply).toContain('3 check-ins on the way');
    expect(next.reply).toContain('3 members are away or unreachable');
    await app.drain();
    for (const u of ['U02', 'U03', 'U04']) expect(postsTo(u)).toHaveLength(1);
    for (const u of ['U01', 'U05', 'U06']) expect(app.fake.dmsTo(u)).toHaveLength(2);
    expect(app.runtime.services.rounds.counts(roundOf('alpha').id).invited).toBe(3);

    const list = await app.command('UMGR', 'team list');
    expect(list.reply).toContain('cannot be reached');
    // A manager adding someone again means: try them again.
    const readd = await app.command('UMGR', 'team add alpha <@U02>');
    expect(readd.reply).toContain('unreachable in Slack before');
    expect(app.runtime.services.teams.unreachableReason('U02')).toBeUndefined();
  });

  it('gives up at once on channel_not_found without marking the person, and drops the invite', async () => {
    app = await startTestApp();
    await team('beta');
    app.fake.failForChannel('U05', 'channel_not_found');
    await app.command('UMGR', 'checkin beta');
    await app.drain();
    expect(postsTo('U05')).toHaveLength(1);
    expect(app.runtime.services.teams.unreachableReason('U05')).toBeUndefined();
    expect(app.runtime.services.rounds.counts(roundOf('beta').id).invited).toBe(5);
  });

  it('marks a person who is deactivated mid-round when their reminder bounces', async () => {
    app = await startTestApp();
    await team('gamma', ['U01', 'U02']);
    await app.command('UMGR', 'checkin gamma');
    await app.drain();
    const round = roundOf('gamma');
    app.fake.failForChannel('U02', 'account_inactive');
    const { tick } = await import('../../src/jobs/tick.ts');
    tick(app.runtime.services, new Date(round.remindAt.getTime() + 1000));
    await app.drain();
    expect(app.runtime.services.teams.unreachableReason('U02')).toBe('account_inactive');
    expect(app.runtime.services.rounds.counts(round.id).invited).toBe(1);
  });
});

describe('transient failures', () => {
  it('waits out a 429 for Retry-After without counting an attempt, then delivers once', async () => {
    app = await startTestApp();
    await team('delta', ['U01', 'U02']);
    app.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    await app.command('UMGR', 'checkin delta');
    await app.fake.waitFor((cs) => cs.some((c) => c.method === 'chat.postMessage' && c.status === 429));
    const waiting = outboxRows().find((r) => r.status === 'pending' && r.last_error === 'rate_limited');
    expect(waiting?.attempts).toBe(0);
    await app.drain();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(app.fake.dmsTo('U01')).toHaveLength(1);
    expect(app.fake.dmsTo('U02')).toHaveLength(1);
    expect(outboxRows()).toEqual([]);
  });

  it('retries a 5xx and an ok:false internal_error, and delivers each DM once', async () => {
    app = await startTestApp();
    await team('epsilon', ['U01']);
    app.fake.failNext('chat.postMessage', { status: 503 });
    await app.command('UMGR', 'checkin epsilon');
    await app.fake.waitFor((cs) => cs.some((c) => c.status === 503));
    expect(outboxRows()).toMatchObject([{ status: 'pending', attempts: 1, last_error: 'http_503' }]);
    await app.drain();
    expect(app.fake.dmsTo('U01')).toHaveLength(1);

    await team('zeta', ['U02']);
    app.fake.failNext('chat.postMessage', { error: 'internal_error' });
    await app.command('UMGR', 'checkin zeta');
    await app.fake.waitFor((cs) => cs.some((c) => c.error === 'internal_error'));
    await app.drain();
    expect(app.fake.dmsTo('U02')).toHaveLength(1);
    expect(outboxRows()).toEqual([]);
  });

  it('abandons a call slower than SLACK_TIMEOUT_MS and retries it', async () => {
    app = await startTestApp({ SLACK_TIMEOUT_MS: '300' });
    await team('eta', ['U01']);
    // Slack does not answer the first call until the end: slower than the timeout on any machine.
    const release = app.fake.hold('chat.postMessage');
    await app.command('UMGR', 'checkin eta');
    await app.fake.waitFor(() => outboxRows().some((r) => r.status === 'pending' && r.attempts === 1));
    const [row] = outboxRows();
    expect(row?.last_error).toMatch(/abort|timeout/i);
    await app.drain();
    // The slow call reached Slack and was then abandoned: the retry is the one repeat a timeout can cause.
    expect(app.fake.dmsTo('U01').length).toBeGreaterThanOrEqual(1);
    expect(app.fake.dmsTo('U01').length).toBeLessThanOrEqual(2);
    expect(outboxRows()).toEqual([]);
    release();
  });
});

describe('/teamhealth status', () => {
  it('shows admins the counts and the latest failures, never message content or who', async () => {
    app = await startTestApp({ ADMIN_USER_IDS: 'UADMIN' });
    await team('theta', ['U01', 'U02']);
    app.fake.failForChannel('U02', 'account_inactive');
    await app.command('UMGR', 'checkin theta');
    await app.drain();
    const { reply } = await app.command('UADMIN', 'status');
    expect(reply).toContain('*Deliveries*');
    expect(reply).toContain('0 pending · 0 in flight · 1 failed for good');
    expect(reply).toContain('1 person Slack says cannot be reached');
    // A failed delivery keeps nothing of its person (issue 8): its key names the kind and the round only.
    expect(reply).toMatch(/`failed:invite:\d+:[0-9a-f]{16}` · chat\.postMessage · account_inactive · 1/);
    expect(reply).not.toContain('U02');
    expect(reply).not.toContain('Weekly check-in');

    const member = await app.command('U01', 'status');
    expect(member.reply).toContain('is for admins');
    expect(member.reply).not.toMatch(/pending|failed/);
    const manager = await app.command('UMGR', 'status');
    expect(manager.reply).toContain('is for admins');
  });
});

describe("Slack's event retries", () => {
  it('publishes the Home tab once for an app_home_opened sent again with X-Slack-Retry-Num', async () => {
    app = await startTestApp();
    const event = JSON.stringify({
      token: 'legacy-verification-token',
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: 'Ev0RETRIED1',
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true }],
      event: {
        type: 'app_home_opened',
        user: 'U01',
        channel: 'DU01',
        tab: 'home',
        event_ts: '1700000000.000100',
      },
    });
    const send = (headers: Record<string, string>) =>
      postSigned(app.url, event, { secret: SECRET, contentType: 'application/json', headers });
    expect((await send({})).status).toBe(200);
    await app.fake.waitFor((cs) => cs.some((c) => c.method === 'views.publish'));
    for (const n of ['1', '2', '3']) {
      expect((await send({ 'x-slack-retry-num': n, 'x-slack-retry-reason': 'http_timeout' })).status).toBe(
        200,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(app.fake.callsTo('views.publish')).toHaveLength(1);

    // A different event id is a new event.
    const other = event.replace('Ev0RETRIED1', 'Ev0OTHER002');
    await postSigned(app.url, other, { secret: SECRET, contentType: 'application/json' });
    await app.fake.waitFor((cs) => cs.filter((c) => c.method === 'views.publish').length === 2);
  });
});
