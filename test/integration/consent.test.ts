// Issue 8, reproduction 1 and its contract: anyone could build a "team" around one person and read
// their answers. Now nobody but an admin puts a person in a team's audience without the person
// pressing Join in a DM that names who reads the results; every check-in DM names them too.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../../tools/fakeSlack.ts';
import { blockActionPayload, interactionBody, postSigned } from '../../tools/signing.ts';
import { assertWithinSlackLimits } from '../support/blockLimits.ts';
import { messageText, SECRET, startTestApp, type TestApp } from '../support/harness.ts';
import { rowsOf, snapshotDb } from '../support/snapshot.ts';

const MALLORY = 'UMALLORY';
const BOSS = 'UBOSS';
const TARGET = 'UTARGET';
const FRIENDS = ['UF1', 'UF2', 'UF3', 'UF4'];
const ADMIN = 'UADMIN';
const mentions = (ids: readonly string[]) => ids.map((u) => `<@${u}>`).join(' ');
const same = { energy: 3, boundaries: 3, ownership: 3, recognition: 3 };

let app: TestApp;

beforeEach(async () => {
  app = await startTestApp({ ADMIN_USER_IDS: ADMIN });
});
afterEach(async () => {
  await app.close();
});

const s = () => app.runtime.services;
const teamId = (slug: string) => s().teams.bySlug(slug)?.id ?? -1;
const pendingOf = (slug: string) => s().teams.pending(teamId(slug));

interface ButtonSeen {
  text: string;
  actionId: string;
  value: string;
}
function buttonsOf(call: RecordedCall | undefined): ButtonSeen[] {
  const blocks = (call?.body.blocks ?? []) as Array<{ elements?: Array<Record<string, unknown>> }>;
  return blocks.flatMap((b) =>
    (b.elements ?? [])
      .filter((e) => e.type === 'button')
      .map((e) => ({
        text: String((e.text as { text?: string } | undefined)?.text),
        actionId: String(e.action_id),
        value: String(e.value),
      })),
  );
}

/** What the person reads in the DMs the app sent them (posts and updates), oldest first. */
const updatesOf = (userId: string) =>
  app.fake.callsTo('chat.update').filter((c) => c.body.channel === `D${userId}`);

/** Mallory's "team": she manages it, a lead reads it too, and the target plus four friends are added. */
async function trap(): Promise<string> {
  expect((await app.command(MALLORY, 'team create trap')).reply).toContain('Created *trap*');
  await app.command(MALLORY, `team lead trap <@${BOSS}>`);
  const { reply } = await app.command(MALLORY, `team add trap ${mentions([TARGET, ...FRIENDS])}`);
  await app.drain();
  return reply;
}

/** The friends join and Mallory opens a round; resolves to it. */
async function friendsRound() {
  for (const u of FRIENDS) await app.join(u, 'trap');
  await app.command(MALLORY, 'checkin trap');
  await app.drain();
  const round = s().rounds.openFor(teamId('trap'));
  if (!round) throw new Error('no round');
  return round;
}

