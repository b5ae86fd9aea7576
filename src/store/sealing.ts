import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Answers, DIMENSIONS, NOTE_MAX_LENGTH, type Score } from '../domain/dimensions.ts';

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
const RECORD_BYTES = DIMENSIONS.length + 2 + NOTE_BYTES;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const SLOT_BYTES = NONCE_BYTES + RECORD_BYTES + TAG_BYTES;
/** Marks an open slot; random filler or a sealed slot starts with it once in 2^96. */
const OPEN_MARKER = Buffer.from('teamhealth:1');
export const KEY_BYTES = 32;

export interface Answer {
  answers: Answers;
  note: string | null;
}

function encodeRecord(a: Answer): Buffer {
  for (const d of DIMENSIONS) {
    if (!Number.isInteger(a.answers[d]) || a.answers[d] < 1 || a.answers[d] > 5) {
      throw new RangeError(`${d} must be 1 to 5`);
    }
  }
  if (a.note !== null && a.note.length > NOTE_MAX_LENGTH) throw new RangeError('note too long');
  const record = Buffer.alloc(RECORD_BYTES);
  DIMENSIONS.forEach((d, i) => {
    record[i] = a.answers[d];
  });
  const note = Buffer.from(a.note ?? '', 'utf8');
  if (note.length > NOTE_BYTES) throw new RangeError('note too long to store');
  record.writeUInt16BE(note.length, DIMENSIONS.length);
  note.copy(record, DIMENSIONS.length + 2);
  return record;
}

function decodeRecord(record: Buffer): Answer {
  const answers = Object.fromEntries(DIMENSIONS.map((d, i) => [d, record[i] as Score])) as Answers;
  for (const d of DIMENSIONS) {
    if (!(answers[d] >= 1 && answers[d] <= 5)) throw new RangeError('not an answer');
  }
  const length = record.readUInt16BE(DIMENSIONS.length);
  const note = record.subarray(DIMENSIONS.length + 2, DIMENSIONS.length + 2 + length).toString('utf8');
  return { answers, note: length > 0 ? note : null };
}

export const fillerSlot = (): Buffer => randomBytes(SLOT_BYTES);

export function sealAnswer(a: Answer, key: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(encodeRecord(a)), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** The answer in a sealed slot, or null when the slot is filler or sealed under another key. */
export function unsealAnswer(slot: Buffer, key: Buffer): Answer | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, slot.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(slot.subarray(NONCE_BYTES + RECORD_BYTES));
    const record = Buffer.concat([
      decipher.update(slot.subarray(NONCE_BYTES, NONCE_BYTES + RECORD_BYTES)),
      decipher.final(),
    ]);
    return decodeRecord(record);
  } catch {
    return null;
  }
}

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

export const newRoundKey = (): Buffer => randomBytes(KEY_BYTES);

/** What the database keeps of a round key: enough to recognise it, nothing to recover it. */
export const keyCheck = (key: Buffer): Buffer => createHash('sha256').update(key).digest().subarray(0, 16);

export const keyMatches = (key: Buffer, check: Buffer): boolean => {
  const mine = keyCheck(key);
  return mine.length === check.length && timingSafeEqual(mine, check);
};
