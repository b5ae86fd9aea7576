import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tick } from '../../src/jobs/tick.ts';
import { exportTeam, formatTeamExport } from '../../src/usecases/export.ts';
import {
  blockActionPayload,
  interactionBody,
  postSigned,
  viewSubmissionPayload,
} from '../../tools/signing.ts';
import { assertWithinSlackLimits } from '../support/blockLimits.ts';
import { type AnswerValues, messageText, SECRET, startTestApp, type TestApp } from '../support/harness.ts';

/**
 * Actions through the real app: who may record them, their numbers, the check-in DMs that tell the
 * team, and the report that says whether they seem to help.
 */
const MANAGER = 'UMGR';
const LEAD = 'ULEAD';
const ADMIN = 'UADMIN';
const MEMBERS = ['UM1', 'UM2', 'UM3', 'UM4', 'UM5', 'UM6'];
const LEVELS = [3, 4, 4, 5, 4, 3];

let app: TestApp;

const teamId = (): number => app.runtime.services.teams.bySlug('core')?.id ?? -1;

/** One round where every member answers their own level, `boundaries` raised by `lift` (at most 5). */
async function runRound(lift = 0): Promise<number> {
  expect((await app.command(MANAGER, 'checkin core')).reply).toContain('is open');
  const round = app.runtime.services.rounds.openFor(teamId());
  if (!round) throw new Error('no round');
  for (const [i, u] of MEMBERS.entries()) {
    const level = LEVELS[i] ?? 4;
    const a: AnswerValues = {
      energy: level,
      boundaries: Math.min(5, level + lift),
      ownership: level,
      recognition: level,
    };
    expect((await app.submit(u, round.id, a)).json).toBeNull();
  }
  expect((await app.command(MANAGER, 'close core')).reply).toContain('Closed round');
  await app.drain();
  return round.number;
}

/** The latest DM the member got for the round that is open now. */
async function latestInvite(userId: string): Promise<string> {
  await app.drain();
  return messageText(app.fake.dmsTo(userId).at(-1)?.body ?? {});
}

beforeAll(async () => {
  app = await startTestApp({ ADMIN_USER_IDS: ADMIN });
  await app.command(MANAGER, 'team create core');
  await app.addMembers(MANAGER, 'core', MEMBERS.map((u) => `<@${u}>`).join(' '));
  await app.command(MANAGER, `team lead core <@${LEAD}>`);
}, 60_000);

afterAll(async () => {
  await app.close();
});

