import type { ActionsBlock, Button, ModalView } from '@slack/types';
import {
  MAX_THREAD_MESSAGES,
  type Note,
  noteRef,
  REPLY_MAX_LENGTH,
  type ThreadMessage,
} from '../domain/notes.ts';
import {
  type Block,
  context,
  escapeText,
  type Message,
  mention,
  plain,
  section,
  verbatimSection,
} from './text.ts';

/** A note's `Reply` button in a summary or report; its value is the note's place (`<round>.<id>`). */
export const NOTE_REPLY_ACTION = 'note_reply';
/** The button on an author's own check-in DM; its value is the note's reply token. */
export const NOTE_THREAD_ACTION = 'note_thread';
/** The thread modal as the team side sends it (metadata: the note's place) and as the author does (the token). */
export const NOTE_REPLY_CALLBACK = 'note_reply';
export const NOTE_ANSWER_CALLBACK = 'note_answer';
export const REPLY_BLOCK = 'reply';
export const REPLY_INPUT = 'text';

const quote = (text: string): string => `> ${escapeText(text).replace(/\n/g, '\n> ')}`;

const threadSize = (n: number): string =>
  n === 1 ? '1 message in its thread' : `${n} messages in its thread`;

/**
 * A summary's notes, one section each, escaped and shown verbatim so nothing in them pings or links
 * anyone; each note that can be answered has a `Reply` button. In the order given (shuffled upstream).
 */
export function noteBlocks(roundId: number, notes: readonly Note[]): Block[] {
  return [
    section('*Notes (anonymous, in no particular order)*'),
    ...notes.map((n) => {
      const text = n.replies > 0 ? `${quote(n.text)}\n_${threadSize(n.replies)}_` : quote(n.text);
      const block = verbatimSection(text);
      if (!n.repliable) return block;
      const reply: Button = {
        type: 'button',
        action_id: NOTE_REPLY_ACTION,
        text: plain('Reply'),
        value: noteRef({ roundId, noteId: n.id }),
      };
      return { ...block, accessory: reply };
    }),
  ];
}

/** Whose words a thread message is, as each side reads them. */
const speaker = (m: ThreadMessage, side: ThreadSide): string =>
  m.byUser !== null ? mention(m.byUser) : side === 'author' ? 'You' : "The note's author";

export type ThreadSide = 'team' | 'author';

/** A note's thread as its modal shows it, decided by the use case. */
export interface Thread {
  side: ThreadSide;
  team: string;
  round: number;
  note: Note;
  messages: readonly ThreadMessage[];
  /** What the modal carries back on submission: the note's place (team side) or its reply token (author). */
  metadata: string;
}

const PRIVACY: Record<ThreadSide, (round: number) => string> = {
  team: (round) =>
    "The note's author reads the thread from a button only their own check-in DM has. Everyone who " +
    `answered round ${round} is told that notes from it were answered, so nothing says who wrote which.`,
  author: () =>
    'Only your own check-in DM has this button. The team sees your answers as "the note\'s author", ' +
    'never your name: nothing stored says who wrote the note.',
};

/** The thread of one note, with one text input to add to it (while the thread has room). */
export function threadModal(t: Thread): ModalView {
  const full = t.messages.length >= MAX_THREAD_MESSAGES;
  const blocks: Block[] = [
    context(`*${escapeText(t.team)}* · round ${t.round} · ${PRIVACY[t.side](t.round)}`),
    verbatimSection(t.side === 'author' ? `*Your note*\n${quote(t.note.text)}` : quote(t.note.text)),
    ...t.messages.map((m) => verbatimSection(`*${speaker(m, t.side)}:* ${escapeText(m.text)}`)),
  ];
  if (full) {
    blocks.push(
      context(
        `This thread has reached ${MAX_THREAD_MESSAGES} messages, as many as it can hold. Talk it over with the team.`,
      ),
    );
  } else {
    blocks.push({
      type: 'input',
      block_id: REPLY_BLOCK,
      label: plain(t.side === 'author' ? 'Your answer (without your name)' : 'Your reply'),
      element: {
        type: 'plain_text_input',
        action_id: REPLY_INPUT,
        multiline: true,
        max_length: REPLY_MAX_LENGTH,
      },
    });
  }
  return {
    type: 'modal',
    callback_id: t.side === 'author' ? NOTE_ANSWER_CALLBACK : NOTE_REPLY_CALLBACK,
    private_metadata: t.metadata,
    title: plain(t.side === 'author' ? 'Your note' : 'Note'),
    ...(full ? {} : { submit: plain('Send') }),
    close: plain('Close'),
    blocks,
  };
}

/**
 * Sent to everyone who answered the round when the team side answers one of its notes: the same words
 * to all of them, so the message says nothing about who wrote which note.
 */
export function notesAnsweredMessage(team: string, round: number, by: string): Message {
  const text =
    `${mention(by)} answered notes from round ${round} of *${escapeText(team)}*. If you wrote a note that ` +
    'round, *Replies to your note* on your check-in message of that week opens the conversation.';
  return {
    text: `Notes from round ${round} of ${escapeText(team)} were answered.`,
    blocks: [
      section(`:speech_balloon: ${text}`),
      context(
        `Everyone who answered round ${round} gets this message, so it says nothing about who wrote which note.`,
      ),
    ],
  };
}

/** To those who answer for the team in a note's thread, when its author answers them. */
export function authorAnsweredMessage(team: string, round: number, ref: string): Message {
  const text = `The author of a note from round ${round} of *${escapeText(team)}* answered in its thread.`;
  return {
    text,
    blocks: [
      section(`:speech_balloon: ${text}`),
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: NOTE_REPLY_ACTION, text: plain('Open the thread'), value: ref },
        ],
      },
    ],
  };
}

const THREAD_BLOCK = 'note_thread';

/**
 * The author's "recorded" DM as it is sent, with the button that opens their note's thread (`token`
 * carries the note's reply secret, from memory: it is never stored with the queued message).
 */
export function withReplyButton(payload: Record<string, unknown>, token: string): Record<string, unknown> {
  const blocks = Array.isArray(payload.blocks) ? (payload.blocks as unknown[]) : [];
  const button: ActionsBlock = {
    type: 'actions',
    block_id: THREAD_BLOCK,
    elements: [
      { type: 'button', action_id: NOTE_THREAD_ACTION, text: plain('Replies to your note'), value: token },
    ],
  };
  const about = context(
    'Your note reaches your manager when the round closes, if enough people answered. They can reply to ' +
      'it without learning who wrote it; the replies open from this button, which only you have.',
  );
  return { ...payload, blocks: [...blocks, button, about] };
}