describe('people added by someone who is not an admin are asked, not surveyed', () => {
  it('gives the target one DM naming the team, who added them, who reads the results and the threshold', async () => {
    const reply = await trap();
    expect(reply).toContain(`Asked ${[TARGET, ...FRIENDS].map((u) => `<@${u}>`).join(', ')} to join *trap*`);
    expect(reply).not.toContain('Added');
    expect(reply).toContain('It has 0 members and 5 asked to join');
    expect(s().teams.members(teamId('trap'))).toEqual([]);
    expect(pendingOf('trap')).toEqual(
      [...FRIENDS, TARGET].sort().map((userId) => ({ userId, addedBy: MALLORY })),
    );

    const dms = app.fake.dmsTo(TARGET);
    expect(dms).toHaveLength(1);
    const dm = dms[0];
    assertWithinSlackLimits(dm?.body.blocks as unknown[], 'message');
    const text = messageText(dm?.body ?? {});
    expect(text).toContain('*trap*');
    expect(text).toContain(`<@${MALLORY}> asked you to join`);
    expect(text).toContain(`<@${MALLORY}> (manager), <@${BOSS}> (lead)`);
    expect(text).toContain('at least 5 people');
    expect(buttonsOf(dm).map((b) => b.text)).toEqual(['Join', 'Not my team']);
    expect(buttonsOf(dm).map((b) => b.value)).toEqual([String(teamId('trap')), String(teamId('trap'))]);
    // Asking again asks nobody twice.
    const again = await app.command(MALLORY, `team add trap <@${TARGET}>`);
    expect(again.reply).toContain(`<@${TARGET}> was asked before and has not joined yet`);
    await app.drain();
    expect(app.fake.dmsTo(TARGET)).toHaveLength(1);
  });

  it('neither invites nor counts them until they press Join, and lists them apart for the manager', async () => {
    await trap();
    expect((await app.command(MALLORY, 'checkin trap')).reply).toContain('has no members yet');
    expect(s().rounds.latest(teamId('trap'))).toBeUndefined();

    for (const u of FRIENDS) await app.join(u, 'trap');
    const opened = await app.command(MALLORY, 'checkin trap');
    expect(opened.reply).toContain('4 check-ins on the way');
    expect(opened.reply).not.toContain('away or unreachable');
    await app.drain();
    const round = s().rounds.openFor(teamId('trap'));
    if (!round) throw new Error('no round');
    expect(s().rounds.invite(round.id, TARGET)).toBeUndefined();
    expect(s().rounds.counts(round.id)).toEqual({ invited: 4, answered: 0 });
    // The join DM, and nothing else.
    expect(app.fake.dmsTo(TARGET)).toHaveLength(1);

    const list = await app.command(MALLORY, 'team list');
    expect(list.reply).toContain('*trap*: manager <@UMALLORY>, lead <@UBOSS>, 4 members');
    expect(list.reply).toContain(`asked to join, not counted until they press Join: <@${TARGET}>`);
    // The lead may edit the team and sees them too; a member does not.
    expect((await app.command(BOSS, 'team list')).reply).toContain(`<@${TARGET}>`);
    expect((await app.command('UF1', 'team list')).reply).not.toContain(TARGET);

    // Four friends answering alike learn nothing about the target: the round stays below the threshold.
    for (const u of FRIENDS) expect((await app.submit(u, round.id, same)).json).toBeNull();
    await app.command(MALLORY, 'close trap');
    await app.drain();
    const summary = JSON.stringify(app.fake.dmsTo(MALLORY).at(-1)?.body);
    expect(summary).toContain('4 of 4');
    expect(summary).not.toMatch(/\b3\.0\b/);
  });

  it('Not my team takes them off the team and tells the person who added them', async () => {
    await trap();
    const { reply } = await app.press(TARGET, 'consent_decline');
    expect(reply).toBeNull();
    expect(pendingOf('trap').map((p) => p.userId)).toEqual(FRIENDS);
    expect(s().teams.isMember(teamId('trap'), TARGET)).toBe(false);

    const told = app.fake.dmsTo(MALLORY);
    expect(told).toHaveLength(1);
    expect(messageText(told[0]?.body ?? {})).toContain(`<@${TARGET}> pressed Not my team for *trap*`);
    const [update, ...more] = updatesOf(TARGET);
    expect(more).toEqual([]);
    expect(String(update?.body.text)).toContain('You are not on *trap*');
    expect(buttonsOf(update)).toEqual([]);

    // The old Join button changes nothing now, and says so to them alone.
    const late = await app.press(TARGET, 'consent_join');
    expect(late.reply).toMatch(/no open request to join \*trap\*/);
    expect(s().teams.isMember(teamId('trap'), TARGET)).toBe(false);
    expect((await app.command(MALLORY, 'team list')).reply).not.toContain(TARGET);
  });

  it('Join makes them a member from the next round that opens, and updates the DM to say so', async () => {
    await trap();
    const first = await friendsRound();

    await app.join(TARGET, 'trap');
    expect(pendingOf('trap')).toEqual([]);
    const update = updatesOf(TARGET).at(-1);
    expect(String(update?.body.text)).toContain('You joined *trap*');
    expect(String(update?.body.ts)).toMatch(/^1700000000\.\d{6}$/);
    expect(buttonsOf(update).map((b) => b.text)).toEqual(['Leave this team']);
    // Not in the round already open: it snapshotted its invitees.
    expect(s().rounds.invite(first.id, TARGET)).toBeUndefined();
    const again = await app.press(TARGET, 'consent_join');
    expect(again.reply).toMatch(/already on \*trap\*/);

    await app.command(MALLORY, 'close trap');
    expect((await app.command(MALLORY, 'checkin trap')).reply).toContain('5 check-ins on the way');
    await app.drain();
    const next = s().rounds.openFor(teamId('trap'));
    expect(next && s().rounds.invite(next.id, TARGET)).toBeDefined();
  });

  it('team remove takes back a request to join', async () => {
    await trap();
    const removed = await app.command(MALLORY, `team remove trap <@${TARGET}>`);
    expect(removed.reply).toContain(`Removed <@${TARGET}> from *trap*`);
    expect(pendingOf('trap').map((p) => p.userId)).toEqual(FRIENDS);
    const late = await app.press(TARGET, 'consent_join');
    expect(late.reply).toMatch(/no open request/);
    expect(s().teams.isMember(teamId('trap'), TARGET)).toBe(false);
  });

  it('forget-me takes back their requests to join and every queued DM about them', async () => {
    await trap();
    // Mallory asks again elsewhere while Slack is unreachable: that join DM stays queued.
    await app.command(MALLORY, 'team create trap-two');
    await app.runtime.worker.stop();
    await app.command(MALLORY, `team add trap-two <@${TARGET}> <@UF1>`);
    const keys = () => rowsOf(snapshotDb(app.dbPath), 'outbox').map((r) => String(r.key));
    expect(keys()).toContain(`join:${teamId('trap-two')}:${TARGET}`);

    const { reply } = await app.command(TARGET, 'forget-me');
    expect(reply).toContain('Done');
    const after = snapshotDb(app.dbPath);
    expect(rowsOf(after, 'pending_members').filter((r) => r.user_id === TARGET)).toEqual([]);
    expect(rowsOf(after, 'pending_members')).toHaveLength(FRIENDS.length + 1);
    expect(keys().filter((k) => k.includes(TARGET))).toEqual([]);
    expect(keys()).toContain(`join:${teamId('trap-two')}:UF1`);
    app.runtime.worker.start();
    await app.drain();
    expect(app.fake.dmsTo(TARGET)).toHaveLength(1);
  });
});