describe('actions', () => {
  it('refuses a member and an outsider, and records nothing', async () => {
    for (const who of ['UM1', 'UOUTSIDER']) {
      for (const text of ['action add core energy a walk', 'action list core', 'action done core 1']) {
        const r = await app.command(who, text);
        expect(r.reply, `${who}: ${text}`).toContain('Only the manager of *core*, its lead or an admin');
      }
    }
    expect(app.runtime.services.actions.all(teamId())).toEqual([]);
  });

  it('numbers actions per team, recorded by the manager, the lead or an admin', async () => {
    await runRound();
    await runRound();
    await runRound();
    const started = await runRound();
    // Slack sends `<`, `>` and `&` escaped; the text is shown escaped again, so it can never ping.
    const first = await app.command(
      MANAGER,
      'action add core boundaries no meetings on Fridays &lt;!channel&gt;',
    );
    expect(first.reply).toContain('Action *#1* recorded for *core*');
    expect(first.reply).toContain('&lt;!channel&gt;');
    expect(first.reply).not.toContain('<!channel>');
    expect((await app.command(LEAD, 'action add core team a retro on how we plan')).reply).toContain('*#2*');
    expect((await app.command(ADMIN, 'action add core energy one focus day')).reply).toContain('*#3*');
    expect(app.runtime.services.actions.all(teamId()).map((a) => [a.number, a.round])).toEqual([
      [1, started],
      [2, started],
      [3, started],
    ]);
    const list = await app.command(LEAD, 'action list');
    expect(list.reply).toContain('no meetings on Fridays');
    expect(list.reply).toContain('too early');
  });

  it('tells the team in every check-in DM, with the round it started in, until it ends', async () => {
    expect((await app.command(MANAGER, 'checkin core')).reply).toContain('is open');
    for (const u of MEMBERS) {
      const dm = await latestInvite(u);
      expect(dm).toContain(
        'You told us about boundaries in round 4. Since then: no meetings on Fridays &lt;!channel&gt;',
      );
      expect(dm).toContain('After round 4, the team is trying: a retro on how we plan');
      expect(dm).toContain('one focus day');
      assertWithinSlackLimits((app.fake.dmsTo(u).at(-1)?.body.blocks ?? []) as unknown[], 'message');
    }
    expect((await app.command(MANAGER, 'close core')).reply).toContain('Closed round');
  });

  it('shows each open action in the report with its number, text and effect', async () => {
    const early = await app.command(MANAGER, 'report core');
    expect(early.reply).toContain('*#1*');
    expect(early.reply).toContain('no meetings on Fridays');
    expect(early.reply).toContain('too early');
    // Round 5 closed with nobody answering (hidden): it never counts. Two shown rounds with everyone
    // a point higher on boundaries read as better; energy, unchanged, reads as no clear change.
    await runRound(1);
    await runRound(1);
    const report = await app.command(LEAD, 'report core');
    expect(report.reply).toMatch(/\*#1\*[^\n]*no meetings on Fridays[^\n]*likely better/);
    expect(report.reply).toMatch(/\*#3\*[^\n]*one focus day[^\n]*no clear change/);
  });

  it('lists the open actions and their effect in the lead’s digest, with a question for the manager', async () => {
    const digest = await app.command(LEAD, 'digest');
    expect(digest.reply).toMatch(/Trying \*#1\* no meetings on Fridays[^\n]*: \*likely better\*/);
    expect(digest.reply).toMatch(
      /Trying \*#2\* a retro on how we plan[^\n]*: \*(no clear change|likely better)\*/,
    );
    // The question is about the action whose numbers say least clearly that it works.
    expect(digest.reply).toContain(`Ask <@${MANAGER}>: “one focus day” shows no clear change yet`);
    expect(digest.reply).not.toContain('no action recorded');
  });

  it('finishes and drops actions; the DMs stop mentioning them', async () => {
    expect((await app.command('UM2', 'action drop core 2')).reply).toContain('Only');
    expect((await app.command(MANAGER, 'action done core 1')).reply).toContain('*#1* of *core* is done');
    expect((await app.command(LEAD, 'action drop core 2')).reply).toContain('is dropped');
    expect((await app.command(LEAD, 'action drop core 2')).reply).toContain(
      'already dropped; nothing changed',
    );
    expect((await app.command(LEAD, 'action done core 9')).reply).toContain('no action *#9*');
    expect((await app.command(MANAGER, 'checkin core')).reply).toContain('is open');
    const dm = await latestInvite('UM1');
    expect(dm).not.toContain('no meetings on Fridays');
    expect(dm).not.toContain('a retro');
    expect(dm).toContain('one focus day');
    const report = await app.command(MANAGER, 'report core');
    expect(report.reply).not.toContain('no meetings on Fridays');
    const list = await app.command(MANAGER, 'action list core');
    expect(list.reply).toMatch(/\*#1\*[^\n]*done/);
    expect(list.reply).toMatch(/\*#2\*[^\n]*dropped/);
  });

  it('says it in the reminder too', async () => {
    // A day later, past the reminder delay (24 h by default) and well before the close.
    expect(tick(app.runtime.services, new Date(Date.now() + 25 * 3_600_000)).reminded).toBe(1);
    const reminder = await latestInvite('UM1');
    expect(reminder).toContain('gentle reminder');
    expect(reminder).toContain('You told us about energy in round 4. Since then: one focus day');
    expect(reminder).not.toContain('no meetings on Fridays');
  });

  it('exports each action on the round it started after, with its status and effect', () => {
    const rounds = exportTeam(app.runtime.services, 'core') ?? [];
    expect(rounds.map((r) => r.actions.map((a) => a.number))).toEqual([[], [], [], [1, 2, 3], [], [], []]);
    expect(rounds[3]?.actions[0]).toEqual({
      number: 1,
      about: 'boundaries',
      text: 'no meetings on Fridays <!channel>',
      status: 'done',
      effect: 'likely better',
    });
    expect(rounds[3]?.actions.map((a) => [a.status, a.effect])).toEqual([
      ['done', 'likely better'],
      ['dropped', 'likely better'],
      ['open', 'no clear change'],
    ]);
    expect(formatTeamExport(rounds, 'csv').split('\n')[4]).toMatch(
      /,1:boundaries:done:likely better;2:team:dropped:likely better;3:energy:open:no clear change$/,
    );
  });
});

describe('a team with critical flags and no action', () => {
  const HOT = ['UH1', 'UH2', 'UH3', 'UH4', 'UH5'];

  async function lowRound(): Promise<void> {
    expect((await app.command('UMGR2', 'checkin hot')).reply).toContain('is open');
    const round = app.runtime.services.rounds.openFor(app.runtime.services.teams.bySlug('hot')?.id ?? -1);
    if (!round) throw new Error('no round');
    for (const u of HOT) {
      const a = { energy: 1, boundaries: 2, ownership: 3, recognition: 3 };
      expect((await app.submit(u, round.id, a)).json).toBeNull();
    }
    expect((await app.command('UMGR2', 'close hot')).reply).toContain('Closed round');
  }

  it('is marked in the lead’s digest until its manager records an action', async () => {
    await app.command('UMGR2', 'team create hot');
    await app.addMembers('UMGR2', 'hot', HOT.map((u) => `<@${u}>`).join(' '));
    await app.command('UMGR2', `team lead hot <@${LEAD}>`);
    await lowRound();
    expect((await app.command(LEAD, 'digest')).reply).not.toContain('no action recorded');
    await lowRound();
    const marked = await app.command(LEAD, 'digest');
    expect(marked.reply).toContain(
      'A critical flag in each of the last 2 shown rounds, and no action recorded.',
    );
    expect(marked.reply).toContain('Ask <@UMGR2>: what will the team try');
    expect((await app.command('UMGR2', 'action add hot energy no pager on weekends')).reply).toContain(
      '*#1*',
    );
    const after = await app.command(LEAD, 'digest');
    expect(after.reply).not.toContain('no action recorded');
    expect(after.reply).toContain('What has the team said about “no pager on weekends” so far?');
  });
});

describe("`We'll try this` next to a flag's suggestion", () => {
  /** The proposal buttons in the latest message the app sent the person (accessories or action rows). */
  type Element = { action_id?: string; value?: string; text?: { text?: string } };
  const proposalButtons = (userId: string) =>
    (
      (app.fake.dmsTo(userId).at(-1)?.body.blocks ?? []) as Array<{
        accessory?: Element;
        elements?: Element[];
      }>
    )
      .flatMap((b) => [...(b.accessory ? [b.accessory] : []), ...(b.elements ?? [])])
      .filter((e) => /^action_propose(:\d+)?$/.test(String(e.action_id)))
      .map((e) => ({ actionId: String(e.action_id), value: String(e.value), label: String(e.text?.text) }));
  const proposals = (userId: string): string[] => proposalButtons(userId).map((b) => b.value);

  /** Presses a button and returns the modal it opened. */
  const press = async (actionId: string, value: string) => {
    const opened = app.fake.callsTo('views.open').length;
    const res = await postSigned(
      app.url,
      interactionBody(blockActionPayload({ userId: 'UMGR2', actionId, value })),
      { secret: SECRET },
    );
    expect(res.status).toBe(200);
    return (await app.fake.waitFor((cs) => cs.filter((c) => c.method === 'views.open').length > opened))
      .filter((c) => c.method === 'views.open')
      .at(-1)?.body.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
  };

  const submit = async (userId: string, team: string, focus: string, text: string) => {
    const payload = viewSubmissionPayload({
      userId,
      callbackId: 'action_add',
      privateMetadata: team,
      values: {
        action_focus: { focus: { type: 'static_select', selected_option: { value: focus } } },
        action_text: { text: { type: 'plain_text_input', value: text } },
      },
    });
    const res = await postSigned(app.url, interactionBody(payload), { secret: SECRET });
    return {
      status: res.status,
      json: JSON.parse(res.text) as { response_action: string; view?: unknown; errors?: unknown },
    };
  };

  it('puts a button under the summary for each flagged dimension, each with its own suggestion', async () => {
    await app.drain();
    const buttons = proposalButtons('UMGR2');
    // `hot` answers energy 1 and boundaries 2: both are flagged, and each gets its own button.
    expect(buttons.map((b) => b.label)).toEqual(
      expect.arrayContaining(["We'll try: Energy", "We'll try: Boundaries"]),
    );
    expect(new Set(buttons.map((b) => b.actionId)).size).toBe(buttons.length);
    const energy = buttons.find((b) => b.label === "We'll try: Energy");
    const boundaries = buttons.find((b) => b.label === "We'll try: Boundaries");
    expect(energy?.value).toMatch(/^hot energy \S/);
    expect(boundaries?.value).toMatch(/^hot boundaries \S/);
    const suggestion = (v = '') => v.split(' ').slice(2).join(' ');
    expect(suggestion(energy?.value)).not.toBe(suggestion(boundaries?.value));

    // The second button reaches the listener too, and its modal proposes its own suggestion.
    const modal = await press(boundaries?.actionId ?? '', boundaries?.value ?? '');
    expect(boundaries?.actionId).not.toBe('action_propose:0');
    expect(modal.callback_id).toBe('action_add');
    expect(modal.private_metadata).toBe('hot');
    const shown = JSON.stringify(modal.blocks);
    expect(shown).toContain(JSON.stringify(suggestion(boundaries?.value)));
    expect(shown).toContain('"initial_option":{"text":{"type":"plain_text","text":"Boundaries"');
  });

  it('opens a modal with the suggestion pre-filled; the edited text becomes the next action', async () => {
    await app.drain();
    const [value] = proposals('UMGR2');
    expect(value).toMatch(/^hot energy \S/);
    // A button sent before each had its own index still works: the listener matches both ids.
    const modal = await press('action_propose', String(value));
    assertWithinSlackLimits(modal.blocks, 'modal');
    expect(modal.callback_id).toBe('action_add');
    expect(modal.private_metadata).toBe('hot');
    expect(JSON.stringify(modal.blocks)).toContain(
      JSON.stringify(String(value).split(' ').slice(2).join(' ')),
    );

    const done = await submit('UMGR2', 'hot', 'boundaries', 'a quiet hour every morning <!here>');
    expect(done.json.response_action).toBe('update');
    expect(JSON.stringify(done.json.view)).toContain('Action *#2* recorded for *hot*');
    expect(JSON.stringify(done.json.view)).toContain('&lt;!here&gt;');
    const hot = app.runtime.services.teams.bySlug('hot')?.id ?? -1;
    expect(app.runtime.services.actions.byNumber(hot, 2)).toMatchObject({
      focus: 'boundaries',
      text: 'a quiet hour every morning <!here>',
    });
  });

  it('refuses a member, an empty text or a forged form, and records nothing', async () => {
    const hot = app.runtime.services.teams.bySlug('hot')?.id ?? -1;
    const before = app.runtime.services.actions.all(hot).length;
    const member = await submit('UH1', 'hot', 'energy', 'free pizza');
    expect(JSON.stringify(member.json.view)).toContain('Only the manager of *hot*, its lead or an admin');
    expect((await submit('UMGR2', 'hot', 'energy', '   ')).json.response_action).toBe('errors');
    expect((await submit('UMGR2', 'hot', 'mood', 'x')).json.errors).toEqual({
      action_focus: 'Pick what it is about.',
    });
    expect((await submit('UMGR2', 'Not a team', 'energy', 'x')).json.response_action).toBe('errors');
    expect((await submit('UMGR2', 'hot', 'energy', 'x'.repeat(201))).json.response_action).toBe('errors');
    expect(app.runtime.services.actions.all(hot)).toHaveLength(before);
  });
});
