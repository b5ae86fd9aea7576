import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  blockActionPayload,
  interactionBody,
  postSigned,
  slashCommandBody,
  viewSubmissionPayload,
} from '../../tools/signing.ts';
import { assertModalWithinLimits, assertWithinSlackLimits } from '../support/blockLimits.ts';
import { SECRET, startTestApp, type TestApp } from '../support/harness.ts';

type View = Record<string, unknown>;
type Block = Record<string, unknown> & { type: string; block_id?: string };

let app: TestApp;

beforeEach(async () => {
  app = await startTestApp({ DEFAULT_TIMEZONE: 'Europe/Berlin', ADMIN_USER_IDS: 'UADMIN' });
});
afterEach(async () => {
  await app.close();
});

const blocksOf = (view: View) => view.blocks as Block[];
const blockById = (view: View, id: string) => blocksOf(view).find((b) => b.block_id === id);
const elementOf = (view: View, id: string) => blockById(view, id)?.element as Record<string, unknown>;
/** The select in the `existing` actions block. */
const pickerOf = (view: View) => ((blockById(view, 'existing')?.elements ?? []) as Block[])[0];
const pickerValues = (view: View) =>
  ((pickerOf(view)?.options ?? []) as Array<{ value: string }>).map((o) => o.value);

/** `/teamhealth setup` as the user; resolves to the modal the app asked Slack to open. */
async function openSetupModal(userId: string): Promise<View> {
  const before = app.fake.callsTo('views.open').length;
  const res = await postSigned(
    app.url,
    slashCommandBody({ text: 'setup', userId, responseUrl: app.fake.responseUrl(`setup-${userId}`) }),
    { secret: SECRET },
  );
  expect(res.status).toBe(200);
  const calls = await app.fake.waitFor((cs) => cs.filter((c) => c.method === 'views.open').length > before);
  const open = calls.filter((c) => c.method === 'views.open').at(-1);
  expect(open?.failed).toBeUndefined();
  return open?.body.view as View;
}

/** Picks a team in the modal's `existing` select; resolves to the views.update call's body. */
async function pickTeam(userId: string, value: string, shown: View): Promise<Record<string, unknown>> {
  const before = app.fake.callsTo('views.update').length;
  const view = { ...shown, id: 'V0SETUP', hash: '1700000000.abc123', state: { values: {} } };
  const payload = blockActionPayload({ userId, actionId: 'pick_team', blockId: 'existing', view });
  payload.actions = [
    {
      type: 'static_select',
      action_id: 'pick_team',
      block_id: 'existing',
      selected_option: { text: { type: 'plain_text', text: value }, value },
      action_ts: '1700000000.000000',
    },
  ];
  const res = await postSigned(app.url, interactionBody(payload), { secret: SECRET });
  expect(res.status).toBe(200);
  const calls = await app.fake.waitFor((cs) => cs.filter((c) => c.method === 'views.update').length > before);
  return calls.filter((c) => c.method === 'views.update').at(-1)?.body as Record<string, unknown>;
}

interface Form {
  team: string;
  members: string[];
  lead?: string | null;
  weekday?: string;
  time?: string;
  timezone?: string;
}

/** `state.values` as Slack sends them for this modal, keyed by the modal's own block and action ids. */
function formValues(view: View, form: Form): Record<string, Record<string, object>> {
  const action = (block: string) => String(elementOf(view, block).action_id);
  return {
    team: { [action('team')]: { type: 'plain_text_input', value: form.team } },
    members: { [action('members')]: { type: 'multi_users_select', selected_users: form.members } },
    lead: { [action('lead')]: { type: 'users_select', selected_user: form.lead ?? null } },
    weekday: {
      [action('weekday')]: {
        type: 'static_select',
        selected_option: { text: { type: 'plain_text', text: 'day' }, value: form.weekday ?? 'mon' },
      },
    },
    time: { [action('time')]: { type: 'timepicker', selected_time: form.time ?? '10:00' } },
    timezone: { [action('timezone')]: { type: 'plain_text_input', value: form.timezone ?? 'Europe/Berlin' } },
  };
}

