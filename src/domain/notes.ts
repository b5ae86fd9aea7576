/**
 * Notes and their threads. A note's thread is the team's conversation with the note's author, who
 * stays unknown: nothing here (or anywhere) says who wrote a note or who answers in its thread.
 */

/** A reply in a note's thread is at most as long as a note. */
export const REPLY_MAX_LENGTH = 500;

/** A thread fits in one modal (Slack allows 100 blocks) with room to spare; a longer talk wants a meeting. */
export const MAX_THREAD_MESSAGES = 40;

/** A note as a reader of the team's results sees it. */
export interface Note {
  /** The note's random id within its round (hex): nothing about its author or when it came. */
  id: string;
  text: string;
  /** How many messages its thread has. */
  replies: number;
  /** False for notes written before replies existed: nobody holds the way to read an answer. */
  repliable: boolean;
}

/** One message of a note's thread. */
export interface ThreadMessage {
  /** Who wrote it for the team (they answer under their name); null: the note's author. */
  byUser: string | null;
  text: string;
}

/** Where a note sits: its round and its id, as the team side's buttons carry it (`<round>.<id>`). */
export interface NoteRef {
  roundId: number;
  noteId: string;
}

const NOTE_REF = /^(\d{1,12})\.([0-9a-f]{32})$/;

export const noteRef = (r: NoteRef): string => `${r.roundId}.${r.noteId}`;

export function parseNoteRef(v: unknown): NoteRef | null {
  const m = typeof v === 'string' ? NOTE_REF.exec(v) : null;
  return m ? { roundId: Number(m[1]), noteId: m[2] as string } : null;
}
