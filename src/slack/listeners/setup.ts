import { randomBytes } from 'node:crypto';
import type { App, webApi } from '@slack/bolt';
import { z } from 'zod';
import type { Services } from '../../context.ts';
import {
  describeInstant,
  describeSchedule,
  isValidTimezone,
  nextSlot,
  normalizeTimezone,
  parseTime,
  WEEKDAYS,
  type Weekday,
} from '../../domain/schedule.ts';
import type { Team } from '../../store/teams.ts';
import {
  NEW_TEAM_VALUE,
  PICK_TEAM_ACTION,
  SETUP_BLOCK,
  SETUP_CALLBACK,
  type SetupTeam,
  setupConfirmation,
  setupModal,
} from '../blocks/setup.ts';
import { canManage, isAdmin } from '../commands/handle.ts';

const TEAM_NAME = /^[a-z0-9-]{1,40}$/;
const USER_ID = /^[UW][A-Za-z0-9]+$/;
const UserId = z.string().regex(USER_ID);
/** More than anyone picks by hand; keeps a forged payload from doing unbounded work. */
const MAX_MEMBERS = 1000;

type Client = webApi.WebClient;

// ---------------------------------------------------------------------------------------------
// Reading the database for the modal (local SQLite only: this runs before views.open)

/** The teams the caller may edit: all active teams for an admin, else those they manage or lead. */
function editableTeams(s: Services, userId: string): Team[] {
  const teams = isAdmin(s, userId) ? s.teams.active() : s.teams.forUser(userId);
  const editable = teams.filter((t) => !t.archived && canManage(s, t, userId));
  // The caller's own teams first, so an admin with many teams still sees theirs in the picker.
  const own = (t: Team) => (t.managerId === userId || t.leadId === userId ? 0 : 1);
  return editable.sort((a, b) => own(a) - own(b) || a.slug.localeCompare(b.slug));
}

const toSetupTeam = (s: Services, t: Team, withMembers: boolean): SetupTeam => ({
  slug: t.slug,
  managerId: t.managerId,
  leadId: t.leadId,
  memberIds: withMembers ? s.teams.members(t.id) : [],
  weekday: t.weekday,
  time: t.time,
  timezone: t.timezone,
});

/** The setup modal for the caller, filled in for `selected` when they may edit it. */
export function setupView(s: Services, userId: string, selected?: string): Record<string, unknown> {
  // Only the team shown needs its members read.
  const teams = editableTeams(s, userId).map((t) => toSetupTeam(s, t, t.slug === selected));
  return setupModal({ teams, selected, defaultTimezone: s.config.defaultTimezone });
}

/**
 * Opens the setup modal. Call it right after ack(): the trigger id lives 3 s, and nothing but local
 * SQLite reads happens before views.open. Never throws; a failure is logged.
 */
