import type { Note, ThreadMessage } from '../domain/notes.ts';
import type { Db } from './db.ts';

interface NoteRow {
  id: Buffer;
  note: string;
  reply_check: Buffer | null;
  replies: number;
}

const toNote = (r: NoteRow): Note => ({
  id: r.id.toString('hex'),
  text: r.note,
  replies: r.replies,
  repliable: r.reply_check !== null,
});

const NOTE_COLUMNS = `n.id, n.note, n.reply_check,
  (SELECT count(*) FROM note_replies r WHERE r.round_id = n.round_id AND r.note_id = n.id) AS replies`;

export type NoteStore = ReturnType<typeof noteStore>;

/** A closed round's notes and their threads. Nothing here names a note's author: see migration 6. */
export function noteStore(db: Db) {
  const forRound = db.prepare<[number], NoteRow>(`SELECT ${NOTE_COLUMNS} FROM notes n WHERE n.round_id = ?`);
  const byId = db.prepare<[number, Buffer], NoteRow>(
    `SELECT ${NOTE_COLUMNS} FROM notes n WHERE n.round_id = ? AND n.id = ?`,
  );
  const byCheck = db.prepare<[number, Buffer], NoteRow>(
    `SELECT ${NOTE_COLUMNS} FROM notes n WHERE n.round_id = ? AND n.reply_check = ?`,
  );
  const thread = db.prepare<[number, Buffer], { by_user: string | null; text: string }>(
    'SELECT by_user, text FROM note_replies WHERE round_id = ? AND note_id = ? ORDER BY seq',
  );
  const nextSeq = db.prepare<[number, Buffer], { n: number }>(
    'SELECT coalesce(max(seq), 0) + 1 AS n FROM note_replies WHERE round_id = ? AND note_id = ?',
  );
  const insertReply = db.prepare<[number, Buffer, number, string | null, string]>(
    'INSERT INTO note_replies (round_id, note_id, seq, by_user, text) VALUES (?, ?, ?, ?, ?)',
  );

  return {
    /** A closed, shown round's notes, in the random order of their ids (they were stored that way). */
    forRound: (roundId: number): Note[] => forRound.all(roundId).map(toNote),
    byId: (roundId: number, noteId: string): Note | undefined => {
      const r = byId.get(roundId, Buffer.from(noteId, 'hex'));
      return r && toNote(r);
    },
    /** The note whose reply secret has this check, if its round kept it. */
    byReplyCheck: (roundId: number, check: Buffer): Note | undefined => {
      const r = byCheck.get(roundId, check);
      return r && toNote(r);
    },
    thread: (roundId: number, noteId: string): ThreadMessage[] =>
      thread.all(roundId, Buffer.from(noteId, 'hex')).map((r) => ({ byUser: r.by_user, text: r.text })),
    /** Adds a message at the end of the note's thread; `byUser` null: from the note's author. */
    addReply: db.transaction(
      (roundId: number, noteId: string, byUser: string | null, text: string): number => {
        const id = Buffer.from(noteId, 'hex');
        const { n } = nextSeq.get(roundId, id) as { n: number };
        insertReply.run(roundId, id, n, byUser, text);
        return n;
      },
    ),
  };
}
