import type { ModalView, PlainTextOption } from '@slack/types';
import { WEEKDAY_NAMES, WEEKDAYS, type Weekday } from '../domain/schedule.ts';
import { type Block, context, escapeText, type Message, mention, plain, section } from './text.ts';

/** The `/teamhealth setup` modal: create a team, or edit one the caller may manage. */
export const SETUP_CALLBACK = 'team_setup';
/** The picker of existing teams; choosing one updates the modal with that team's values. */
export const PICK_TEAM_ACTION = 'pick_team';
/** The picker's value for "a new team" (never a valid team name, which has no colon). */
export const NEW_TEAM_VALUE = ':new';

/** Block ids; a view submission's errors are keyed by these. */
export const SETUP_BLOCK = {
  existing: 'existing',
  team: 'team',
  members: 'members',
  lead: 'lead',
  weekday: 'weekday',
  time: 'time',
  timezone: 'timezone',
} as const;

/** Static selects take at most 100 options: "new team" plus this many teams. */
export const MAX_PICKABLE_TEAMS = 99;
const DEFAULT_WEEKDAY: Weekday = 'mon';
const DEFAULT_TIME = '10:00';

export interface SetupTeam {
  slug: string;
  managerId: string;
  leadId: string | null;
  memberIds: readonly string[];
  /** Asked to join and not joined yet: picked in the form like members, and named apart. */
  pendingIds: readonly string[];
  weekday: Weekday;
  time: string;
  timezone: string;
}

export interface SetupModalInput {
  /** The teams the caller may edit (manager, lead or admin), in the order to list them. */
  teams: readonly SetupTeam[];
  /** The slug of the team to edit; absent (or not among `teams`) for a new team. */
  selected?: string | undefined;
  defaultTimezone: string;
}

/** What the modal carries to its submission: which team it was filled in for (null: a new one). */
export interface SetupMetadata {
  team: string | null;
}

export const encodeSetupMetadata = (m: SetupMetadata): string => JSON.stringify({ team: m.team });

const option = (text: string, value: string): PlainTextOption => ({ text: plain(text), value });