async function submitSetup(
  userId: string,
  view: View,
  form: Form,
  privateMetadata = String(view.private_metadata),
): Promise<{ status: number; json: unknown }> {
  const payload = viewSubmissionPayload({
    userId,
    callbackId: 'team_setup',
    privateMetadata,
    values: formValues(view, form),
  });
  const res = await postSigned(app.url, interactionBody(payload), { secret: SECRET });
  return { status: res.status, json: res.text === '' ? null : JSON.parse(res.text) };
}

const teams = () => app.runtime.services.teams;
const membersOf = (slug: string) => teams().members(teams().bySlug(slug)?.id ?? -1);

async function createAlpha(): Promise<void> {
  const view = await openSetupModal('UMGR');
  const res = await submitSetup('UMGR', view, {
    team: 'alpha',
    members: ['U01', 'U02', 'U03'],
    lead: 'ULEAD',
    weekday: 'wed',
    time: '09:30',
    timezone: 'europe/berlin',
  });
  expect(res).toEqual({ status: 200, json: null });
  // Picked by a manager, they are asked to join (issue 8); here they do.
  for (const u of ['U01', 'U02', 'U03']) await app.join(u, 'alpha');
}

describe('/teamhealth setup', () => {
  it('opens the team modal at once, within Slack limits, with defaults for a new team', async () => {
    const view = await openSetupModal('UNEW');
    assertModalWithinLimits(view);
    expect(view.type).toBe('modal');
    expect(view.callback_id).toBe('team_setup');
    const inputs = blocksOf(view).filter((b) => b.type === 'input');
    expect(inputs.map((b) => b.block_id)).toEqual(['team', 'members', 'lead', 'weekday', 'time', 'timezone']);
    // Nothing to edit yet: no picker of existing teams.
    expect(blockById(view, 'existing')).toBeUndefined();
    expect(elementOf(view, 'team').type).toBe('plain_text_input');
    expect(JSON.stringify(blockById(view, 'team')?.hint)).toMatch(/lowercase letters, digits and dashes/i);
    expect(elementOf(view, 'members').type).toBe('multi_users_select');
    expect(elementOf(view, 'lead').type).toBe('users_select');
    expect(blockById(view, 'lead')?.optional).toBe(true);
    const day = elementOf(view, 'weekday') as { type: string; options: Array<{ value: string }> };
    expect(day.type).toBe('static_select');
    expect(day.options.map((o) => o.value)).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
    expect((elementOf(view, 'weekday').initial_option as { value: string }).value).toBe('mon');
    expect(elementOf(view, 'time')).toMatchObject({ type: 'timepicker', initial_time: '10:00' });
    expect(elementOf(view, 'timezone')).toMatchObject({
      type: 'plain_text_input',
      initial_value: 'Europe/Berlin',
    });
    expect(JSON.stringify(blockById(view, 'timezone')?.hint)).toContain('IANA name such as Europe/Berlin');
  });

  it('creates the team with members, lead and schedule, and DMs the caller a confirmation', async () => {
    await createAlpha();
    const team = teams().bySlug('alpha');
    expect(team).toMatchObject({
      managerId: 'UMGR',
      leadId: 'ULEAD',
      weekday: 'wed',
      time: '09:30',
      timezone: 'Europe/Berlin',
    });
    expect(membersOf('alpha')).toEqual(['U01', 'U02', 'U03']);
    const { reply } = await app.command('UMGR', 'team list');
    expect(reply).toContain(
      '*alpha*: manager <@UMGR>, lead <@ULEAD>, 3 members, Wednesdays at 09:30 (Europe/Berlin)',
    );

    await app.drain();
    const [dm, ...more] = app.fake.dmsTo('UMGR');
    expect(more).toHaveLength(0);
    assertWithinSlackLimits(dm?.body.blocks as unknown[], 'message');
    expect(String(dm?.body.text)).toContain('alpha');
    // Saved by a manager, the three were asked to join rather than added (issue 8).
    expect(String(dm?.body.text)).toContain('0 members, 3 asked to join');
    expect(String(dm?.body.text)).toContain('Wednesdays at 09:30 (Europe/Berlin)');
    // The people picked hear only the request to join; nobody else hears about it.
    for (const u of ['U01', 'U02', 'U03']) {
      expect(app.fake.dmsTo(u).map((c) => String(c.body.text))).toEqual([
        '<@UMGR> asked you to join the weekly check-ins of alpha. Nothing starts until you press Join.',
      ]);
    }
    expect(app.fake.dmsTo('ULEAD')).toHaveLength(0);
  });

  it.each([
    ['a bad name', { team: 'Bad Name!' }, 'team'],
    ['an empty name', { team: '  ' }, 'team'],
    ['a name over 40 characters', { team: 'a'.repeat(41) }, 'team'],
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone'],
    ['a UTC offset as time zone', { timezone: '+02:00' }, 'timezone'],
    ['a bad time', { time: '25:00' }, 'time'],
    ['a time that is not HH:MM', { time: '9.30' }, 'time'],
    ['a weekday outside mon..sun', { weekday: 'someday' }, 'weekday'],
    ['a member id that is not a user', { members: ['U01', 'C0CHANNEL'] }, 'members'],
    ['no members', { members: [] }, 'members'],
    ['a lead id that is not a user', { lead: 'not-a-user' }, 'lead'],
  ])('refuses %s on its block and writes nothing', async (_what, change, block) => {
    const view = await openSetupModal('UMGR');
    const form: Form = { team: 'alpha', members: ['U01', 'U02'], ...change };
    const res = await submitSetup('UMGR', view, form);
    expect(res.status).toBe(200);
    const json = res.json as { response_action: string; errors: Record<string, string> };
    expect(json.response_action).toBe('errors');
    expect(Object.keys(json.errors)).toEqual([block]);
    expect(json.errors[block]?.length).toBeGreaterThan(10);
    expect(teams().active()).toHaveLength(0);
    expect(app.runtime.services.outbox.counts()).toMatchObject({ pending: 0, sending: 0 });
  });

  it('reports every wrong field at once', async () => {
    const view = await openSetupModal('UMGR');
    const res = await submitSetup('UMGR', view, {
      team: 'NOPE',
      members: ['U01'],
      time: '24:00',
      timezone: 'Nowhere/City',
    });
    const json = res.json as { errors: Record<string, string> };
    expect(Object.keys(json.errors).sort()).toEqual(['team', 'time', 'timezone']);
    expect(teams().active()).toHaveLength(0);
  });

  it('refuses an unreadable form without writing anything', async () => {
    const view = await openSetupModal('UMGR');
    const res = await submitSetup('UMGR', view, { team: 'alpha', members: ['U01'] }, 'not json');
    expect(res.json).toMatchObject({ response_action: 'errors', errors: { team: expect.any(String) } });
    expect(teams().active()).toHaveLength(0);
  });

  it('lets a manager pick their team, shows its values, and replaces its member list on save', async () => {
    await createAlpha();
    const opened = await openSetupModal('UMGR');
    assertModalWithinLimits(opened);
    expect(blockById(opened, 'existing')?.type).toBe('actions');
    expect(pickerOf(opened)).toMatchObject({ type: 'static_select', action_id: 'pick_team' });
    expect(pickerValues(opened)).toEqual([':new', 'alpha']);

    const update = await pickTeam('UMGR', 'alpha', opened);
    expect(update.view_id).toBe('V0SETUP');
    expect(update.hash).toBe('1700000000.abc123');
    const view = update.view as View;
    assertModalWithinLimits(view);
    expect(view.callback_id).toBe('team_setup');
    expect(elementOf(view, 'team').initial_value).toBe('alpha');
    expect(elementOf(view, 'members').initial_users).toEqual(['U01', 'U02', 'U03']);
    expect(elementOf(view, 'lead').initial_user).toBe('ULEAD');
    expect((elementOf(view, 'weekday').initial_option as { value: string }).value).toBe('wed');
    expect(elementOf(view, 'time').initial_time).toBe('09:30');
    expect(elementOf(view, 'timezone').initial_value).toBe('Europe/Berlin');
    // New action ids, so Slack shows the picked team's values rather than what was typed before.
    expect(elementOf(view, 'members').action_id).not.toBe(elementOf(opened, 'members').action_id);

    const res = await submitSetup('UMGR', view, {
      team: 'alpha',
      members: ['U02', 'U04'],
      lead: null,
      weekday: 'fri',
      time: '14:00',
      timezone: 'America/New_York',
    });
    expect(res).toEqual({ status: 200, json: null });
    await app.join('U04', 'alpha');
    expect(membersOf('alpha')).toEqual(['U02', 'U04']);
    expect(teams().bySlug('alpha')).toMatchObject({
      managerId: 'UMGR',
      leadId: null,
      weekday: 'fri',
      time: '14:00',
      timezone: 'America/New_York',
    });
    expect(teams().active()).toHaveLength(1);
    await app.drain();
    const dms = app.fake.dmsTo('UMGR');
    expect(dms).toHaveLength(2);
    expect(String(dms[1]?.body.text)).toContain('updated');
    // U04 was asked to join when the form was saved (issue 8), and joined afterwards.
    expect(String(dms[1]?.body.text)).toContain('1 member, 1 asked to join');
    expect(String(dms[1]?.body.text)).toContain('Fridays at 14:00 (America/New_York)');
  });

  it('picking "a new team" again shows an empty form', async () => {
    await createAlpha();
    const opened = await openSetupModal('UMGR');
    const update = await pickTeam('UMGR', ':new', opened);
    const view = update.view as View;
    expect(elementOf(view, 'team').initial_value).toBeUndefined();
    expect(elementOf(view, 'members').initial_users).toBeUndefined();
    expect(JSON.parse(String(view.private_metadata))).toEqual({ team: null });
  });

  it('lets the lead edit the team too, but never rename it', async () => {
    await createAlpha();
    const opened = await openSetupModal('ULEAD');
    const view = (await pickTeam('ULEAD', 'alpha', opened)).view as View;
    const renamed = await submitSetup('ULEAD', view, { team: 'beta', members: ['U01'] });
    expect(renamed.json).toMatchObject({ response_action: 'errors', errors: { team: expect.any(String) } });
    expect(teams().bySlug('beta')).toBeUndefined();
    expect(membersOf('alpha')).toEqual(['U01', 'U02', 'U03']);

    const res = await submitSetup('ULEAD', view, { team: 'alpha', members: ['U01'], lead: 'ULEAD' });
    expect(res).toEqual({ status: 200, json: null });
    expect(membersOf('alpha')).toEqual(['U01']);
    expect(teams().bySlug('alpha')?.managerId).toBe('UMGR');
  });

  it('does not let a member of a team edit it, by name or by a forged form', async () => {
    await createAlpha();
    await app.drain();
    const dmsBefore = app.fake.dmsTo('U01').length;
    const opened = await openSetupModal('U01');
    // A member manages nothing: no picker, and picking alpha anyway shows a blank form.
    expect(blockById(opened, 'existing')).toBeUndefined();
    const picked = (await pickTeam('U01', 'alpha', opened)).view as View;
    expect(elementOf(picked, 'members').initial_users).toBeUndefined();

    const byName = await submitSetup('U01', opened, { team: 'alpha', members: ['U01'] });
    const errors = (byName.json as { response_action: string; errors: Record<string, string> }).errors;
    expect((byName.json as { response_action: string }).response_action).toBe('errors');
    expect(errors.team).toMatch(/sorry/i);
    const forged = await submitSetup('U01', opened, { team: 'alpha', members: ['U01'] }, '{"team":"alpha"}');
    expect(forged.json).toMatchObject({
      response_action: 'errors',
      errors: { team: expect.stringMatching(/sorry/i) },
    });

    expect(membersOf('alpha')).toEqual(['U01', 'U02', 'U03']);
    expect(teams().bySlug('alpha')).toMatchObject({ managerId: 'UMGR', leadId: 'ULEAD', weekday: 'wed' });
    await app.drain();
    expect(app.fake.dmsTo('U01')).toHaveLength(dmsBefore);
  });

  it('lets an admin pick any team', async () => {
    await createAlpha();
    const opened = await openSetupModal('UADMIN');
    expect(pickerValues(opened)).toEqual([':new', 'alpha']);
    const view = (await pickTeam('UADMIN', 'alpha', opened)).view as View;
    const res = await submitSetup('UADMIN', view, { team: 'alpha', members: ['U09'] });
    expect(res).toEqual({ status: 200, json: null });
    expect(membersOf('alpha')).toEqual(['U09']);
    expect(teams().bySlug('alpha')?.managerId).toBe('UMGR');
  });

  it('asks people a manager picks to join, shows them apart, and withdraws the request when deselected', async () => {
    const opened = await openSetupModal('UMGR');
    const res = await submitSetup('UMGR', opened, { team: 'beta', members: ['U01', 'U02'], lead: 'ULEAD' });
    expect(res).toEqual({ status: 200, json: null });
    const beta = () => teams().bySlug('beta')?.id ?? -1;
    expect(membersOf('beta')).toEqual([]);
    expect(
      teams()
        .pending(beta())
        .map((p) => p.userId),
    ).toEqual(['U01', 'U02']);
    await app.drain();
    // The request names the lead set in the same form.
    const request = JSON.stringify(app.fake.dmsTo('U02')[0]?.body.blocks);
    expect(request).toContain('<@UMGR> (manager), <@ULEAD> (lead)');
    await app.join('U01', 'beta');

    const view = (await pickTeam('UMGR', 'beta', await openSetupModal('UMGR'))).view as View;
    assertModalWithinLimits(view);
    expect(elementOf(view, 'members').initial_users).toEqual(['U01', 'U02']);
    const blocks = blocksOf(view);
    const apart = blocks[blocks.findIndex((b) => b.block_id === 'members') + 1];
    expect(JSON.stringify(apart)).toContain('Asked to join, not counted until they press Join: <@U02>');
    expect(JSON.stringify(apart)).not.toContain('U01');

    expect(await submitSetup('UMGR', view, { team: 'beta', members: ['U01'], lead: 'ULEAD' })).toEqual({
      status: 200,
      json: null,
    });
    expect(teams().pending(beta())).toEqual([]);
    expect(membersOf('beta')).toEqual(['U01']);
    expect((await app.press('U02', 'consent_join')).reply).toMatch(/no open request to join \*beta\*/);
    expect(membersOf('beta')).toEqual(['U01']);

    // An admin's picks count at once, each told with a way to leave.
    const byAdmin = (await pickTeam('UADMIN', 'beta', await openSetupModal('UADMIN'))).view as View;
    await submitSetup('UADMIN', byAdmin, { team: 'beta', members: ['U01', 'U09'], lead: 'ULEAD' });
    expect(membersOf('beta')).toEqual(['U01', 'U09']);
    await app.drain();
    expect(JSON.stringify(app.fake.dmsTo('U09')[0]?.body.blocks)).toContain('"text":"Leave this team"');
  });

  it('keeps the schedule start when the schedule did not change', async () => {
    await createAlpha();
    const since = teams().bySlug('alpha')?.scheduleSince;
    const opened = await openSetupModal('UMGR');
    const view = (await pickTeam('UMGR', 'alpha', opened)).view as View;
    await new Promise((r) => setTimeout(r, 5));
    const res = await submitSetup('UMGR', view, {
      team: 'alpha',
      members: ['U01'],
      lead: 'ULEAD',
      weekday: 'wed',
      time: '09:30',
      timezone: 'Europe/Berlin',
    });
    expect(res).toEqual({ status: 200, json: null });
    expect(teams().bySlug('alpha')?.scheduleSince).toBe(since);
  });
});
