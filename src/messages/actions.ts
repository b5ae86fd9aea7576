import type { Button, ModalView, PlainTextOption } from '@slack/types';
import { ACTION_FOCUSES, ACTION_TEXT_MAX, type Action, type ActionFocus } from '../domain/actions.ts';
import { QUESTIONS } from '../domain/dimensions.ts';
import { type DigestActions, type Effect, type JudgedAction, UNATTENDED_ROUNDS } from '../domain/effect.ts';
import {
  type Block,
  clip,
  context,
  escapeText,
  type Message,
  mention,
  plain,
  reply,
  section,
} from './text.ts';
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

/** What to order a lead's question by: the action whose numbers say most comes first. */
const TELLING: Record<Effect, number> = {
  'likely worse': 0,
  'no clear change': 1,
  'likely better': 2,
  'too early': 3,
};

/** A question for the lead to ask the manager about an action: coaching, not stepping over them. */
function coachingQuestion(a: JudgedAction): string {
  const text = `“${escapeText(clip(a.text, 60))}”`;
  switch (a.effect) {
    case 'too early':
      return `What has the team said about ${text} so far?`;
    case 'no clear change':
      return `${text} shows no clear change yet: keep it, adjust it, or try something else? What would help?`;
    case 'likely better':
      return `What made ${text} work, and how will the team keep it going?`;
    case 'likely worse':
      return `Since ${text}, ${about(a.focus)} reads worse: what has the team said, and what support do you need?`;
  }
}

/**
 * One team's actions in the lead's digest, in one block (the digest's budget is three a team): what
 * it tries and how that reads, a question for its manager, or a mark when critical flags go unanswered.
 */
/** A team's open actions in the lead's digest, as lines of the team's one block. */
export function digestActionLines(managerId: string, d: DigestActions): string[] {
  const lines: string[] = [];
  if (d.unattended) {
    lines.push(
      `:warning: A critical flag in each of the last ${UNATTENDED_ROUNDS} shown rounds, and no action recorded.`,
    );
  }
  for (const a of d.actions) {
    lines.push(
      `Trying *#${a.number}* ${escapeText(clip(a.text, 60))} (${about(a.focus)}, ${since(a.round)}): *${a.effect}*`,
    );
  }
  const first = [...d.actions].sort((a, b) => TELLING[a.effect] - TELLING[b.effect])[0];
  if (first) lines.push(`Ask ${mention(managerId)}: ${coachingQuestion(first)}`);
  else if (d.unattended)
    lines.push(`Ask ${mention(managerId)}: what will the team try, and what do you need for it?`);
  return lines;
}

/**
 * The `We'll try this` button next to a flag's suggestion, and the modal it opens. Its action id is
 * `action_propose:<i>` (`action_propose` on buttons sent before there was one per flag): Slack refuses
 * two equal action ids in one block, so each gets its index.
 */
export const PROPOSE_ACTION = 'action_propose';
export const ACTION_CALLBACK = 'action_add';
export const ACTION_BLOCK = { focus: 'action_focus', text: 'action_text' } as const;

/** Slack's limit on a button's label. */
const BUTTON_LABEL_MAX = 75;

/**
 * The button carries the team, the focus and the suggestion (`team focus text`); the modal only
 * pre-fills them, and the submission is checked like a command. `index` tells apart the buttons of one
 * block; `about` names what it proposes for (a dimension, or participation) in its label.
 */
export const proposeButton = (
  team: string,
  focus: ActionFocus,
  suggestion: string,
  index: number,
  about: string,
): Button => ({
  type: 'button',
  action_id: `${PROPOSE_ACTION}:${index}`,
  text: plain(clip(`We'll try: ${about}`, BUTTON_LABEL_MAX)),
  value: `${team} ${focus} ${clip(suggestion, ACTION_TEXT_MAX)}`,
});

const focusOption = (f: ActionFocus): PlainTextOption => ({
  text: plain(f === 'team' ? 'The team as a whole' : QUESTIONS[f].label),
  value: f,
});

/** What the team will try: the suggestion pre-filled and editable, its dimension pre-selected. */
export function actionModal(team: string, focus: ActionFocus, suggestion: string): ModalView {
  return {
    type: 'modal',
    callback_id: ACTION_CALLBACK,
    private_metadata: team,
    title: plain('What the team will try'),
    submit: plain('Record it'),
    close: plain('Cancel'),
    blocks: [
      context(`*${escapeText(team)}* · every check-in DM of the team will say what it is trying.`),
      {
        type: 'input',
        block_id: ACTION_BLOCK.focus,
        label: plain('About'),
        element: {
          type: 'static_select',
          action_id: 'focus',
          options: ACTION_FOCUSES.map(focusOption),
          initial_option: focusOption(focus),
        },
      },
      {
        type: 'input',
        block_id: ACTION_BLOCK.text,
        label: plain('What the team will try'),
        element: {
          type: 'plain_text_input',
          action_id: 'text',
          max_length: ACTION_TEXT_MAX,
          initial_value: clip(suggestion, ACTION_TEXT_MAX),
        },
      },
    ],
  };
}

/** The modal after a submission: what happened, in the words of the command's reply. */
export const actionDoneModal = (message: Message): ModalView => ({
  type: 'modal',
  title: plain('What the team will try'),
  close: plain('Done'),
  blocks: message.blocks,
});