describe("an admin's additions", () => {
  it('take effect at once, with a DM naming the team and its readers and a Leave this team button', async () => {
    await trap();
    const { reply } = await app.command(ADMIN, 'team add trap <@UNEW> <@UTARGET>');
    expect(reply).toContain('Added <@UNEW>, <@UTARGET> to *trap*');
    expect(s().teams.members(teamId('trap'))).toEqual(['UNEW', TARGET]);
    // The target's request to join is settled by the admin's addition.
    expect(pendingOf('trap').map((p) => p.userId)).toEqual(FRIENDS);
    await app.drain();
    const [dm, ...more] = app.fake.dmsTo('UNEW');
    expect(more).toEqual([]);
    assertWithinSlackLimits(dm?.body.blocks as unknown[], 'message');
    const text = messageText(dm?.body ?? {});
    expect(text).toContain('*trap*');
    expect(text).toContain(`<@${ADMIN}>, an admin of teamhealth, added you`);
    expect(text).toContain(`<@${MALLORY}> (manager), <@${BOSS}> (lead)`);
    expect(buttonsOf(dm).map((b) => b.text)).toEqual(['Leave this team']);
  });

  it('Leave this team removes them, confirms, and takes back an unanswered check-in', async () => {
    await trap();
    await app.command(ADMIN, 'team add trap <@UNEW> <@UF1>');
    expect((await app.command(MALLORY, 'checkin trap')).reply).toContain('2 check-ins on the way');
    await app.drain();
    const round = s().rounds.openFor(teamId('trap'));
    if (!round) throw new Error('no round');

    const { reply } = await app.press('UNEW', 'consent_leave');
    expect(reply).toBeNull();
    expect(s().teams.members(teamId('trap'))).toEqual(['UF1']);
    expect(String(updatesOf('UNEW').at(-1)?.body.text)).toContain('You left *trap*');
    expect(s().rounds.counts(round.id)).toEqual({ invited: 1, answered: 0 });
    const again = await app.press('UNEW', 'consent_leave');
    expect(again.reply).toMatch(/not on \*trap\*, so there was nothing to leave/);
  });

  it('take effect at once for people who add themselves, with no DM', async () => {
    await app.command(MALLORY, 'team create own');
    const { reply } = await app.command(MALLORY, `team add own <@${MALLORY}>`);
    expect(reply).toContain(`Added <@${MALLORY}> to *own*`);
    expect(s().teams.members(teamId('own'))).toEqual([MALLORY]);
    await app.drain();
    expect(app.fake.dmsTo(MALLORY)).toEqual([]);
  });
});

