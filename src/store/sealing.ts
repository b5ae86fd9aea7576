import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Answers, DIMENSIONS, NOTE_MAX_LENGTH, type Score } from '../domain/dimensions.ts';
import { REPLY_SECRET_BYTES } from '../domain/ids.ts';

/**
 * One answer as it sits in its slot: always SLOT_BYTES long, so filling a slot overwrites its bytes in
 * place (SQLite rewrites a row of unchanged size where it stands) and the file keeps no trace of the
 * order answers arrived in. Three forms, indistinguishable by size:
 * - filler: random bytes, written when the round opens;
 * - sealed: AES-256-GCM under the round key, which never reaches the disk (below the threshold);
 * - open: the plain record behind a marker (once the round reached its threshold).
 */

/** A note is at most NOTE_MAX_LENGTH UTF-16 units, so at most three UTF-8 bytes each. */
const NOTE_BYTES = NOTE_MAX_LENGTH * 3;
/** What the database keeps of a note's reply token (see replyCheck), at the end of the record. */
export const REPLY_CHECK_BYTES = 16;
const RECORD_BYTES = DIMENSIONS.length + 2 + NOTE_BYTES + REPLY_CHECK_BYTES;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const SLOT_BYTES = NONCE_BYTES + RECORD_BYTES + TAG_BYTES;
/** Marks an open slot; random filler or a sealed slot starts with it once in 2^96. */
const OPEN_MARKER = Buffer.from('teamhealth:1');
export const KEY_BYTES = 32;

/**
 * Slots written before notes could be answered (migration 6) had no reply check: 16 bytes shorter.
 * Their sealed ones cannot be rewritten without the round key, so the upgrade pads them with 16 random
 * bytes and they are read with this layout; everything else was rewritten in the new one.
 */
const LEGACY_RECORD_BYTES = RECORD_BYTES - REPLY_CHECK_BYTES;
export const LEGACY_SLOT_BYTES = SLOT_BYTES - REPLY_CHECK_BYTES;

export interface Answer {
  answers: Answers;
  note: string | null;
  /** What is kept of the note's reply token (null without a note, or from a slot written before replies). */
  replyCheck: Buffer | null;
}

function encodeRecord(a: Answer): Buffer {
  for (const d of DIMENSIONS) {
    if (!Number.isInteger(a.answers[d]) || a.answers[d] < 1 || a.answers[d] > 5) {
      throw new RangeError(`${d} must be 1 to 5`);
    }
  }
  if (a.note !== null && a.note.length > NOTE_MAX_LENGTH) throw new RangeError('note too long');
  if (a.replyCheck !== null && (a.note === null || a.replyCheck.length !== REPLY_CHECK_BYTES)) {
    throw new RangeError('a reply check belongs to a note');
  }
  const record = Buffer.alloc(RECORD_BYTES);
  DIMENSIONS.forEach((d, i) => {
    record[i] = a.answers[d];
  });
  const note = Buffer.from(a.note ?? '', 'utf8');
  if (note.length > NOTE_BYTES) throw new RangeError('note too long to store');
  record.writeUInt16BE(note.length, DIMENSIONS.length);
  note.copy(record, DIMENSIONS.length + 2);
  a.replyCheck?.copy(record, RECORD_BYTES - REPLY_CHECK_BYTES);
  return record;
}

/** A record of either layout; a legacy one (shorter) has no reply check. */
function decodeRecord(record: Buffer): Answer {
  const answers = Object.fromEntries(DIMENSIONS.map((d, i) => [d, record[i] as Score])) as Answers;
  for (const d of DIMENSIONS) {
    if (!(answers[d] >= 1 && answers[d] <= 5)) throw new RangeError('not an answer');
  }
  const length = record.readUInt16BE(DIMENSIONS.length);
  if (length > NOTE_BYTES) throw new RangeError('not an answer');
  const note = record.subarray(DIMENSIONS.length + 2, DIMENSIONS.length + 2 + length).toString('utf8');
  const check = record.length === RECORD_BYTES ? record.subarray(RECORD_BYTES - REPLY_CHECK_BYTES) : null;
  const replyCheck = length > 0 && check !== null && check.some((b) => b !== 0) ? Buffer.from(check) : null;
  return { answers, note: length > 0 ? note : null, replyCheck };
}

export const fillerSlot = (): Buffer => randomBytes(SLOT_BYTES);

export function sealAnswer(a: Answer, key: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(encodeRecord(a)), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

function unsealRecord(slot: Buffer, key: Buffer, recordBytes: number): Answer | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, slot.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(slot.subarray(NONCE_BYTES + recordBytes, NONCE_BYTES + recordBytes + TAG_BYTES));
    const record = Buffer.concat([
      decipher.update(slot.subarray(NONCE_BYTES, NONCE_BYTES + recordBytes)),
      decipher.final(),
    ]);
    return decodeRecord(record);
  } catch {
    return null;
  }
}

/** The answer in a sealed slot (either layout), or null when the slot is filler or sealed under another key. */
export const unsealAnswer = (slot: Buffer, key: Buffer): Answer | null =>
  unsealRecord(slot, key, RECORD_BYTES) ?? unsealRecord(slot, key, LEGACY_RECORD_BYTES);

export function openSlot(a: Answer): Buffer {
  const slot = Buffer.alloc(SLOT_BYTES);
  OPEN_MARKER.copy(slot, 0);
  encodeRecord(a).copy(slot, NONCE_BYTES);
  return slot;
}

/** The answer in an open slot, or null for filler and sealed slots. */
export function readOpenSlot(slot: Buffer): Answer | null {
  if (slot.length !== SLOT_BYTES || !slot.subarray(0, OPEN_MARKER.length).equals(OPEN_MARKER)) return null;
  try {
    return decodeRecord(slot.subarray(NONCE_BYTES, NONCE_BYTES + RECORD_BYTES));
  } catch {
    return null;
  }
}

/**
 * A slot as migration 6 leaves it: an open one rewritten in the new layout, any other (filler, or
 * sealed under a key the database never held) padded with random bytes to the new size.
 */
export function upgradeLegacySlot(slot: Buffer): Buffer {
  if (slot.length !== LEGACY_SLOT_BYTES) throw new RangeError('not a legacy slot');
  if (slot.subarray(0, OPEN_MARKER.length).equals(OPEN_MARKER)) {
    try {
      return openSlot(decodeRecord(slot.subarray(NONCE_BYTES, NONCE_BYTES + LEGACY_RECORD_BYTES)));
    } catch {
      // Random filler that happens to start with the marker: padded like any other.
    }
  }
  return Buffer.concat([slot, randomBytes(REPLY_CHECK_BYTES)]);
}

export const newRoundKey = (): Buffer => randomBytes(KEY_BYTES);

export const newReplySecret = (): Buffer => randomBytes(REPLY_SECRET_BYTES);

/**
 * What the database keeps of a round key or a note's reply secret: enough to recognise it, nothing to
 * recover it.
 */
export const keyCheck = (key: Buffer): Buffer => createHash('sha256').update(key).digest().subarray(0, 16);

export const keyMatches = (key: Buffer, check: Buffer): boolean => {
  const mine = keyCheck(key);
  return mine.length === check.length && timingSafeEqual(mine, check);
};
