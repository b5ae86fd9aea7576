import { ACTION_FOCUSES, ACTION_TEXT_MAX, type ActionFocus, isActionFocus } from '../../domain/actions.ts';
import { TEAM_NAME, USER_MENTION } from '../../domain/ids.ts';
import { parseTime, parseWeekday, type Weekday } from '../../domain/schedule.ts';
import { escapeText } from '../../messages/text.ts';
import { USAGE, type UsageKey } from '../../messages/usage.ts';

/** `/teamhealth away` takes at most this many weeks at once. */
export const MAX_AWAY_WEEKS = 8;

export type Command =
  /** Bare `/teamhealth`: the caller's teams and next check-ins, and the help. */
  | { kind: 'overview' }
  | { kind: 'help' }
  | { kind: 'setup' }
  | { kind: 'create'; team: string; managerId: string | null }
  | { kind: 'add'; team: string; userIds: string[]; groupIds: string[] }
  | { kind: 'remove'; team: string; userIds: string[] }
  | { kind: 'lead'; team: string; userId: string }
  | { kind: 'schedule'; team: string; weekday: Weekday; time: string; timezone: string | null }
  | { kind: 'list' }
  | { kind: 'archive'; team: string; archived: boolean }
  | { kind: 'checkin'; team: string }
  | { kind: 'close'; team: string }
  | { kind: 'report'; team: string | null }
  | { kind: 'digest' }
  | { kind: 'digest_schedule'; weekday: Weekday; time: string; timezone: string | null }
  | { kind: 'privacy' }
  | { kind: 'forget' }
  | { kind: 'away'; weeks: number }
  | { kind: 'back' }
  /** `/teamhealth status`: the outbox at a glance, for admins. */
  | { kind: 'status' }
  | { kind: 'action_add'; team: string; focus: ActionFocus; text: string }
  | { kind: 'action_list'; team: string | null }
  | { kind: 'action_finish'; team: string; number: number; status: 'done' | 'dropped' };

export type ParseResult = { ok: true; command: Command } | { ok: false; error: string; usage: string | null };

const GROUP_MENTION = /^<!subteam\^([A-Za-z0-9]+)(?:\|[^>]*)?>$/;

/** A usage line, or a group of them: null for the team commands, `action` for the action commands. */
type UsageRef = UsageKey | null | 'action';

/** Each top-level word and the usage it stands for. */
const VERBS: Record<string, UsageRef> = {
  help: 'help',
  setup: 'setup',
  team: null,
  checkin: 'checkin',
  close: 'close',
  report: 'report',
  digest: 'digest',
  privacy: 'privacy',
  'forget-me': 'forget',
  away: 'away',
  status: 'status',
  action: 'action',
};

/** Edit distance, to tell `chekin` meant `checkin`. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** An unknown first word: the usage of the command it most likely meant, if one is close. */
function unknownVerb(verb: string): UsageError {
  const word = verb.toLowerCase();
  const [best] = Object.keys(VERBS)
    .map((v) => ({ v, d: distance(word, v) }))
    .filter(({ d }) => d <= 2)
    .sort((a, b) => a.d - b.d);
  if (!best) return new UsageError(`I don't know ${quote(verb)}.`, 'help');
  return new UsageError(`I don't know ${quote(verb)}. Did you mean \`${best.v}\`?`, VERBS[best.v] ?? null);
}

/** Echoes a bit of what the user typed, escaped and short, so it can never ping or break formatting. */
const quote = (s: string): string => `\`${escapeText(s.slice(0, 40)).replace(/`/g, "'")}\``;

class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: UsageRef,
  ) {
    super(message);
  }
}

const fail = (usage: UsageKey, message: string): never => {
  throw new UsageError(message, usage);
};

function team(arg: string | undefined, usage: UsageKey): string {
  if (arg === undefined) return fail(usage, 'Which team? Name it.');
  if (!TEAM_NAME.test(arg)) {
    return fail(usage, 'A team name is 1–40 lowercase letters, digits or dashes, such as `platform-api`.');
  }
  return arg;
}

function mentionError(arg: string, usage: UsageKey): never {
  if (arg.startsWith('@')) {
    return fail(usage, `${quote(arg)} is not a mention Slack resolved: pick the person from the @ list.`);
  }
  return fail(usage, 'Mention people as @name (picked from Slack’s list), one or more, separated by spaces.');
}