describe('naming a manager', () => {
  it('is refused to anyone but an admin, creating nothing', async () => {
    const before = snapshotDb(app.dbPath);
    const { reply } = await app.command(MALLORY, `team create victims <@${BOSS}>`);
    expect(reply).toContain(
      'Only an admin can make someone else the manager of a team, so nothing was created.',
    );
    expect(s().teams.bySlug('victims')).toBeUndefined();
    expect(snapshotDb(app.dbPath)).toEqual(before);
    await app.drain();
    expect(app.fake.calls.filter((c) => c.method !== 'response_url' && c.method !== 'auth.test')).toEqual([]);

    expect((await app.command(MALLORY, `team create mine <@${MALLORY}>`)).reply).toContain(
      'Created *mine* with <@UMALLORY> as manager',
    );
    expect((await app.command(ADMIN, `team create theirs <@${BOSS}>`)).reply).toContain(
      'Created *theirs* with <@UBOSS> as manager',
    );
  });
});

describe('every check-in DM', () => {
  it('names who reads the results and the threshold, and shows the closing time in the reader’s zone', async () => {
    await trap();
    const round = await friendsRound();
    const readers = `<@${MALLORY}> (manager), <@${BOSS}> (lead) and this app's admins`;

    const invite = messageText(app.fake.dmsTo('UF1').at(-1)?.body ?? {});
    expect(invite).toContain('Weekly check-in for trap');
    expect(invite).toContain(readers);
    expect(invite).toContain('at least 5 people');
    const closes = Math.floor(round.closesAt.getTime() / 1000);
    expect(invite).toContain(`Open until <!date^${closes}^{date_short_pretty} at {time}|`);
    expect(invite).not.toMatch(/Open until \w{3}, \d\d \w{3}/);

    const modal = JSON.stringify(await app.openCheckin('UF1', round.id));
    expect(modal).toContain(readers);
    expect(modal).toContain('at least 5 people');

    app.runtime.tick(round.remindAt);
    await app.drain();
    const reminder = messageText(app.fake.dmsTo('UF2').at(-1)?.body ?? {});
    expect(reminder).toContain('gentle reminder');
    expect(reminder).toContain(readers);
  });
});

describe('forged consent buttons', () => {
  /** A press as Slack would send it, with whatever value; resolves to what the presser was told. */
  async function forge(userId: string, actionId: string, value: string): Promise<string> {
    const id = `forged-${userId}-${actionId}-${value.length}`;
    const payload = blockActionPayload({
      userId,
      actionId,
      value,
      responseUrl: app.fake.responseUrl(id),
    });
    const res = await postSigned(app.url, interactionBody(payload), { secret: SECRET });
    expect(res.status).toBe(200);
    const calls = await app.fake.waitFor((cs) => cs.some((c) => c.responseUrlId === id));
    const answer = calls.find((c) => c.responseUrlId === id);
    expect(answer?.body.response_type).toBe('ephemeral');
    return String(answer?.body.text);
  }

  it('change nothing and say why, to the presser alone', async () => {
    await trap();
    await app.command(ADMIN, 'team add trap <@UNEW>');
    await app.command('UOTHER', 'team create other');
    await app.drain();
    const before = snapshotDb(app.dbPath);
    const trapId = String(teamId('trap'));
    const cases: Array<[string, string, string, RegExp]> = [
      // someone else's request: UNEW was not asked, the target was
      ['UNEW', 'consent_join', trapId, /already on \*trap\*/],
      ['USTRANGER', 'consent_join', trapId, /no open request to join \*trap\*/],
      ['USTRANGER', 'consent_decline', trapId, /no open request to join \*trap\*/],
      // the wrong team
      [TARGET, 'consent_join', String(teamId('other')), /no open request to join \*other\*/],
      [TARGET, 'consent_leave', trapId, /not on \*trap\*/],
      // a team that does not exist
      [TARGET, 'consent_join', '99999', /no longer exists/],
      ['UNEW', 'consent_leave', '99999', /no longer exists/],
      // values that are no team id at all
      ...['', '-1', '1.5', ' 1', `${trapId} `, '<!channel>', "1' OR '1'='1", 'x'.repeat(5000)].map(
        (v): [string, string, string, RegExp] => [TARGET, 'consent_join', v, /could not be read/],
      ),
    ];
    for (const [user, action, value, says] of cases) {
      expect(await forge(user, action, value), `${user} ${action} ${value.slice(0, 20)}`).toMatch(says);
    }
    await app.drain();
    expect(snapshotDb(app.dbPath)).toEqual(before);
    expect(app.fake.callsTo('chat.update')).toEqual([]);
  });
});
