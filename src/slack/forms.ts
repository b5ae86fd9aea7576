import { z } from 'zod';
import { ACTION_TEXT_MAX, type ActionFocus, isActionFocus } from '../domain/actions.ts';
import { type Answers, DIMENSIONS, NOTE_MAX_LENGTH, type Score } from '../domain/dimensions.ts';
import { FLAG_KINDS } from '../domain/flags.ts';
import { TEAM_NAME, USER_ID } from '../domain/ids.ts';
import { REPLY_MAX_LENGTH } from '../domain/notes.ts';
import { isValidTimezone, normalizeTimezone, parseTime, WEEKDAYS } from '../domain/schedule.ts';
import { ACTION_BLOCK } from '../messages/actions.ts';
import { NOTE_BLOCK } from '../messages/checkin.ts';
import type { PlaybookRef } from '../messages/insights.ts';
import { REPLY_BLOCK } from '../messages/notes.ts';
import { SETUP_BLOCK } from '../messages/setup.ts';
import type { SetupInput } from '../usecases/setup.ts';

// Reading submitted modals into typed values at the edge; every field that is wrong gets its own message.

/** A view submission's state: block id → action id → the element's state. */
export type Values = Record<string, Record<string, unknown>>;

/** More people than anyone picks by hand; keeps a forged payload from doing unbounded work. */
export const MAX_MEMBERS = 1000;

/** The state of the single element in an input block, whatever its action id. */
export const only = (values: Values, block: string): unknown => {
  const b = values[block];
  return b ? Object.values(b)[0] : undefined;
};

const TextState = z.object({ value: z.string().nullish() });
const UsersState = z.object({ selected_users: z.array(z.string()).nullish() });
const UserState = z.object({ selected_user: z.string().nullish() });
const OptionState = z.object({ selected_option: z.object({ value: z.string() }).nullish() });
const TimeState = z.object({ selected_time: z.string().nullish() });
const NoteState = z.object({ value: z.unknown() });

const text = (values: Values, block: string): string => {
  const r = TextState.safeParse(only(values, block));
  return r.success ? (r.data.value ?? '').trim() : '';
};

/** A modal's submission as a listener reads it: who sent it, the metadata the modal carried, its inputs. */
export const ViewSubmission = z.object({
  user: z.object({ id: z.string().regex(USER_ID) }),
  view: z.object({
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  }),
});

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

/** Reads the four answers and the note from a check-in submission. */
export function parseAnswers(values: Values): Parsed<{ answers: Answers; note: string | null }> {
  const errors: Record<string, string> = {};
  const answers: Partial<Answers> = {};
  for (const d of DIMENSIONS) {
    const selected = OptionState.safeParse(only(values, d));
    const value = selected.success ? selected.data.selected_option?.value : undefined;
    if (value !== undefined && /^[1-5]$/.test(value)) answers[d] = Number(value) as Score;
    else errors[d] = 'Pick one of the five answers.';
  }
  const state = NoteState.safeParse(only(values, NOTE_BLOCK));
  const rawNote = state.success ? state.data.value : undefined;
  let note: string | null = null;
  if (rawNote !== undefined && rawNote !== null) {
    if (typeof rawNote !== 'string') errors[NOTE_BLOCK] = 'The note must be text.';
    else if (rawNote.length > NOTE_MAX_LENGTH) {
      errors[NOTE_BLOCK] = `Keep the note to ${NOTE_MAX_LENGTH} characters (it has ${rawNote.length}).`;
    } else if (rawNote.trim().length > 0) note = rawNote.trim();
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { answers: answers as Answers, note } };
}

/** Reads the setup form. */
export function parseSetup(values: Values): Parsed<SetupInput> {
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
  return { ok: true, value: { team, memberIds, leadId, weekday, time, timezone } };
}

const Metadata = z.object({ team: z.string().regex(TEAM_NAME).nullable() });

/** The setup form's private metadata: which team it was filled in for (null: a new one). */
export function parseSetupMetadata(raw: string): z.infer<typeof Metadata> | null {
  try {
    const r = Metadata.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

const PlaybookValue = z.object({
  d: z.enum([...DIMENSIONS, 'participation']),
  k: z.array(z.enum(FLAG_KINDS)).min(1).max(FLAG_KINDS.length),
});

/** The value of a flag's "More ideas" button; null for anything this app did not write. */
export function parsePlaybookValue(raw: unknown): PlaybookRef | null {
  if (typeof raw !== 'string' || raw.length > 500) return null;
  try {
    const r = PlaybookValue.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

export interface ActionProposal {
  team: string;
  focus: ActionFocus;
  text: string;
}

/** A `We'll try this` button's value (`team focus text`); null when it was not one of ours. */
export function parseProposal(value: unknown): ActionProposal | null {
  if (typeof value !== 'string') return null;
  const m = /^(\S+) (\S+) ([\s\S]+)$/.exec(value);
  const [, team = '', focus = '', text = ''] = m ?? [];
  if (!TEAM_NAME.test(team) || !isActionFocus(focus) || [...text].length > ACTION_TEXT_MAX) return null;
  return { team, focus, text };
}

/** Reads the action modal: its team (private metadata), what it is about and the text. */
export function parseActionForm(team: unknown, values: Values): Parsed<ActionProposal> {
  const errors: Record<string, string> = {};
  const picked = OptionState.safeParse(only(values, ACTION_BLOCK.focus));
  const focus = picked.success ? picked.data.selected_option?.value : undefined;
  if (focus === undefined || !isActionFocus(focus)) errors[ACTION_BLOCK.focus] = 'Pick what it is about.';
  const said = text(values, ACTION_BLOCK.text);
  if (said === '') errors[ACTION_BLOCK.text] = 'Say what the team will try, in a few words.';
  else if ([...said].length > ACTION_TEXT_MAX) {
    errors[ACTION_BLOCK.text] = `Keep it to ${ACTION_TEXT_MAX} characters.`;
  }
  if (typeof team !== 'string' || !TEAM_NAME.test(team)) {
    errors[ACTION_BLOCK.text] = 'This form could not be read. Please try again from the report.';
  }
  if (Object.keys(errors).length > 0 || focus === undefined || !isActionFocus(focus))
    return { ok: false, errors };
  return { ok: true, value: { team: team as string, focus, text: said } };
}

/** Reads the one text of a note thread's modal: a reply or an answer, at most REPLY_MAX_LENGTH long. */
export function parseReply(values: Values): Parsed<string> {
  const said = text(values, REPLY_BLOCK);
  if (said === '') return { ok: false, errors: { [REPLY_BLOCK]: 'Write something to send.' } };
  if (said.length > REPLY_MAX_LENGTH) {
    return {
      ok: false,
      errors: { [REPLY_BLOCK]: `Keep it to ${REPLY_MAX_LENGTH} characters (it has ${said.length}).` },
    };
  }
  return { ok: true, value: said };
}
