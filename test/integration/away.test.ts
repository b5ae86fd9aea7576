// "Away": from the DM button and from /teamhealth away. An away member gets no reminder and counts as
// not invited; the DM says so; rounds that open while they are away skip them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tick } from '../../src/jobs/tick.ts';
import { blockActionPayload, interactionBody, postSigned } from '../../tools/signing.ts';
import { SECRET, startTestApp, type TestApp } from '../support/harness.ts';

const MEMBERS = ['U01', 'U02', 'U03', 'U04'];
const DAY = 24 * 3_600_000;

let app: TestApp;

beforeEach(async () => {
  app = await startTestApp();
  await app.command('UMGR', 'team create away');
  await app.addMembers('UMGR', 'away', MEMBERS.map((u) => `<@${u}>`).join(' '));
});
afterEach(async () => {
  await app.close();
});

const s = () => app.runtime.services;
const team = () => s().teams.bySlug('away') ?? (undefined as never);
const openRound = () => s().rounds.openFor(team().id) ?? (undefined as never);

async function clickAway(userId: string, value: string): Promise<number> {
  const res = await postSigned(
    app.url,
    interactionBody(
      blockActionPayload({
        userId,
        actionId: 'checkin_away',
        value,
        responseUrl: app.fake.responseUrl(`away-${userId}`),
      }),
    ),
    { secret: SECRET },
  );
  return res.status;
}

describe('the "Away this week" button', () => {
  it('sits after the start button in the check-in DM', async () => {
    await app.command('UMGR', 'checkin away');
    await app.drain();
    const blocks = app.fake.dmsTo('U01')[0]?.body.blocks as Array<{
      type: string;
      elements?: Array<{ action_id: string; value: string }>;
    }>;
    const actions = blocks.find((b) => b.type === 'actions');
    expect(actions?.elements?.map((e) => e.action_id)).toEqual(['checkin_open', 'checkin_away']);
    expect(actions?.elements?.[1]?.value).toBe(String(openRound().id));
  });

  it('takes the invite back in one go: not invited, no reminder, the DM says so', async () => {
    await app.command('UMGR', 'checkin away');
    await app.drain();
    const round = openRound();
    expect(s().rounds.counts(round.id).invited).toBe(4);
    expect(await clickAway('U02', String(round.id))).toBe(200);
    await app.drain();
    expect(s().rounds.counts(round.id)).toEqual({ invited: 3, answered: 0 });
    expect(s().rounds.invite(round.id, 'U02')).toBeUndefined();
    const update = app.fake.callsTo('chat.update').find((c) => c.body.channel === 'DU02');
    expect(String(update?.body.text)).toContain("You're marked away");
    expect(s().teams.awayUntil('U02', new Date())?.getTime()).toBe(round.closesAt.getTime());

    // The check-in button in the old DM now says why it does not open.
    const view = await app.openCheckin('U02', round.id);
    expect(JSON.stringify(view)).toContain('marked yourself away');
    // Submitting anyway is refused and stores nothing.
    const late = await app.submit('U02', round.id, {
      energy: 3,
      boundaries: 3,
      ownership: 3,
      recognition: 3,
    });
    expect(JSON.stringify(late.json)).toContain('not one you were invited to');

    tick(s(), new Date(round.remindAt.getTime() + 1000));
    await app.drain();
    const reminded = app.fake
      .callsTo('chat.postMessage')
      .filter((c) => String(c.body.text).includes('reminder'));
    expect(reminded.map((c) => c.body.channel).sort()).toEqual(['DU01', 'DU03', 'DU04']);

    // Participation stays honest at close: 0 of 3, not 0 of 4.
    tick(s(), new Date(round.closesAt.getTime() + 1000));
    await app.drain();
    expect(s().rounds.tally(round.id)?.invited).toBe(3);
  });

  it('refuses politely when already answered, and for someone else’s round', async () => {
    await app.command('UMGR', 'checkin away');
    await app.drain();
    const round = openRound();
    await app.submit('U03', round.id, { energy: 3, boundaries: 3, ownership: 3, recognition: 3 });
    expect(await clickAway('U03', String(round.id))).toBe(200);
    const reply = await app.fake.waitFor((cs) => cs.some((c) => c.responseUrlId === 'away-U03'));
    expect(String(reply.find((c) => c.responseUrlId === 'away-U03')?.body.text)).toContain(
      'already answered',
    );
    expect(s().rounds.counts(round.id)).toEqual({ invited: 4, answered: 1 });

    expect(await clickAway('U99', String(round.id))).toBe(200);
    expect(await clickAway('U01', '99999')).toBe(200);
    expect(await clickAway('U01', 'drop table')).toBe(200);
    expect(s().rounds.counts(round.id).invited).toBe(4);
    expect(s().teams.awayUntil('U01', new Date())).toBeNull();
  });
});