export async function openSetup(
  client: Client,
  triggerId: string,
  s: Services,
  userId: string,
): Promise<void> {
  try {
    const view = setupView(s, userId);
    await client.views.open({ trigger_id: triggerId, view: view as never });
  } catch (err) {
    s.log.warn(`setup modal could not be opened: ${err instanceof Error ? err.message : String(err)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing a submission (zod at the edge)

export interface SetupInput {
  team: string;
  memberIds: string[];
  leadId: string | null;
  weekday: Weekday;
  time: string;
  timezone: string;
}

type Values = Record<string, Record<string, unknown>>;
export type ParsedSetup = { ok: true; input: SetupInput } | { ok: false; errors: Record<string, string> };

/** The state of the single element in an input block, whatever its action id. */
const only = (values: Values, block: string): unknown => {
  const b = values[block];
  return b ? Object.values(b)[0] : undefined;
};

const TextState = z.object({ value: z.string().nullish() });
const UsersState = z.object({ selected_users: z.array(z.string()).nullish() });
const UserState = z.object({ selected_user: z.string().nullish() });
const OptionState = z.object({ selected_option: z.object({ value: z.string() }).nullish() });
const TimeState = z.object({ selected_time: z.string().nullish() });

const text = (values: Values, block: string): string => {
  const r = TextState.safeParse(only(values, block));
  return r.success ? (r.data.value ?? '').trim() : '';
};

/** Reads the form; every field that is wrong gets a message on its own block. */
export function parseSetup(values: Values): ParsedSetup {
  const errors: Record<string, string> = {};

  const team = text(values, SETUP_BLOCK.team);
  if (team === '') errors[SETUP_BLOCK.team] = 'Give the team a name, such as platform-api.';
  else if (!TEAM_NAME.test(team)) {
    errors[SETUP_BLOCK.team] = 'Use 1–40 lowercase letters, digits or dashes, such as platform-api.';
  }

  const users = UsersState.safeParse(only(values, SETUP_BLOCK.members));
  const memberIds = [...new Set(users.success ? (users.data.selected_users ?? []) : [])];
  if (!users.success || memberIds.some((u) => !USER_ID.test(u))) {
    errors[SETUP_BLOCK.members] = 'Pick the members from the list of people.';
  } else if (memberIds.length === 0) errors[SETUP_BLOCK.members] = 'Pick at least one member.';
  else if (memberIds.length > MAX_MEMBERS) {
    errors[SETUP_BLOCK.members] = `A team can have at most ${MAX_MEMBERS} members here.`;
  }

  const lead = UserState.safeParse(only(values, SETUP_BLOCK.lead));
  const leadId = lead.success ? (lead.data.selected_user ?? null) : null;
  if (!lead.success || (leadId !== null && !USER_ID.test(leadId))) {
    errors[SETUP_BLOCK.lead] = 'Pick the lead from the list of people, or leave it empty.';
  }

  const day = OptionState.safeParse(only(values, SETUP_BLOCK.weekday));
  const weekday = WEEKDAYS.find((d) => day.success && d === day.data.selected_option?.value);
  if (!weekday) errors[SETUP_BLOCK.weekday] = 'Pick the day of the week for the check-in.';

  const t = TimeState.safeParse(only(values, SETUP_BLOCK.time));
  const raw = t.success ? (t.data.selected_time ?? '') : '';
  const time = /^\d{2}:\d{2}$/.test(raw) ? parseTime(raw) : null;
  if (time === null) errors[SETUP_BLOCK.time] = 'Pick a time as HH:MM on a 24-hour clock, such as 10:00.';

  const zoneText = text(values, SETUP_BLOCK.timezone);
  const timezone = normalizeTimezone(zoneText);
  if (timezone === null || !isValidTimezone(timezone)) {
    errors[SETUP_BLOCK.timezone] =
      zoneText === ''
        ? 'Give a time zone, such as Europe/Berlin.'
        : 'That is not a time zone I know. Use an IANA name such as Europe/Berlin or America/New_York.';
  }

  if (Object.keys(errors).length > 0 || !weekday || time === null || timezone === null) {
    return { ok: false, errors };
  }
  return { ok: true, input: { team, memberIds, leadId, weekday, time, timezone } };
}

const Metadata = z.object({ team: z.string().regex(TEAM_NAME).nullable() });

function parseMetadata(raw: string): z.infer<typeof Metadata> | null {
  try {
    const r = Metadata.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Saving

export type SaveOutcome =
  | { ok: true; team: Team; created: boolean; memberCount: number }
  | { ok: false; errors: Record<string, string> };

const teamError = (message: string): SaveOutcome => ({ ok: false, errors: { [SETUP_BLOCK.team]: message } });

/**
 * Creates or edits the team in one transaction: members become exactly `input.memberIds`, and the
 * lead and schedule are set with them. `editing` is the team the form was filled in for (null: new).
 * Nothing is written when the caller may not do it.
 */
export function saveSetup(
  s: Services,
  callerId: string,
  editing: string | null,
  input: SetupInput,
  now: Date,
): SaveOutcome {
  return s.db.transaction((): SaveOutcome => {
    if (editing !== null && input.team !== editing) {
      return teamError(
        `A team cannot be renamed here: keep the name ${editing} to save it, or pick “A new team” above to create another.`,
      );
    }
    const existing = s.teams.bySlug(input.team);
    if (existing && !canManage(s, existing, callerId)) {
      return teamError(
        editing !== null
          ? `Sorry, only the manager of ${input.team}, its lead or an admin can change it. Nothing was changed.`
          : `Sorry, the name ${input.team} is taken by a team you do not manage. Please choose another name.`,
      );
    }
    if (existing?.archived) {
      return teamError(`The name ${input.team} belongs to an archived team. Please choose another name.`);
    }
    if (editing !== null && !existing) {
      return teamError(
        `The team ${editing} no longer exists. Close this form and run /teamhealth setup again.`,
      );
    }

    const team = existing ?? s.teams.create(input.team, callerId, input.timezone, now);
    const current = s.teams.members(team.id);
    const wanted = new Set(input.memberIds);
    s.teams.removeMembers(
      team.id,
      current.filter((u) => !wanted.has(u)),
    );
    s.teams.addMembers(team.id, input.memberIds);
    if (team.leadId !== input.leadId) s.teams.setLead(team.id, input.leadId);
    // Only a real change restarts the schedule: re-saving must not skip a check-in that is due.
    if (team.weekday !== input.weekday || team.time !== input.time || team.timezone !== input.timezone) {
      s.teams.setSchedule(team.id, input.weekday, input.time, input.timezone, now);
    }
    const saved = s.teams.byId(team.id) ?? team;
    return { ok: true, team: saved, created: !existing, memberCount: s.teams.members(team.id).length };
  })();
}

/** Queues the confirmation DM to the caller and wakes the outbox worker. */
function confirm(s: Services, callerId: string, saved: Extract<SaveOutcome, { ok: true }>, now: Date): void {
  const { team } = saved;
  const schedule = { weekday: team.weekday, time: team.time, timezone: team.timezone };
  const message = setupConfirmation({
    created: saved.created,
    slug: team.slug,
    memberCount: saved.memberCount,
    leadId: team.leadId,
    schedule: describeSchedule(schedule),
    next: describeInstant(nextSlot(schedule, now), team.timezone),
  });
  s.outbox.enqueue(`setup:${team.id}:${randomBytes(8).toString('hex')}`, 'chat.postMessage', {
    channel: callerId,
    text: message.text,
    blocks: message.blocks,
  });
  s.kick();
}

// ---------------------------------------------------------------------------------------------
// Listeners

const Submission = z.object({
  user: z.object({ id: UserId }),
  view: z.object({
    private_metadata: z.string().max(3000),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  }),
});

const Pick = z.object({
  user: z.object({ id: UserId }),
  view: z.object({ id: z.string().min(1).max(64), hash: z.string().min(1).max(200) }),
  actions: z
    .array(
      z.object({ action_id: z.literal(PICK_TEAM_ACTION), selected_option: z.object({ value: z.string() }) }),
    )
    .min(1),
});

const UNREADABLE = 'This form could not be read. Close it and run /teamhealth setup again.';

export function registerSetup(app: App, s: Services): void {
  app.action(PICK_TEAM_ACTION, async ({ ack, body, client }) => {
    await ack();
    const input = Pick.safeParse(body);
    if (!input.success) {
      s.log.warn('setup: a team pick could not be read');
      return;
    }
    const { user, view, actions } = input.data;
    const value = actions[0]?.selected_option.value;
    const selected = value === NEW_TEAM_VALUE || value === undefined ? undefined : value;
    // setupView shows only a team the caller may edit; any other value falls back to a new team.
    const next = setupView(s, user.id, selected);
    try {
      await client.views.update({ view_id: view.id, hash: view.hash, view: next as never });
    } catch (err) {
      // hash_conflict: the modal changed meanwhile (another pick); the latest pick wins.
      s.log.warn(`setup modal could not be updated: ${err instanceof Error ? err.message : String(err)}`);
    }
  });

  app.view(SETUP_CALLBACK, async ({ ack, body }) => {
    const input = Submission.safeParse(body);
    const metadata = input.success ? parseMetadata(input.data.view.private_metadata) : null;
    if (!input.success || metadata === null) {
      await ack({ response_action: 'errors', errors: { [SETUP_BLOCK.team]: UNREADABLE } });
      return;
    }
    const parsed = parseSetup(input.data.view.state.values);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    const callerId = input.data.user.id;
    const now = new Date();
    let outcome: SaveOutcome;
    try {
      outcome = saveSetup(s, callerId, metadata.team, parsed.input, now);
    } catch (err) {
      s.log.error(`setup could not be saved: ${err instanceof Error ? err.message : String(err)}`);
      outcome = teamError('Something went wrong and nothing was saved. Please try again.');
    }
    if (!outcome.ok) {
      await ack({ response_action: 'errors', errors: outcome.errors });
      return;
    }
    // Committed before Slack closes the modal.
    await ack();
    try {
      confirm(s, callerId, outcome, now);
    } catch (err) {
      s.log.error(
        `setup confirmation could not be queued: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  });
}
