/** The shapes of the identifiers people and Slack give us; every edge checks against these. */

/** A Slack user id: `U` or `W` followed by letters and digits. */
export const USER_ID = /^[UW][A-Za-z0-9]+$/;

/** A Slack user id anywhere inside a text (for taking people out of log lines). */
export const USER_ID_IN_TEXT = /\b[UW][A-Za-z0-9]+\b/g;

/** A user mention as Slack escapes it: `<@U123>` or `<@U123|name>`. */
export const USER_MENTION = /^<@([UW][A-Za-z0-9]+)(?:\|[^>]*)?>$/;

/** A team name: 1–40 lowercase letters, digits or dashes. */
export const TEAM_NAME = /^[a-z0-9-]{1,40}$/;

/** A direct-message channel id, as Slack names the DM a button was pressed in. */
export const DM_CHANNEL_ID = /^D[A-Z0-9]{1,20}$/;

/** A message's timestamp, Slack's id of a message within its channel. */
export const MESSAGE_TS = /^\d{1,12}\.\d{1,9}$/;

/** A row id carried in a button value or a modal's metadata. */
export const ROW_ID = /^\d{1,12}$/;

export const isUserId = (v: unknown): v is string => typeof v === 'string' && USER_ID.test(v);

/** The number in a row-id text, or null when the text is not one. */
export const parseRowId = (v: unknown): number | null =>
  typeof v === 'string' && ROW_ID.test(v) ? Number(v) : null;

/**
 * What a check-in button and modal carry: the round, and the round key when the round has one
 * (`<round>.<key in base64url>`). The key is what lets an answer below the threshold be stored sealed.
 */
export interface CheckinToken {
  roundId: number;
  key: Buffer | null;
}

const CHECKIN_TOKEN = /^(\d{1,12})(?:\.([A-Za-z0-9_-]{43}))?$/;

export const checkinToken = (t: CheckinToken): string =>
  t.key === null ? String(t.roundId) : `${t.roundId}.${t.key.toString('base64url')}`;

export function parseCheckinToken(v: unknown): CheckinToken | null {
  const m = typeof v === 'string' ? CHECKIN_TOKEN.exec(v) : null;
  if (!m) return null;
  return { roundId: Number(m[1]), key: m[2] === undefined ? null : Buffer.from(m[2], 'base64url') };
}

/**
 * What a note's author holds to read and answer its thread: the round and the note's reply secret
 * (`<round>.<secret in base64url>`), in a button on their own DM. The database keeps only a check of the
 * secret, so neither it nor anyone reading it can tell whose DM holds which note's secret.
 */
export interface ReplyToken {
  roundId: number;
  secret: Buffer;
}

export const REPLY_SECRET_BYTES = 16;

const REPLY_TOKEN = /^(\d{1,12})\.([A-Za-z0-9_-]{22})$/;

export const replyToken = (t: ReplyToken): string => `${t.roundId}.${t.secret.toString('base64url')}`;

export function parseReplyToken(v: unknown): ReplyToken | null {
  const m = typeof v === 'string' ? REPLY_TOKEN.exec(v) : null;
  if (!m) return null;
  const secret = Buffer.from(m[2] as string, 'base64url');
  return secret.length === REPLY_SECRET_BYTES ? { roundId: Number(m[1]), secret } : null;
}