export function setupModal(input: SetupModalInput): ModalView {
  const team = input.teams.find((t) => t.slug === input.selected);
  // Action ids change with the team shown: Slack keeps what was typed into an input whose block and
  // action ids survive a views.update, so the picked team's values would not replace them otherwise.
  const variant = team ? `t-${team.slug}` : 'new';
  const id = (block: string) => `${block}-${variant}`;

  const blocks: Block[] = [];
  if (input.teams.length > 0) {
    const listed = input.teams.slice(0, MAX_PICKABLE_TEAMS);
    const newOption = option('A new team', NEW_TEAM_VALUE);
    const options = [newOption, ...listed.map((t) => option(t.slug, t.slug))];
    const more = input.teams.length - listed.length;
    blocks.push(
      context(
        'Pick a team you manage to change it, or fill in the form for a new one.' +
          (more > 0 ? ` ${more} more teams are not listed: change those with \`/teamhealth team\`.` : ''),
      ),
      {
        type: 'actions',
        block_id: SETUP_BLOCK.existing,
        elements: [
          {
            type: 'static_select',
            action_id: PICK_TEAM_ACTION,
            placeholder: plain('Edit a team'),
            options,
            initial_option: team ? option(team.slug, team.slug) : newOption,
          },
        ],
      },
    );
  }

  blocks.push({
    type: 'input',
    block_id: SETUP_BLOCK.team,
    label: plain('Team name'),
    hint: plain(
      team
        ? 'Lowercase letters, digits and dashes. The name of an existing team cannot be changed here.'
        : 'Lowercase letters, digits and dashes, up to 40, such as platform-api. ' +
            'The name of a team you already manage changes that team.',
    ),
    element: {
      type: 'plain_text_input',
      action_id: id('name'),
      max_length: 40,
      placeholder: plain('platform-api'),
      ...(team && { initial_value: team.slug }),
    },
  });

  const picked = team ? [...team.memberIds, ...team.pendingIds] : [];
  blocks.push({
    type: 'input',
    block_id: SETUP_BLOCK.members,
    label: plain('Members'),
    hint: plain(
      'Everyone who gets the weekly check-in. The manager is not a member unless picked here. ' +
        'Unless an admin adds them, each person gets a DM saying who reads the results and takes part once they press Join.',
    ),
    element: {
      type: 'multi_users_select',
      action_id: id('users'),
      placeholder: plain('Pick people'),
      ...(picked.length > 0 && { initial_users: picked }),
    },
  });
  if (team && team.pendingIds.length > 0) {
    blocks.push(
      context(
        `Asked to join, not counted until they press Join: ${team.pendingIds.map(mention).join(', ')}. ` +
          'Take someone out of the list above to withdraw the request.',
      ),
    );
  }

  blocks.push({
    type: 'input',
    block_id: SETUP_BLOCK.lead,
    optional: true,
    label: plain('Lead'),
    hint: plain('The manager of managers who gets this team in a weekly digest.'),
    element: {
      type: 'users_select',
      action_id: id('user'),
      placeholder: plain('Pick a lead'),
      ...(team?.leadId && { initial_user: team.leadId }),
    },
  });

  const weekday = team?.weekday ?? DEFAULT_WEEKDAY;
  blocks.push({
    type: 'input',
    block_id: SETUP_BLOCK.weekday,
    label: plain('Check-in day'),
    element: {
      type: 'static_select',
      action_id: id('day'),
      options: WEEKDAYS.map((d) => option(WEEKDAY_NAMES[d], d)),
      initial_option: option(WEEKDAY_NAMES[weekday], weekday),
    },
  });

  blocks.push({
    type: 'input',
    block_id: SETUP_BLOCK.time,
    label: plain('Check-in time'),
    element: {
      type: 'timepicker',
      action_id: id('hhmm'),
      initial_time: team?.time ?? DEFAULT_TIME,
    },
  });

  blocks.push({
    type: 'input',
    block_id: SETUP_BLOCK.timezone,
    label: plain('Time zone'),
    hint: plain('IANA name such as Europe/Berlin'),
    element: {
      type: 'plain_text_input',
      action_id: id('zone'),
      max_length: 64,
      initial_value: team?.timezone ?? input.defaultTimezone,
    },
  });

  blocks.push(
    context(
      (team ? `Managed by ${mention(team.managerId)}. ` : 'You become the manager of a new team. ') +
        'Reports go to the manager, the lead and admins; answers stay anonymous.',
    ),
  );

  return {
    type: 'modal',
    callback_id: SETUP_CALLBACK,
    private_metadata: encodeSetupMetadata({ team: team ? team.slug : null }),
    title: plain('Team setup'),
    submit: plain(team ? 'Save' : 'Create team'),
    close: plain('Cancel'),
    blocks,
  };
}

export interface SetupDone {
  created: boolean;
  slug: string;
  memberCount: number;
  /** People asked to join who have not pressed Join yet. */
  pendingCount: number;
  leadId: string | null;
  /** e.g. `Mondays at 10:00 (Europe/Berlin)`. */
  schedule: string;
  /** e.g. `Monday 10:00 (Europe/Berlin)`. */
  next: string;
}

/** The DM confirming a saved setup: the team, how many members, the lead and the schedule. */
export function setupConfirmation(d: SetupDone): Message {
  const name = `*${escapeText(d.slug)}*`;
  const members =
    `${d.memberCount} member${d.memberCount === 1 ? '' : 's'}` +
    (d.pendingCount > 0 ? `, ${d.pendingCount} asked to join` : '');
  const lead = d.leadId ? `, lead ${mention(d.leadId)}` : '';
  const head = d.created ? `Team ${name} is set up` : `Team ${name} is updated`;
  const text = `${head}: ${members}${lead}. Check-ins ${d.schedule}; next ${d.next}.`;
  const blocks: Block[] = [
    section(`:white_check_mark: ${head}: ${members}${lead}.\nCheck-ins: ${d.schedule}. Next: ${d.next}.`),
    ...(d.pendingCount > 0
      ? [
          context(
            'People asked to join got a DM saying who reads the results; they take part once they press Join. ' +
              '`/teamhealth team list` shows who has not yet.',
          ),
        ]
      : []),
    context(
      `\`/teamhealth checkin ${escapeText(d.slug)}\` starts one now · \`/teamhealth setup\` changes the team again.`,
    ),
  ];
  return { text, blocks };
}
