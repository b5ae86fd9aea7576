import type { ActionsBlock, Button, InputBlock, ModalView } from '@slack/types';
import type { Action } from '../domain/actions.ts';
import { DIMENSIONS, NOTE_MAX_LENGTH, QUESTIONS } from '../domain/dimensions.ts';
import { heardLine } from './actions.ts';
import { type Readers, readersSentence } from './readers.ts';
import { type Block, context, escapeText, localDate, type Message, plain, section } from './text.ts';

export const CHECKIN_OPEN_ACTION = 'checkin_open';
export const CHECKIN_AWAY_ACTION = 'checkin_away';
export const CHECKIN_CALLBACK = 'checkin';
export const NOTE_BLOCK = 'note';

/** Said wherever a person is asked to answer: how answers are kept, and who reads the results. */
const privacyLine = (readers: Readers): string =>
  `Anonymous: your answers are stored without your name and without a time. ${readersSentence(readers)}`;

const startButton = (roundId: number): Button => ({
  type: 'button',
  action_id: CHECKIN_OPEN_ACTION,
  style: 'primary',
  text: plain('Start the check-in'),
  value: String(roundId),
});

const checkinActions = (elements: Button[]): ActionsBlock => ({
  type: 'actions',
  block_id: 'checkin_actions',
  elements,
});

const openButton = (roundId: number): ActionsBlock => checkinActions([startButton(roundId)]);

/** The invite's buttons: start (first), or say you are away this week. */
const inviteButtons = (roundId: number): ActionsBlock =>
  checkinActions([
    startButton(roundId),
    { type: 'button', action_id: CHECKIN_AWAY_ACTION, text: plain('Away this week'), value: String(roundId) },
  ]);

/** One section per open action of the team (at most MAX_OPEN_ACTIONS). */
const actionSections = (actions: readonly Action[]): Block[] =>
  actions.map((a) => section(`:seedling: ${heardLine(a)}`));

/**
 * The weekly DM: one button that opens the check-in modal, and what the team is trying since an
 * earlier round (its open actions), so answering visibly leads somewhere.
 */
export function inviteMessage(
  team: string,
  roundId: number,
  closesAt: Date,
  readers: Readers,
  actions: readonly Action[] = [],
): Message {
  const t = escapeText(team);
  return {
    text: `Weekly check-in for ${t}: four quick questions, under a minute.`,
    blocks: [
      section(`*Weekly check-in for ${t}*\nFour quick questions about your week, under a minute.`),
      ...actionSections(actions),
      inviteButtons(roundId),
      // The reader's own time zone, which the server cannot know.
      context(`${privacyLine(readers)} Open until ${localDate(closesAt)}.`),
    ],
  };
}

/** The one gentle nudge for those who have not answered yet; like the invite, it says what the team is trying. */
export function reminderMessage(
  team: string,
  roundId: number,
  readers: Readers,
  actions: readonly Action[] = [],
): Message {
  const t = escapeText(team);
  return {
    text: `A gentle reminder: the ${t} check-in is still open.`,
    blocks: [
      section(`A gentle reminder: the *${t}* check-in is still open. It takes under a minute.`),
      ...actionSections(actions),
      openButton(roundId),
      context(privacyLine(readers)),
    ],
  };
}

/** What the invite DM turns into once the answer is stored. Never repeats the answers. */
export function recordedMessage(team: string): Message {
  const text = `Thanks: your check-in for ${escapeText(team)} was recorded anonymously.`;
  return { text, blocks: [section(`:white_check_mark: ${text}`)] };
}

/** What the invite DM turns into when its person marks themselves away: no reminder, not counted. */
export function awayMessage(team: string, until: Date): Message {
  const text =
    `You're marked away, so this week's ${escapeText(team)} check-in skips you: no reminder, and you ` +
    `don't count as someone who didn't answer. Check-ins resume after ${localDate(until)}.`;
  return {
    text,
    blocks: [section(`:palm_tree: ${text}`), context('Back early? `/teamhealth away off`.')],
  };
}

/** What an unanswered invite DM turns into when the round closes. */
export function closedMessage(team: string): Message {
  const text = `This week's check-in for ${escapeText(team)} has closed. See you next week.`;
  return { text, blocks: [section(text)] };
}