function users(args: readonly string[], usage: UsageKey): string[] {
  if (args.length === 0) return fail(usage, 'Mention at least one person.');
  return args.map((a) => USER_MENTION.exec(a)?.[1] ?? mentionError(a, usage));
}

function one(args: readonly string[], usage: UsageKey): string {
  if (args.length !== 1) return fail(usage, 'Mention exactly one person.');
  return users(args, usage)[0] as string;
}

function weekdayAndTime(
  day: string | undefined,
  time: string | undefined,
  usage: UsageKey,
): { weekday: Weekday; time: string } {
  const weekday = day === undefined ? null : parseWeekday(day);
  if (weekday === null) return fail(usage, 'Give the weekday as mon, tue, wed, thu, fri, sat or sun.');
  const hhmm = time === undefined ? null : parseTime(time);
  if (hhmm === null) return fail(usage, 'Give the time as HH:MM on a 24-hour clock, such as 10:00.');
  return { weekday, time: hhmm };
}

function noMore(args: readonly string[], usage: UsageKey): void {
  if (args.length > 0) fail(usage, 'That command takes nothing more.');
}

function parseTeamCommand(args: string[]): Command {
  const [sub, ...rest] = args;
  switch (sub?.toLowerCase()) {
    case 'create': {
      const [name, ...more] = rest;
      const t = team(name, 'create');
      if (more.length > 1) return fail('create', 'Name at most one manager.');
      return { kind: 'create', team: t, managerId: more.length === 1 ? one(more, 'create') : null };
    }
    case 'add': {
      const [name, ...more] = rest;
      const t = team(name, 'add');
      if (more.length === 0) return fail('add', 'Mention the people or the user group to add.');
      const userIds: string[] = [];
      const groupIds: string[] = [];
      for (const a of more) {
        const group = GROUP_MENTION.exec(a)?.[1];
        if (group) groupIds.push(group);
        else userIds.push(USER_MENTION.exec(a)?.[1] ?? mentionError(a, 'add'));
      }
      return { kind: 'add', team: t, userIds, groupIds };
    }
    case 'remove': {
      const [name, ...more] = rest;
      return { kind: 'remove', team: team(name, 'remove'), userIds: users(more, 'remove') };
    }
    case 'lead': {
      const [name, ...more] = rest;
      return { kind: 'lead', team: team(name, 'lead'), userId: one(more, 'lead') };
    }
    case 'schedule': {
      const [name, day, time, zone, ...more] = rest;
      const t = team(name, 'schedule');
      const when = weekdayAndTime(day, time, 'schedule');
      noMore(more, 'schedule');
      return { kind: 'schedule', team: t, ...when, timezone: zone ?? null };
    }
    case 'list':
      noMore(rest, 'list');
      return { kind: 'list' };
    case 'archive':
    case 'unarchive': {
      const usage = sub.toLowerCase() as 'archive' | 'unarchive';
      const [name, ...more] = rest;
      const t = team(name, usage);
      noMore(more, usage);
      return { kind: 'archive', team: t, archived: usage === 'archive' };
    }
    default:
      throw new UsageError(
        sub === undefined ? 'What should I do with teams?' : `There is no ${quote(`team ${sub}`)}.`,
        null,
      );
  }
}

const TEAM_USAGE = [
  USAGE.create,
  USAGE.add,
  USAGE.remove,
  USAGE.lead,
  USAGE.schedule,
  USAGE.list,
  USAGE.archive,
  USAGE.unarchive,
].join('\n');

const ACTION_USAGE = [USAGE.action_add, USAGE.action_list, USAGE.action_done, USAGE.action_drop].join('\n');

function away(args: readonly string[]): Command {
  const [arg, ...more] = args;
  noMore(more, 'away');
  if (arg === undefined) return { kind: 'away', weeks: 1 };
  if (arg.toLowerCase() === 'off') return { kind: 'back' };
  if (!/^\d{1,3}$/.test(arg) || Number(arg) < 1 || Number(arg) > MAX_AWAY_WEEKS) {
    return fail(
      'away',
      `Say how many weeks, 1 to ${MAX_AWAY_WEEKS} (default 1), or \`off\` when you are back.`,
    );
  }
  return { kind: 'away', weeks: Number(arg) };
}