describe('/teamhealth away', () => {
  it('defaults to a week, skips the open round and rounds opening meanwhile, and ends with away off', async () => {
    await app.command('UMGR', 'checkin away');
    await app.drain();
    const round = openRound();
    const { reply } = await app.command('U04', 'away');
    expect(reply).toContain("You're marked away until");
    expect(reply).toContain('*away*');
    const until = s().teams.awayUntil('U04', new Date());
    expect(until).not.toBeNull();
    const days = ((until?.getTime() ?? 0) - Date.now()) / DAY;
    expect(days).toBeGreaterThan(5.9);
    expect(days).toBeLessThan(6.1);
    await app.drain();
    expect(s().rounds.counts(round.id).invited).toBe(3);
    expect(app.fake.callsTo('chat.update').some((c) => c.body.channel === 'DU04')).toBe(true);

    await app.command('UMGR', 'close away');
    const next = await app.command('UMGR', 'checkin away');
    expect(next.reply).toContain('3 check-ins on the way');
    await app.drain();
    expect(app.fake.dmsTo('U04')).toHaveLength(1);

    expect((await app.command('U04', 'away off')).reply).toContain('Welcome back');
    expect((await app.command('U04', 'away off')).reply).toContain('were not marked away');
    await app.command('UMGR', 'close away');
    await app.command('UMGR', 'checkin away');
    await app.drain();
    expect(app.fake.dmsTo('U04')).toHaveLength(2);
  });

  it('takes 1 to 8 weeks and refuses anything else with the usage line', async () => {
    const three = await app.command('U01', 'away 3');
    expect(three.reply).toContain("You're marked away");
    const days = ((s().teams.awayUntil('U01', new Date())?.getTime() ?? 0) - Date.now()) / DAY;
    expect(Math.round(days)).toBe(20);
    for (const bad of ['away 0', 'away 9', 'away -1', 'away two', 'away 2 weeks']) {
      const r = await app.command('U02', bad);
      expect(r.reply, bad).toContain('/teamhealth away [weeks]');
    }
    expect(s().teams.awayUntil('U02', new Date())).toBeNull();
  });

  it('does not send a check-in still queued when its person goes away', async () => {
    app.fake.setLatency(150);
    await app.command('UMGR', 'checkin away');
    // U04's invite is last in the queue; it is dropped before it goes.
    await app.command('U04', 'away');
    app.fake.setLatency(0);
    await app.drain();
    expect(app.fake.dmsTo('U04')).toHaveLength(0);
    expect(app.fake.callsTo('chat.update').some((c) => c.body.channel === 'DU04')).toBe(false);
    expect(s().rounds.counts(openRound().id).invited).toBe(3);
  });

  it('updates a check-in DM that was in flight when its person went away', async () => {
    app.fake.setLatency(400);
    await app.command('UMGR', 'checkin away');
    // U01's DM is on its way to Slack right now: it cannot be taken back, so it is updated once sent.
    await app.fake.waitFor((cs) =>
      cs.some((c) => c.method === 'chat.postMessage' && c.body.channel === 'U01'),
    );
    await app.command('U01', 'away');
    app.fake.setLatency(0);
    await app.drain();
    expect(app.fake.dmsTo('U01')).toHaveLength(1);
    const update = app.fake.callsTo('chat.update').find((c) => c.body.channel === 'DU01');
    expect(String(update?.body.text)).toContain("You're marked away");
    expect(s().rounds.counts(openRound().id).invited).toBe(3);
  });

  it('is forgotten with forget-me', async () => {
    await app.command('U01', 'away 2');
    await app.command('U01', 'forget-me');
    expect(s().teams.awayUntil('U01', new Date())).toBeNull();
  });

  it('says why no check-in opened when everyone is away', async () => {
    await app.command('U01', 'away');
    await app.command('U02', 'away 2');
    await app.command('U03', 'away');
    await app.command('U04', 'away');
    const r = await app.command('UMGR', 'checkin away');
    expect(r.reply).toContain('away or cannot be reached');
    expect(openRound()).toBeUndefined();
  });
});
