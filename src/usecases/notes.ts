import type { Services } from '../context.ts';
import { whoMay } from '../domain/access.ts';
import { deliveryKey } from '../domain/delivery.ts';
import { isUserId, type ReplyToken, replyToken } from '../domain/ids.ts';
import { MAX_THREAD_MESSAGES, type Note, type NoteRef, noteRef } from '../domain/notes.ts';
import {
  authorAnsweredMessage,
  notesAnsweredMessage,
  type Thread,
  type ThreadSide,
} from '../messages/notes.ts';
import type { Round } from '../store/rounds.ts';
import { keyCheck } from '../store/sealing.ts';
import type { Team } from '../store/teams.ts';
import { mayOnTeam } from './access.ts';

/** A note's thread to show, or why it cannot be (in the words the person reads). */
export type ThreadResult = { ok: true; thread: Thread } | { ok: false; message: string };

const NOT_FOUND = 'That note is no longer kept (its round is past the retention period).';
const THREAD_FULL = `This thread already has ${MAX_THREAD_MESSAGES} messages, as many as it can hold.`;

interface Located {
  team: Team;
  round: Round;
  note: Note;
}

function threadOf(s: Services, at: Located, side: ThreadSide, metadata: string): Thread {
  return {
    side,
    team: at.team.slug,
    round: at.round.number,
    note: at.note,
    messages: s.notes.thread(at.round.id, at.note.id),
    metadata,
  };
}

/** The note a team-side button points at, if the person may answer the team's notes. */
function locateForTeam(s: Services, ref: NoteRef, userId: string): Located | string {
  const round = s.rounds.byId(ref.roundId);
  const team = round && s.teams.byId(round.teamId);
  const note = round && s.notes.byId(round.id, ref.noteId);
  if (!round || !team || !note) return NOT_FOUND;
  if (!mayOnTeam(s, 'answer_notes', team, userId)) {
    return `Only ${whoMay('answer_notes', team.slug)} can read and answer its notes.`;
  }
  return { team, round, note };
}

/** The note an author's token points at; the token is all there is: nobody is asked who they are. */
function locateForAuthor(s: Services, token: ReplyToken): Located | string {
  const round = s.rounds.byId(token.roundId);
  const team = round && s.teams.byId(round.teamId);
  if (!round || !team) return NOT_FOUND;
  if (round.closedAt === null) {
    return 'Your note reaches your manager when the round closes. Any reply to it will show here.';
  }
  const note = s.notes.byReplyCheck(round.id, keyCheck(token.secret));
  if (!note) {
    return (
      'That round had too few answers to be shown, so its notes were not kept (or it is past the ' +
      'retention period). Nobody read your note.'
    );
  }
  return { team, round, note };
}

const result = (s: Services, at: Located | string, side: ThreadSide, metadata: string): ThreadResult =>
  typeof at === 'string' ? { ok: false, message: at } : { ok: true, thread: threadOf(s, at, side, metadata) };

/** The `Reply` button on a note: its thread, for the team's manager, lead or an admin. */
export const teamThread = (s: Services, ref: NoteRef, userId: string): ThreadResult =>
  result(s, locateForTeam(s, ref, userId), 'team', noteRef(ref));

/** The author's button on their own DM: the thread of their note. */
export const authorThread = (s: Services, token: ReplyToken): ThreadResult =>
  result(s, locateForAuthor(s, token), 'author', replyToken(token));

/**
 * Adds the team side's reply to a note's thread and tells everyone who answered the round that its notes
 * were answered (the same message to each, so it reveals nothing), in one transaction.
 */
export function replyToNote(s: Services, ref: NoteRef, userId: string, text: string): ThreadResult {
  return s.db.transaction((): ThreadResult => {
    const at = locateForTeam(s, ref, userId);
    if (typeof at === 'string') return { ok: false, message: at };
    if (!at.note.repliable)
      return { ok: false, message: 'This note was written before notes could be answered.' };
    if (s.notes.thread(at.round.id, at.note.id).length >= MAX_THREAD_MESSAGES)
      return { ok: false, message: THREAD_FULL };
    s.notes.addReply(at.round.id, at.note.id, userId, text);
    const message = notesAnsweredMessage(at.team.slug, at.round.number, userId);
    // Those who used forget-me left an unlinkable placeholder, no one to message.
    for (const person of s.rounds.answeredBy(at.round.id).filter(isUserId)) {
      const invite = s.rounds.invite(at.round.id, person);
      // Under the person's own check-in DM of that round, whose button opens their note (if they wrote one).
      const where =
        invite?.dmChannel && invite.dmTs
          ? { channel: invite.dmChannel, thread_ts: invite.dmTs, reply_broadcast: true }
          : { channel: person };
      // One per person while it waits: a manager answering five notes sends each person one message.
      s.outbox.enqueue(
        deliveryKey({ kind: 'replied', roundId: at.round.id, userId: person }),
        'chat.postMessage',
        {
          ...where,
          ...message,
        },
      );
    }
    s.kick();
    return { ok: true, thread: threadOf(s, at, 'team', noteRef(ref)) };
  })();
}

/**
 * Adds the author's answer to their note's thread and tells those who answer for the team (the manager,
 * and anyone who replied in the thread), in one transaction. Nothing records who the author is.
 */
export function answerNote(s: Services, token: ReplyToken, text: string): ThreadResult {
  return s.db.transaction((): ThreadResult => {
    const at = locateForAuthor(s, token);
    if (typeof at === 'string') return { ok: false, message: at };
    const thread = s.notes.thread(at.round.id, at.note.id);
    if (thread.length >= MAX_THREAD_MESSAGES) return { ok: false, message: THREAD_FULL };
    s.notes.addReply(at.round.id, at.note.id, null, text);
    const ref = noteRef({ roundId: at.round.id, noteId: at.note.id });
    const message = authorAnsweredMessage(at.team.slug, at.round.number, ref);
    const readers = new Set([
      at.team.managerId,
      ...thread.flatMap((m) => (m.byUser === null ? [] : [m.byUser])),
    ]);
    for (const person of readers) {
      s.outbox.enqueue(
        deliveryKey({ kind: 'author_answered', roundId: at.round.id, noteId: at.note.id, userId: person }),
        'chat.postMessage',
        { channel: person, ...message },
      );
    }
    s.kick();
    return { ok: true, thread: threadOf(s, at, 'author', replyToken(token)) };
  })();
}
