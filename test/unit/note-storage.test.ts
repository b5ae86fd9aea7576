// How a note's reply check is stored: inside its answer slot (sealed or open), then beside the note; and
// how migration 6 brings the slots of a round open during the upgrade to the new size without its key.
import { createCipheriv, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Answers } from '../../src/domain/dimensions.ts';
import { migrate } from '../../src/store/db.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { noteStore } from '../../src/store/notes.ts';
import { roundStore } from '../../src/store/rounds.ts';
import {
  keyCheck,
  LEGACY_SLOT_BYTES,
  newReplySecret,
  newRoundKey,
  openSlot,
  readOpenSlot,
  SLOT_BYTES,
  sealAnswer,
  unsealAnswer,
} from '../../src/store/sealing.ts';

const ANSWERS: Answers = { energy: 2, boundaries: 3, ownership: 4, recognition: 5 };

/** A slot as the code before migration 6 sealed it: the record without a reply check. */
function legacySealed(note: string, key: Buffer): Buffer {
  const record = Buffer.alloc(4 + 2 + 1500);
  [2, 3, 4, 5].forEach((v, i) => {
    record[i] = v;
  });
  const bytes = Buffer.from(note, 'utf8');
  record.writeUInt16BE(bytes.length, 4);
  bytes.copy(record, 6);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(record), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

describe('an answer slot with a reply check', () => {
  it('keeps the check sealed under the round key, or open once the round reached its threshold', () => {
    const key = newRoundKey();
    const check = keyCheck(newReplySecret());
    const answer = { answers: ANSWERS, note: 'nights', replyCheck: check };
    const sealed = sealAnswer(answer, key);
    expect(sealed.length).toBe(SLOT_BYTES);
    expect(sealed.includes(check)).toBe(false);
    expect(unsealAnswer(sealed, key)).toEqual(answer);
    expect(unsealAnswer(sealed, newRoundKey())).toBeNull();
    expect(readOpenSlot(openSlot(answer))).toEqual(answer);
    expect(readOpenSlot(openSlot({ ...answer, note: null, replyCheck: null }))).toEqual({
      answers: ANSWERS,
      note: null,
      replyCheck: null,
    });
  });

  it('refuses a check without a note', () => {
    expect(() => openSlot({ answers: ANSWERS, note: null, replyCheck: keyCheck(newReplySecret()) })).toThrow(
      RangeError,
    );
  });
});

describe('migration 6', () => {
  it('grows the slots of a round open during the upgrade, and its sealed answers still open with its key', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    // The schema as it was at version 5, and a round open then with a sealed, an open and a filler slot.
    for (const [v, m] of MIGRATIONS.slice(0, 5).entries()) {
      if (typeof m === 'string') db.exec(m);
      else m(db, { minResponses: 5 });
      db.pragma(`user_version = ${v + 1}`);
    }
    const key = newRoundKey();
    db.prepare(
      `INSERT INTO teams (id, slug, manager_id, timezone, schedule_since) VALUES (1, 'core', 'UM', 'UTC', 0)`,
    ).run();
    db.prepare(
      `INSERT INTO rounds (id, team_id, number, opened_at, remind_at, closes_at, key_check, live_at)
       VALUES (1, 1, 1, 0, 1, 2, ?, 0)`,
    ).run(keyCheck(key));
    const legacyOpen = openSlot({ answers: ANSWERS, note: 'open before', replyCheck: null }).subarray(
      0,
      LEGACY_SLOT_BYTES,
    );
    const insert = db.prepare('INSERT INTO answer_slots (id, round_id, used, body) VALUES (?, 1, ?, ?)');
    insert.run(10, 1, legacySealed('sealed before', key));
    insert.run(20, 1, legacyOpen);
    insert.run(30, 0, randomBytes(LEGACY_SLOT_BYTES));

    migrate(db, { minResponses: 5 });

    const slots = db.prepare('SELECT id, used, body FROM answer_slots ORDER BY id').all() as Array<{
      id: number;
      body: Buffer;
    }>;
    expect(slots.map((s) => [s.id, s.body.length])).toEqual([
      [10, SLOT_BYTES],
      [20, SLOT_BYTES],
      [30, SLOT_BYTES],
    ]);
    const [sealed, open, filler] = slots.map((s) => s.body);
    expect(unsealAnswer(sealed as Buffer, key)).toEqual({
      answers: ANSWERS,
      note: 'sealed before',
      replyCheck: null,
    });
    expect(readOpenSlot(open as Buffer)).toEqual({ answers: ANSWERS, note: 'open before', replyCheck: null });
    expect(readOpenSlot(filler as Buffer)).toBeNull();
    expect(unsealAnswer(filler as Buffer, key)).toBeNull();

    // A new answer in that round carries its check, and (the round's third, its threshold here) opens the
    // round's answers, the legacy sealed one included. At the close both kinds of note are kept; only the
    // new one can be answered.
    db.prepare(
      "INSERT INTO invites (round_id, user_id, answered) VALUES (1, 'U1', 1), (1, 'U2', 1), (1, 'U3', 0)",
    ).run();
    db.prepare('UPDATE rounds SET min_responses = 3').run();
    const rounds = roundStore(db);
    const check = keyCheck(newReplySecret());
    expect(rounds.recordResponse(1, 'U3', ANSWERS, 'after', key, check)).toBe(true);
    expect(rounds.byId(1)?.answersOpen).toBe(true);
    expect(rounds.markClosed(1, new Date(5))).toBe(true);
    const notes = noteStore(db).forRound(1);
    expect(notes.map((n) => [n.text, n.repliable]).sort()).toEqual([
      ['after', true],
      ['open before', false],
      ['sealed before', false],
    ]);
    expect(noteStore(db).byReplyCheck(1, check)?.text).toBe('after');
    db.close();
  });
});