/** The check-in modal: one required radio group per dimension and an optional note. */
/** `token`: the round and its key, carried back by the submission (see domain/ids checkinToken). */
export function checkinModal(team: string, token: string, readers: Readers): ModalView {
  const blocks: Block[] = [
    context(`*${escapeText(team)}* · ${privacyLine(readers)}`),
    ...DIMENSIONS.map((d): InputBlock => {
      const q = QUESTIONS[d];
      return {
        type: 'input',
        block_id: d,
        label: plain(q.prompt),
        element: {
          type: 'radio_buttons',
          action_id: 'answer',
          options: q.options.map((words, i) => ({ text: plain(words), value: String(i + 1) })),
        },
      };
    }),
    {
      type: 'input',
      block_id: NOTE_BLOCK,
      optional: true,
      label: plain('Anything else? Your manager sees notes without names'),
      element: {
        type: 'plain_text_input',
        action_id: 'note',
        multiline: true,
        max_length: NOTE_MAX_LENGTH,
      },
    },
  ];
  return {
    type: 'modal',
    callback_id: CHECKIN_CALLBACK,
    private_metadata: token,
    title: plain('Weekly check-in'),
    submit: plain('Send anonymously'),
    close: plain('Cancel'),
    blocks,
  };
}

/** A modal with one sentence, for when the check-in cannot be opened. */
export function noticeModal(title: string, text: string): ModalView {
  return {
    type: 'modal',
    title: plain(title),
    close: plain('Close'),
    blocks: [section(text)],
  };
}

/** What the check-in button opens, as the use case decided it. */
export type CheckinForm =
  | { kind: 'form'; team: string; token: string; readers: Readers }
  | { kind: 'stale' }
  | { kind: 'away' }
  | { kind: 'not_invited' }
  | { kind: 'closed' }
  | { kind: 'answered' };

/** A check-in message whose round key is not the round's (a DM sent before the round was re-keyed). */
export const STALE_CHECKIN =
  'This check-in message is out of date: please use the newest check-in DM from teamhealth.';

const FORM_NOTICES: Record<Exclude<CheckinForm['kind'], 'form'>, string> = {
  away: 'You marked yourself away, so this check-in skips you. `/teamhealth away off` when you are back.',
  not_invited: 'This check-in is not one you were invited to.',
  closed: 'This check-in has closed. The next one comes with the next weekly DM.',
  answered: 'You have already answered this check-in. Thank you!',
  stale: STALE_CHECKIN,
};

export const checkinFormView = (f: CheckinForm): ModalView =>
  f.kind === 'form'
    ? checkinModal(f.team, f.token, f.readers)
    : noticeModal('Weekly check-in', FORM_NOTICES[f.kind]);

/**
 * A queued check-in DM as it is sent: its start button carries `token` (the round and its key, which is
 * never stored with the queued message). Without a token the button is left out and the words point
 * to the check-in DM instead (a reminder whose round key is not known since a restart).
 */
export function withCheckinToken(
  payload: Record<string, unknown>,
  token: string | null,
): Record<string, unknown> {
  const blocks = Array.isArray(payload.blocks) ? (payload.blocks as Array<Record<string, unknown>>) : [];
  const out = blocks.flatMap((block, i) => {
    // The first block keeps the token in its id as well, unseen: a DM updated to "recorded" or "away"
    // loses its button, yet Slack still holds the round key for the app to read back after a restart.
    if (i === 0 && token !== null) return [{ ...block, block_id: `${TOKEN_BLOCK_PREFIX}${token}` }];
    if (block.type !== 'actions' || !Array.isArray(block.elements)) return [block];
    const elements = (block.elements as Array<Record<string, unknown>>).flatMap((e) =>
      e.action_id !== CHECKIN_OPEN_ACTION ? [e] : token === null ? [] : [{ ...e, value: token }],
    );
    return elements.length === 0 ? [] : [{ ...block, elements }];
  });
  if (token === null && out.length < blocks.length) {
    out.splice(1, 0, { ...context('Use the *Start the check-in* button in your check-in message above.') });
  }
  return { ...payload, blocks: out };
}

const TOKEN_BLOCK_PREFIX = 'checkin:';

/** The check-in token a DM of ours carries (see withCheckinToken), if any. */
export function checkinTokenOf(blocks: unknown): string | null {
  if (!Array.isArray(blocks)) return null;
  for (const block of blocks as Array<Record<string, unknown> | null>) {
    const id = block?.block_id;
    if (typeof id === 'string' && id.startsWith(TOKEN_BLOCK_PREFIX))
      return id.slice(TOKEN_BLOCK_PREFIX.length);
  }
  return null;
}