/** Slack escapes `&`, `<` and `>` in a command's text; an action's text is kept as the person typed it. */
const unescapeSlack = (s: string): string =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** `action add|list|done|drop …`; `text` is the whole command, so an action's text keeps its spacing. */
function parseActionCommand(args: readonly string[], text: string): Command {
  const [sub, name, ...more] = args;
  switch (sub?.toLowerCase()) {
    case 'add': {
      const t = team(name, 'action_add');
      const [focus] = more;
      if (focus === undefined || !isActionFocus(focus.toLowerCase())) {
        return fail(
          'action_add',
          `Say what it is about: ${ACTION_FOCUSES.map((f) => `\`${f}\``).join(', ')}.`,
        );
      }
      // Everything after the fourth word, as typed (spacing inside kept, ends trimmed).
      const words = /^\s*\S+\s+\S+\s+\S+\s+\S+\s*([\s\S]*)$/.exec(text);
      const said = unescapeSlack(words?.[1] ?? '').trim();
      if (said.length === 0) return fail('action_add', 'Say what the team will try, in a few words.');
      if ([...said].length > ACTION_TEXT_MAX) {
        return fail('action_add', `Keep it to ${ACTION_TEXT_MAX} characters (that was ${[...said].length}).`);
      }
      return { kind: 'action_add', team: t, focus: focus.toLowerCase() as ActionFocus, text: said };
    }
    case 'list': {
      noMore(more, 'action_list');
      return { kind: 'action_list', team: name === undefined ? null : team(name, 'action_list') };
    }
    case 'done':
    case 'drop': {
      const usage = sub.toLowerCase() === 'done' ? 'action_done' : 'action_drop';
      const t = team(name, usage);
      const [number, ...rest] = more;
      if (number === undefined || !/^#?\d{1,6}$/.test(number) || Number(number.replace('#', '')) < 1) {
        return fail(usage, 'Give the action’s number, as `/teamhealth action list` shows it.');
      }
      noMore(rest, usage);
      const status = usage === 'action_done' ? 'done' : 'dropped';
      return { kind: 'action_finish', team: t, number: Number(number.replace('#', '')), status };
    }
    default:
      throw new UsageError(
        sub === undefined ? 'What should I do with actions?' : `There is no ${quote(`action ${sub}`)}.`,
        'action',
      );
  }
}

/** Turns the text after `/teamhealth` into a typed command, or the words that explain the mistake. */
export function parseCommand(text: string): ParseResult {
  const args = text
    .trim()
    .split(/\s+/)
    .filter((a) => a.length > 0);
  const [verb, ...rest] = args;
  try {
    const command = ((): Command => {
      switch (verb?.toLowerCase()) {
        case undefined:
          return { kind: 'overview' };
        case 'help':
          return { kind: 'help' };
        case 'setup':
          noMore(rest, 'setup');
          return { kind: 'setup' };
        case 'team':
          return parseTeamCommand(rest);
        case 'checkin': {
          const [name, ...more] = rest;
          const t = team(name, 'checkin');
          noMore(more, 'checkin');
          return { kind: 'checkin', team: t };
        }
        case 'close': {
          const [name, ...more] = rest;
          const t = team(name, 'close');
          noMore(more, 'close');
          return { kind: 'close', team: t };
        }
        case 'report': {
          const [name, ...more] = rest;
          noMore(more, 'report');
          return { kind: 'report', team: name === undefined ? null : team(name, 'report') };
        }
        case 'digest': {
          const [sub, day, time, zone, ...more] = rest;
          if (sub === undefined) return { kind: 'digest' };
          if (sub.toLowerCase() !== 'schedule') return fail('digest', 'Did you mean `digest schedule`?');
          const when = weekdayAndTime(day, time, 'digest');
          noMore(more, 'digest');
          return { kind: 'digest_schedule', ...when, timezone: zone ?? null };
        }
        case 'privacy':
          noMore(rest, 'privacy');
          return { kind: 'privacy' };
        case 'forget-me':
          noMore(rest, 'forget');
          return { kind: 'forget' };
        case 'away':
          return away(rest);
        case 'status':
          noMore(rest, 'status');
          return { kind: 'status' };
        case 'action':
          return parseActionCommand(rest, text);
        default:
          throw unknownVerb(verb ?? '');
      }
    })();
    return { ok: true, command };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    const usage =
      e.usage === null
        ? TEAM_USAGE
        : e.usage === 'action'
          ? ACTION_USAGE
          : e.usage === 'help'
            ? null
            : USAGE[e.usage];
    return { ok: false, error: e.message, usage };
  }
}
