import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { interactionBody, postSigned, slashCommandBody, viewSubmissionPayload } from '../../tools/signing.ts';
import { assertModalWithinLimits, assertWithinSlackLimits } from '../support/blockLimits.ts';
import { SECRET, startTestApp, type TestApp } from '../support/harness.ts';

const MEMBERS = ['U01', 'U02', 'U03', 'U04', 'U05', 'U06'];
const steady = { energy: 4, boundaries: 3, ownership: 5, recognition: 2 };

let app: TestApp;

beforeEach(async () => {
  app = await startTestApp({}, { usergroups: { S0GROUP: ['U07', 'W08'] } });
});
afterEach(async () => {
  await app.close();
});

async function teamWithRound(slug = 'alpha'): Promise<number> {
  await app.command('UMGR', `team create ${slug}`);
  await app.addMembers('UMGR', slug, MEMBERS.map((u) => `<@${u}|${u.toLowerCase()}>`).join(' '));
  const { reply } = await app.command('UMGR', `checkin ${slug}`);
  expect(reply).toContain('6 check-ins on the way');
  await app.drain();
  const round = app.runtime.services.rounds.openFor(app.runtime.services.teams.bySlug(slug)?.id ?? -1);
  if (!round) throw new Error('no round opened');
  return round.id;
}

const summaryTo = (userId: string) =>
  app.fake.dmsTo(userId).filter((c) => String(c.body.text).includes('round'));

