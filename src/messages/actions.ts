import type { Action, ActionFocus } from '../domain/actions.ts';
import { QUESTIONS } from '../domain/dimensions.ts';
import type { Effect, JudgedAction } from '../domain/effect.ts';
import { type Block, escapeText, type Message, reply, section } from './text.ts';
import { USAGE } from './usage.ts';

const about = (focus: ActionFocus): string =>
  focus === 'team' ? 'the team as a whole' : QUESTIONS[focus].label.toLowerCase();

const since = (round: number): string => (round === 0 ? 'before the first round' : `after round ${round}`);

/** One action in a list: number, what it is about, its text (escaped), since when and, if judged, its effect. */
export const actionLine = (a: Action & { effect?: Effect }): string =>
  `*#${a.number}* · ${about(a.focus)} · ${escapeText(a.text)} · _${since(a.round)}_` +
  (a.status === 'open' ? (a.effect === undefined ? '' : ` · *${a.effect}*`) : ` · ${a.status}`);

export const actionAddedMessage = (slug: string, a: Action): Message =>
  reply(
    `Action *#${a.number}* recorded for *${escapeText(slug)}*: ${escapeText(a.text)}\n` +
      `Every check-in DM of the team will say so until it is done or dropped ` +
      `(\`/teamhealth action done ${escapeText(slug)} ${a.number}\`). Its effect on ${about(a.focus)} ` +
      'shows in the report once two shown rounds have passed.',
  );

export const actionFinishedMessage = (slug: string, a: Action): Message =>
  reply(
    `Action *#${a.number}* of *${escapeText(slug)}* is ${a.status === 'done' ? 'done' : 'dropped'}: ` +
      `${escapeText(a.text)}. Check-in DMs no longer mention it.`,
  );

export const actionMissingMessage = (slug: string, number: number): Message =>
  reply(
    `*${escapeText(slug)}* has no action *#${number}*. \`/teamhealth action list ${escapeText(slug)}\` shows its actions.`,
  );

export const actionAlreadyEndedMessage = (slug: string, a: Action): Message =>
  reply(`Action *#${a.number}* of *${escapeText(slug)}* was already ${a.status}; nothing changed.`);

export const tooManyActionsMessage = (slug: string, max: number): Message =>
  reply(
    `*${escapeText(slug)}* already has ${max} open actions. Finish or drop one first ` +
      `(\`${USAGE.action_done}\`): a team hears about a few things better than about many.`,
  );

/** `action list`: each team's actions, open ones with their effect. */
export function actionListMessage(teams: ReadonlyArray<{ slug: string; actions: JudgedAction[] }>): Message {
  if (teams.length === 0) {
    return reply('You manage or lead no team, so there are no actions to list.');
  }
  const lines = teams.flatMap(({ slug, actions }) => [
    `*${escapeText(slug)}*`,
    ...(actions.length === 0 ? [`No actions yet. \`${USAGE.action_add}\``] : actions.map(actionLine)),
  ]);
  return { text: lines.join('\n'), blocks: lines.length > 0 ? chunk(lines) : [] };
}

/** Lines into sections under Slack's 3000 characters each (one action line is at most about 1100). */
function chunk(lines: readonly string[]): Block[] {
  const blocks: Block[] = [];
  let current = '';
  for (const line of lines) {
    if (current.length + line.length + 1 > 2900) {
      blocks.push(section(current));
      current = '';
    }
    current = current === '' ? line : `${current}\n${line}`;
  }
  if (current !== '') blocks.push(section(current));
  return blocks.slice(0, 45);
}

/** The open actions in a team's report: number, text and effect, each in its own section. */
export function reportActionBlocks(actions: readonly JudgedAction[]): Block[] {
  if (actions.length === 0) return [];
  return [section('*What the team is trying*'), ...actions.map((a) => section(actionLine(a)))];
}

/** Adds blocks at the end of a message. */
export const withBlocks = (message: Message, blocks: readonly Block[]): Message =>
  blocks.length === 0 ? message : { ...message, blocks: [...message.blocks, ...blocks] };

/** What a check-in DM says about one open action, in plain words and nothing about anyone. */
export function heardLine(a: Action): string {
  const text = escapeText(a.text);
  if (a.round === 0) return `Since before the first round, the team is trying: ${text}`;
  return a.focus === 'team'
    ? `After round ${a.round}, the team is trying: ${text}`
    : `You told us about ${about(a.focus)} in round ${a.round}. Since then: ${text}`;
}