describe('the weekly check-in loop', () => {
  it('sends one check-in DM per member, none to the manager, with a button that opens the modal', async () => {
    const roundId = await teamWithRound();
    for (const u of MEMBERS) expect(app.fake.dmsTo(u)).toHaveLength(1);
    expect(app.fake.dmsTo('UMGR')).toHaveLength(0);
    const dm = app.fake.dmsTo('U01')[0];
    assertWithinSlackLimits(dm?.body.blocks as unknown[], 'message');
    expect(JSON.stringify(dm?.body.blocks)).toContain('checkin_open');

    const view = await app.openCheckin('U01', roundId);
    assertModalWithinLimits(view);
    const blocks = view.blocks as Array<Record<string, unknown>>;
    const inputs = blocks.filter((b) => b.type === 'input');
    expect(inputs.map((b) => b.block_id)).toEqual([
      'energy',
      'boundaries',
      'ownership',
      'recognition',
      'note',
    ]);
    for (const b of inputs.slice(0, 4)) {
      const el = b.element as { type: string; options: Array<{ value: string; text: { text: string } }> };
      expect(b.optional).not.toBe(true);
      expect(el.type).toBe('radio_buttons');
      expect(el.options.map((o) => o.value)).toEqual(['1', '2', '3', '4', '5']);
      for (const o of el.options) expect(o.text.text).toMatch(/[A-Za-z]/);
    }
    expect((inputs[4] as { optional: boolean }).optional).toBe(true);
  });

  it('stores answers anonymously, marks the DM recorded, and sends the manager a summary at close', async () => {
    const roundId = await teamWithRound();
    for (const [i, u] of MEMBERS.slice(0, 5).entries()) {
      const res = await app.submit(
        u,
        roundId,
        { ...steady, energy: i + 1 },
        i === 0 ? 'Ping <!channel> & <@U99>' : undefined,
      );
      expect(res).toEqual({ status: 200, json: null });
    }
    await app.drain();
    const updates = app.fake.callsTo('chat.update');
    expect(updates).toHaveLength(5);
    expect(String(updates[0]?.body.text)).toContain('recorded anonymously');
    // The recorded notice never repeats what was answered.
    expect(JSON.stringify(updates.map((u) => u.body))).not.toContain('Ping');

    const { reply } = await app.command('UMGR', 'close alpha');
    expect(reply).toContain('Closed round 1');
    await app.drain();
    const [summary] = summaryTo('UMGR');
    const text = JSON.stringify(summary?.body.blocks);
    assertWithinSlackLimits(summary?.body.blocks as unknown[], 'message');
    expect(text).toContain('5 of 6');
    expect(text).toContain('*Energy*  3.0');
    expect(text).toContain('*Boundaries*  3.0');
    // One answer of each score: five bars of the same height.
    expect(text).toContain('*Energy*  3.0  ·  1–5 `█████`');
    expect(text).toContain('Ping &lt;!channel&gt; &amp; &lt;@U99&gt;');
    expect(text).not.toContain('<!channel>');
    // The one who did not answer gets their DM closed, and nothing new.
    expect(app.fake.dmsTo('U06')).toHaveLength(1);
    expect(app.fake.callsTo('chat.update').some((c) => c.body.channel === 'DU06')).toBe(true);
  });

  it('shows only participation when fewer than MIN_RESPONSES answered', async () => {
    const roundId = await teamWithRound();
    for (const u of MEMBERS.slice(0, 4)) await app.submit(u, roundId, steady, 'only four of us');
    await app.command('UMGR', 'close alpha');
    await app.drain();
    const [summary] = summaryTo('UMGR');
    const text = JSON.stringify(summary?.body);
    expect(text).toContain('4 of 6');
    expect(text).toContain('at least 5 people answer');
    expect(text).not.toContain('Energy');
    expect(text).not.toContain('only four of us');
    const report = await app.command('UMGR', 'report alpha');
    expect(report.reply).toContain('4 of 6');
    expect(report.reply).not.toContain('Energy');
  });

  it('refuses a second submission, a closed round, a stranger and out-of-range values, storing nothing', async () => {
    const roundId = await teamWithRound();
    expect((await app.submit('U01', roundId, steady)).json).toBeNull();
    const again = await app.submit('U01', roundId, { ...steady, energy: 1 });
    expect(again.json).toMatchObject({ response_action: 'errors' });
    expect(JSON.stringify(again.json)).toContain('already answered');

    const stranger = await app.submit('U99', roundId, steady);
    expect(JSON.stringify(stranger.json)).toContain('not one you were invited to');

    const sixes = await app.submit('U02', roundId, { ...steady, energy: 6 });
    expect(sixes.json).toMatchObject({ response_action: 'errors', errors: { energy: expect.any(String) } });
    const longNote = await app.submit('U02', roundId, steady, 'x'.repeat(501));
    expect(longNote.json).toMatchObject({
      response_action: 'errors',
      errors: { note: expect.stringContaining('500') },
    });
    const db = new Database(app.dbPath, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM answer_slots WHERE used = 1').get()).toEqual({ n: 1 });

    await app.command('UMGR', 'close alpha');
    const late = await app.submit('U03', roundId, steady);
    expect(JSON.stringify(late.json)).toContain('closed');
    expect(db.prepare('SELECT count(*) AS n FROM invites WHERE answered = 1').get()).toEqual({ n: 1 });
    db.close();
  });

  it('tells a member they may not see the report, before and after a round closes', async () => {
    const roundId = await teamWithRound();
    const before = await app.command('U01', 'report alpha');
    expect(before.reply).toContain('Only the manager of *alpha*');
    for (const u of MEMBERS) await app.submit(u, roundId, steady);
    await app.command('UMGR', 'close alpha');
    const after = await app.command('U01', 'report alpha');
    expect(after.reply).toContain('Only the manager of *alpha*');
    expect(after.reply).not.toContain('6 of 6');
    expect((await app.command('U01', 'close alpha')).reply).toContain('Only the manager');
    expect((await app.command('U01', 'checkin alpha')).reply).toContain('Only the manager');
    expect((await app.command('U01', 'team add alpha <@U77>')).reply).toContain('Only the manager');
  });

  it('adds the members of a user group, and answers mistakes with the usage line', async () => {
    await app.command('UMGR', 'team create beta');
    const added = await app.command('UMGR', 'team add beta <!subteam^S0GROUP|@backend> <@U01>');
    // Added by a manager, the group's members and U01 are asked to join (issue 8), and count once they do.
    expect(added.reply).toContain('Asked <@U01>, <@U07>, <@W08> to join *beta*');
    for (const u of ['U07', 'W08', 'U01']) await app.join(u, 'beta');
    expect((await app.command('UMGR', 'team list')).reply).toContain('3 members');
    const bad = await app.command('UMGR', 'team add beta @bob');
    expect(bad.reply).toContain('/teamhealth team add <team>');
    const unknown = await app.command('UMGR', 'tema <!channel>');
    expect(unknown.reply).not.toContain('<!channel>');
    expect((await app.command('UMGR', 'team schedule beta friday 25:00')).reply).toContain('HH:MM');
    expect((await app.command('UMGR', 'team schedule beta fri 16:30 Mars/Olympus')).reply).toContain(
      'not a time zone',
    );
    expect((await app.command('UMGR', 'team schedule beta fri 16:30 Europe/Berlin')).reply).toContain(
      'Fridays at 16:30 (Europe/Berlin)',
    );
  });
});

describe('requests that are not from Slack', () => {
  it('rejects a bad signature and a stale timestamp with 401, changing nothing', async () => {
    const body = slashCommandBody({
      text: 'team create gamma',
      userId: 'UMGR',
      responseUrl: app.fake.responseUrl(),
    });
    expect((await postSigned(app.url, body, { secret: 'wrong-secret' })).status).toBe(401);
    expect((await postSigned(app.url, body, { secret: null })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await postSigned(app.url, body, { secret: SECRET, timestamp: stale })).status).toBe(401);
    expect(app.runtime.services.teams.bySlug('gamma')).toBeUndefined();
    expect(app.fake.callsTo('response_url')).toHaveLength(0);
  });

  it('answers a signed payload=null and other odd bodies with 400 and keeps running', async () => {
    for (const body of ['payload=null', 'payload=%5B%5D', 'payload=%7B', 'payload=42', 'hello', '']) {
      const res = await postSigned(app.url, body, { secret: SECRET });
      expect(res.status, body).toBe(400);
    }
    const json = await postSigned(app.url, 'null', { secret: SECRET, contentType: 'application/json' });
    expect(json.status).toBe(400);
    expect((await app.command('UMGR', 'help')).status).toBe(200);
  });

  it('rejects a forged submission with a made-up round id', async () => {
    await teamWithRound();
    const payload = viewSubmissionPayload({
      userId: 'U01',
      callbackId: 'checkin',
      privateMetadata: '99999',
      values: {},
    });
    const res = await postSigned(app.url, interactionBody(payload), { secret: SECRET });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_action: 'errors' });
  });
});

describe('a round still open', () => {
  it('shows the manager only whether the threshold is reached, then the count, never scores', async () => {
    const roundId = await teamWithRound();
    for (const u of MEMBERS.slice(0, 4)) await app.submit(u, roundId, steady);
    const early = await app.command('UMGR', 'report alpha');
    expect(early.reply).toContain('fewer than 5 answered so far');
    expect(early.reply).not.toContain('4 of 6');
    await app.submit('U05', roundId, steady);
    // The count managers see moves at most once an hour, so a nudge to one person tells nothing.
    expect((await app.command('UMGR', 'report alpha')).reply).toContain('fewer than 5 answered so far');
    app.runtime.tick(new Date(Date.now() + 61 * 60_000));
    const later = await app.command('UMGR', 'report alpha');
    expect(later.reply).toContain('5 of 6 answered so far');
    expect(later.reply).not.toContain('Energy');
    const member = await app.command('U01', 'report alpha');
    expect(member.reply).not.toContain('answered so far');
  });
});
